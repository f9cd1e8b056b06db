// learning: the 1€ duration predictor against its plain twin, the EMA, on synthetic durations, through
// the core's own code (assembly/learn/predictor.ts, on a standalone shared memory, no workers).
// Workloads (6000 samples each, seeded): stationary (1 ms ± 30 % gaussian), drifting (1 → 4 ms linear,
// doubling at 2/3: the machine changed) and bimodal (1 ms or 10 ms, 30 % of them long, ± 10 %).
// Error: mean |prediction − true expected duration| before each sample (the signal a scheduler needs),
// and beside it mean |prediction − the sample itself|, which includes the noise nobody can predict.
// Target (issue): 1€ error ≤ 0.7 × EMA error.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { childMain, table, errorCell } from './lib.mjs';

export const cases = () => ['stationary', 'drifting', 'bimodal'];
export const timeoutS = () => 30;
const TARGET = 0.7;

function lcg(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); }
const gauss = (r) => { let u = 0; for (let i = 0; i < 6; i++) u += r(); return (u - 3) * Math.SQRT2; };

export function series(name, n = 6000) {
  const r = lcg(name.length * 7919);
  return Array.from({ length: n }, (_, i) => {
    if (name === 'stationary') return [Math.max(0.01, 1 + 0.3 * gauss(r)), 1];
    if (name === 'drifting') { const mu = (1 + (3 * i) / n) * (i > (2 * n) / 3 ? 2 : 1); return [Math.max(0.01, mu * (1 + 0.3 * gauss(r))), mu]; }
    const hi = r() < 0.3;
    return [(hi ? 10 : 1) * (1 + 0.1 * gauss(r)), 3.7];
  });
}

export async function runCase(name) {
  const index = process.env.BEATFLOW_MODULE ? pathToFileURL(resolve(process.env.BEATFLOW_MODULE)).href : import.meta.resolve('beatflow');
  // the entry is build/src/index.js or build/src/entries/<runtime>.js: the engine sits in build/src/ either way
  const root = /\/entries\/[^/]+$/.test(new URL(index).pathname) ? new URL('../', index) : new URL('./', index);
  const { SharedCore, compileCore } = await import(new URL('./engine/memory.js', root).href);
  const { ONE_EURO } = await import(new URL('./policy/learning.js', root).href);
  const core = SharedCore.create(await compileCore(), { workers: 1, taskCapLog2: 8, dequeCapLog2: 8, runCap: 4, fnCap: 4, maxSpinners: 1, spinIters: 1 });
  const x = core.x;
  const t = core.alloc(x.learnSize(64)); core.ensure(t, x.learnSize(64)); core.u8.fill(0, t, t + x.learnSize(64));
  x.learnSetup(t, 64, ONE_EURO.minCutoff, ONE_EURO.beta, ONE_EURO.dCutoff, ONE_EURO.emaAlpha, 1);
  const out = core.alloc(64);
  let one = 0, ema = 0, oneRaw = 0, emaRaw = 0, n = 0;
  for (const [v, mu] of series(name)) {
    if (x.predictRead(t, 0, 0, out) === 1) {
      const f = new Float64Array(core.memory.buffer, out, 8);
      one += Math.abs(f[5] - mu); ema += Math.abs(f[7] - mu);
      oneRaw += Math.abs(f[5] - v); emaRaw += Math.abs(f[7] - v);
      n++;
    }
    x.predictObserve(t, 0, 0, v);
  }
  return { samples: n, oneEuro: one / n, ema: ema / n, ratio: one / ema, oneEuroRaw: oneRaw / n, emaRaw: emaRaw / n, ratioRaw: oneRaw / emaRaw, params: ONE_EURO };
}

export function report(res) {
  const f = (v) => v.toFixed(3);
  const rows = Object.entries(res).map(([name, r]) => {
    if (!r.ok) return [name, errorCell(r), '–', '–', '–', '–'];
    const x = r.result;
    return [name, f(x.oneEuro), f(x.ema), `**${x.ratio.toFixed(2)}** (${x.ratio <= TARGET ? 'met' : 'NOT met'})`, `${f(x.oneEuroRaw)} / ${f(x.emaRaw)} = ${x.ratioRaw.toFixed(2)}`, r.bgCores];
  });
  return [
    '## learning: 1€ vs EMA duration prediction (ms), 6000 synthetic samples each',
    '',
    table(['workload', '1€ error vs true mean', 'EMA error', '1€ / EMA (target ≤ 0.7)', 'vs the sample itself: 1€ / EMA', 'bg cores'], rows),
  ].join('\n');
}

childMain(import.meta.url, runCase);
