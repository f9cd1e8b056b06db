// npm run bench  →  node bench/run.mjs [--only SUBSTR] [--quick] [--peers-only]
//
// Runs every case of every bench in its own child node process, one at a time, each with a
// timeout, then prints one markdown table per bench (stdout) and writes the results as JSON: a full
// run to bench/results/latest.json (tracked: the run behind bench/RESULTS.md), a partial one
// (--quick, --only, --peers-only) to bench/results/partial.json (gitignored), so that a smoke run
// or a single case never rewrites the recorded run.
// Ratios are computed between cases of the same run; absolute times drift on a shared machine.
//   --only SUBSTR   run cases whose "bench/case" contains SUBSTR (e.g. tiny, piscina, graphs:chain)
//   --quick         small sizes, a smoke run (< 60 s)
//   --peers-only    skip the beatflow cases (test the harness before the runtime exists)
// Outside --quick each case waits (≤ 15 s) for an idle machine and is rerun once if others used
// > 0.15 core meanwhile ("bg cores" column), as in the anchors' method.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runChild, waitIdle } from './lib.mjs';

const BENCHES = ['tiny', 'roundtrip', 'graphs', 'reruns', 'forkjoin', 'dependent', 'memory', 'control', 'pipeline', 'kernels', 'algorithms', 'gpu', 'recovery', 'learning', 'placement', 'plans', 'single', 'runtimes'];

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : null;
if (onlyAt >= 0 && !only) throw new Error('--only needs a substring');
const opts = { quick: flag('--quick'), peersOnly: flag('--peers-only') };
const childFlags = opts.quick ? ['--quick'] : [];

const t0 = Date.now();
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
  quick: opts.quick,
  only,
  peersOnly: opts.peersOnly,
  beatflow: process.env.BEATFLOW_MODULE ?? 'beatflow (package)',
  benches: {},
};
console.log(`# beatflow benchmarks\n\n${out.date}, Node ${out.node}, ${out.cpu}${opts.quick ? ', **--quick** sizes' : ''}` +
    `${process.env.BEATFLOW_MODULE ? `, beatflow from BEATFLOW_MODULE=${process.env.BEATFLOW_MODULE}` : ''}\n`);

for (const name of BENCHES) {
  const mod = await import(`./${name}.mjs`);
  const file = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const cases = mod
    .cases(opts)
    .filter((c) => !only || `${name}/${c}`.includes(only))
    .filter((c) => !(opts.peersOnly && c.startsWith('beatflow')));
  if (!cases.length) continue;

  const res = {};
  for (const c of cases) {
    // Outside --quick: wait for a quiet machine first, and rerun once a case that ran beside more
    // than 0.15 core of someone else's load, keeping the quieter run.
    for (let attempt = 1; attempt <= (opts.quick ? 1 : 2); attempt++) {
      const idle = opts.quick ? null : await waitIdle(15);
      process.stderr.write(`[bench] ${name}/${c} ...${idle ? ` (waited ${idle.waitedS} s for idle, load ${idle.load})` : ''}\n`);
      const r = await runChild(file, [c, ...childFlags], { timeoutS: mod.timeoutS(opts), execArgv: mod.execArgv ?? [] });
      process.stderr.write(`[bench] ${name}/${c}: ${r.ok ? 'ok' : `ERROR ${r.error}`} (${r.wallS} s, bg ${r.bgCores} cores)\n`);
      if (!res[c] || (r.ok && !(r.bgCores >= res[c].bgCores))) res[c] = { ...r, attempt };
      if (!r.ok || !(r.bgCores > 0.15)) break;
    }
  }
  out.benches[name] = res;
  console.log(mod.report(res, opts) + '\n');
}

const noisy = Object.entries(out.benches).flatMap(([b, res]) => Object.entries(res).filter(([, r]) => r.bgCores > 0.15).map(([c]) => `${b}/${c}`));
if (noisy.length) console.log(`Note: other processes used > 0.15 core during ${noisy.join(', ')}; rerun those (--only).\n`);
out.totalS = +((Date.now() - t0) / 1e3).toFixed(1);
const json = opts.quick || only || opts.peersOnly ? 'partial.json' : 'latest.json';
console.log(`Total ${out.totalS} s. JSON: bench/results/${json}`);

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL(json, dir), JSON.stringify(out, null, 1) + '\n');
