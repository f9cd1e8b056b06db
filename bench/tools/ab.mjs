// A/B: the same bench cases against two builds of beatflow in one command, alternating, so both see
// the same machine at the same hours. Each round runs every case once per build (the order flips every
// round: A B, B A, …), each in its own child process as `npm run bench` does (BEATFLOW_MODULE picks the
// build). Prints, per case, both builds' runs, their medians and the ratio B / A in the case's own
// direction (> 1: B is better). Cases whose output has a CPU figure too (forkjoin: the process's CPU
// ns/task, which other processes' load inflates less than wall time) get a second table of it.
//
//   node bench/tools/ab.mjs --a <checkout root> [--b <checkout root>] [--rounds 5] [--quick] [case ...]
//
// --a is the baseline (e.g. a worktree of the commit before a change, built with npm ci); --b defaults to
// this checkout. A case is `file:case` as `npm run bench -- --only` shows it (tiny:beatflow,
// reruns:beatflow:rerun:T2, …); the default list covers tiny tasks, round trip, graph re-run and
// fork-join.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, median, table, fmt } from '../lib.mjs';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); if (i < 0) return dflt; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const here = fileURLToPath(new URL('../..', import.meta.url));
const a = take('--a');
const b = take('--b', here);
const rounds = Number(take('--rounds', '5'));
const quick = argv.includes('--quick');
const names = argv.filter((x) => !x.startsWith('--'));
if (!a) throw new Error('usage: node bench/tools/ab.mjs --a <baseline checkout> [--b <checkout>] [--rounds n] [--quick] [case ...]');

/** The figure each case is compared by, and whether more is better. */
const METRIC = {
  tiny: { get: (r) => r.tasksPerS, unit: 'tasks/s', more: true },
  roundtrip: { get: (r) => r.p50Us, unit: 'µs p50', more: false },
  reruns: { get: (r) => r.nsPerTask ?? r.nsPerIter, unit: 'ns/task', more: false },
  forkjoin: { get: (r) => r.nsPerTask, unit: 'ns/task', more: false, cpu: (r) => r.cpuNsPerTask },
  graphs: { get: (r) => r.nsPerTask, unit: 'ns/task', more: false },
  dependent: { get: (r) => r.ms, unit: 'ms', more: false },
  single: { get: (r) => r.rows.find((x) => x.k === 200).ratio, unit: 'single / inline at spin(200)', more: false },
};
const cases = names.length > 0 ? names : [
  'tiny:beatflow', 'roundtrip:beatflow', 'reruns:beatflow:rerun:T1', 'reruns:beatflow:rerun:T2',
  'reruns:beatflow:async:T2', 'forkjoin:beatflow:fib:T1', 'forkjoin:beatflow:fib:T2',
];
const builds = { A: resolve(a), B: resolve(b) };
const runs = Object.fromEntries(cases.map((c) => [c, { A: [], B: [] }]));
const cpuRuns = Object.fromEntries(cases.map((c) => [c, { A: [], B: [] }]));

for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
  for (const c of cases) {
    const [file, ...rest] = c.split(':');
    const mod = await import(`../${file}.mjs`);
    for (const which of order) {
      process.env.BEATFLOW_MODULE = resolve(builds[which], 'build/src/index.js');
      const r = await runChild(fileURLToPath(new URL(`../${file}.mjs`, import.meta.url)), [rest.join(':'), ...(quick ? ['--quick'] : [])],
        { timeoutS: mod.timeoutS({ quick }), execArgv: mod.execArgv ?? [] });
      const v = r.ok ? METRIC[file].get(r.result) : NaN;
      runs[c][which].push(v);
      const cpu = r.ok && METRIC[file].cpu ? METRIC[file].cpu(r.result) : NaN;
      cpuRuns[c][which].push(cpu);
      process.stderr.write(`[ab] round ${round + 1}/${rounds} ${c} ${which}: ${r.ok ? fmt(v) : `ERROR ${r.error}`}${Number.isFinite(cpu) ? ` (CPU ${fmt(cpu)})` : ''} (bg ${r.bgCores} cores)\n`);
    }
  }
}

const rows = cases.map((c) => {
  const m = METRIC[c.split(':')[0]];
  const A = median(runs[c].A.filter(Number.isFinite)), B = median(runs[c].B.filter(Number.isFinite));
  const better = m.more ? B / A : A / B;
  return [c, m.unit, runs[c].A.map((x) => fmt(x)).join(', '), runs[c].B.map((x) => fmt(x)).join(', '), fmt(A), fmt(B), `${better.toFixed(2)}×`];
});
console.log(`A = ${builds.A}\nB = ${builds.B}\n${rounds} rounds, order alternating${quick ? ', --quick sizes' : ''}\n`);
console.log(table(['case', 'figure', 'A runs', 'B runs', 'A median', 'B median', 'B vs A (> 1: B better)'], rows));

const cpuCases = cases.filter((c) => METRIC[c.split(':')[0]].cpu);
if (cpuCases.length > 0) {
  const cpuRows = cpuCases.map((c) => {
    const A = median(cpuRuns[c].A.filter(Number.isFinite)), B = median(cpuRuns[c].B.filter(Number.isFinite));
    return [c, 'CPU ns/task', cpuRuns[c].A.map((x) => fmt(x)).join(', '), cpuRuns[c].B.map((x) => fmt(x)).join(', '), fmt(A), fmt(B), `${(A / B).toFixed(2)}×`];
  });
  console.log(`\nThe same processes' CPU time per task:\n`);
  console.log(table(['case', 'figure', 'A runs', 'B runs', 'A median', 'B median', 'B vs A (> 1: B better)'], cpuRows));
}
