// pipe-grain: the grain of a pipeline's parallel worker stages from their learned cost per token
// (docs/pipelines.md "Grain"). Three ways to run the same pipeline, taking turns in one process, 2 workers;
// each round runs them in one of the 6 orders (every way follows each other equally often) with a 20 ms
// pause before each run, so that the workers of the executor that ran last have parked:
//   on     an executor with learning (the default), stages at grain 'auto': batches once learned;
//   off    the same executor, stages at grain 1: a task per token (what 'auto' does without batches);
//   plain  an executor with learning: false, grain 'auto': the plain twin, a task per token.
// Cases:
//   tiny   two parallel worker stages of a few arithmetic operations (~0.1 µs a token), then a serial
//          host stage that sums: where batching engages. 256 lines, 20k tokens a run.
//   50us   the same with ~50 µs of busy work per token in each worker stage: where it should not
//          (50 µs is far above half a dispatch). 64 lines, 1000 tokens a run.
// Per run: ms, and the workers' executed tasks per token. Every run's sum is checked against the others'.
// Ratio < 1: faster than the twin.
import { childMain, loadBeatflow, median, now, sleep, table, errorCell } from './lib.mjs';

export const cases = () => ['tiny', '50us'];
export const timeoutS = ({ quick }) => (quick ? 60 : 240);

// Stage functions: self-contained (sent to the workers as source).
const tinyA = (x) => x * 3 + 1;
const tinyB = (y) => (y % 7) + y / 2;
const spinA = (x) => { const end = performance.now() + 0.05; let y = x; while (performance.now() < end) y = (y * 31 + 7) % 1000003; return x + (y & 1) * 0; };
const spinB = (x) => { const end = performance.now() + 0.05; let y = x; while (performance.now() < end) y = (y * 17 + 3) % 1000003; return x * 2 + (y & 1) * 0; };

const SETUP = {
  tiny: { stages: [tinyA, tinyB], lines: 256, n: 20_000, quickN: 5000, rounds: 12, quickRounds: 6 },
  '50us': { stages: [spinA, spinB], lines: 64, n: 1000, quickN: 300, rounds: 12, quickRounds: 6 },
};

const ORDERS = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [2, 1, 0], [1, 0, 2]];
const executed = (ex) => ex.stats().workers.reduce((a, w) => a + w.executed, 0);

export async function runCase(name, { quick }) {
  const { Executor, Pipeline, Pipe } = await loadBeatflow();
  const s = SETUP[name];
  const n = quick ? s.quickN : s.n, rounds = quick ? s.quickRounds : s.rounds;
  const input = Array.from({ length: n }, (_, i) => i);
  const learning = await Executor.create({ workers: 2 });
  const plainEx = await Executor.create({ workers: 2, learning: false });
  const make = (label, ex, grain) => {
    const acc = { sum: 0 };
    const pipeline = new Pipeline({ lines: s.lines, name: `${name}-${label}` },
      ...s.stages.map((f) => Pipe.parallel(f, { grain })), Pipe.serial((v) => { acc.sum += v; }, { on: 'host' }));
    return { label, ex, acc, pipeline, ms: [], tasks: [], sums: new Set() };
  };
  const ways = [make('on', learning, 'auto'), make('off', learning, 1), make('plain', plainEx, 'auto')];
  const once = async (w) => {
    await sleep(20);
    w.acc.sum = 0;
    const e0 = executed(w.ex);
    const t0 = now();
    await w.pipeline.run(w.ex, input);
    const ms = now() - t0;
    w.sums.add(w.acc.sum);
    return [ms, (executed(w.ex) - e0) / n];
  };
  try {
    for (const w of ways) { await once(w); await once(w); }   // warm-ups: JIT, the workers' compiled sources, 'on' learns
    for (let r = 0; r < rounds; r++) {
      for (const k of ORDERS[r % ORDERS.length]) {
        const w = ways[k];
        const [ms, tasks] = await once(w);
        w.ms.push(ms); w.tasks.push(tasks);
      }
    }
    const sums = new Set(ways.flatMap((w) => [...w.sums]));
    if (sums.size !== 1) throw new Error(`the runs' sums differ: ${[...sums].join(', ')}`);
    const learned = learning.models.list().filter((p) => p.perItem && p.sizeClass === 0).map((p) => +p.oneEuro.toFixed(1));
    const round = (xs) => xs.map((x) => +x.toFixed(1));
    return {
      name, n, lines: s.lines, rounds, learnedNsPerToken: learned,
      ways: Object.fromEntries(ways.map((w) => [w.label, { ms: round(w.ms), median: +median(w.ms).toFixed(1), tasksPerToken: +median(w.tasks).toFixed(3) }])),
    };
  } finally {
    await learning.close();
    await plainEx.close();
  }
}

export function report(res) {
  const rows = Object.entries(res).map(([name, r]) => {
    if (!r.ok) return [name, errorCell(r), '–', '–', '–', '–', '–', r.bgCores];
    const w = r.result.ways;
    const range = (x) => `${Math.min(...x.ms)}–${Math.max(...x.ms)}`;
    return [`${name} (${r.result.n} tokens, ${r.result.lines} lines)`,
      `${w.on.median} (${range(w.on)})`, `${w.off.median} (${range(w.off)})`, `${w.plain.median} (${range(w.plain)})`,
      `${(w.on.median / w.off.median).toFixed(2)}× / ${(w.on.median / w.plain.median).toFixed(2)}×`,
      `${w.on.tasksPerToken} / ${w.off.tasksPerToken} / ${w.plain.tasksPerToken}`,
      r.result.learnedNsPerToken.join(', '), r.bgCores];
  });
  return ['## pipe-grain: batches of a parallel stage\'s ready tokens from its learned cost (2 workers, median ms per run (range), in turns)', '',
    table(['pipeline', 'on: auto', 'off: grain 1', 'learning: false', 'on ÷ off / on ÷ learning: false', 'tasks per token on / off / false', 'learned ns per token', 'bg cores'], rows)].join('\n');
}

childMain(import.meta.url, runCase);
