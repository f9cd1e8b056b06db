// Core A/B: the per-task path of the Wasm core alone (take a task, retire it, take the next) in two
// builds, on the calling thread, with no task body, no worker thread and no host in between. Graphs are
// laid out by hand (a chain, and a fan-out from one task) and re-run; rounds alternate the builds (A B,
// B A, …). On a shared machine the medians move with the load; the minimum of many short rounds is the
// steadier figure, and a change that costs the hot path shows in it.
//
//   node bench/tools/core-ab.mjs --a <checkout root> [--b <checkout root>] [--rounds 201] [--runs 20]
//
// Each checkout must be built (npm run build). Prints ns per task for each build and B / A (< 1: B faster).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); return i < 0 ? dflt : argv[i + 1]; };
const a = take('--a');
if (!a) throw new Error('usage: node bench/tools/core-ab.mjs --a <baseline checkout> [--b <checkout>] [--rounds n] [--runs n]');
const builds = { A: resolve(a), B: resolve(take('--b', fileURLToPath(new URL('../..', import.meta.url)))) };
const ROUNDS = Number(take('--rounds', '201'));
const RUNS = Number(take('--runs', '20'));   // graph runs per round and build
const N = 2000;                              // tasks per graph

/** A graph of N no-op tasks in core's table: a chain, or task 0 preceding all others. Returns its source list. */
function layOut(core, shape) {
  const { L, x } = core;
  const slots = Array.from({ length: N }, () => x.taskAlloc());
  const block = core.alloc(4 * (2 * N + 1));
  const u32 = core.u32;
  let at = block >> 2;
  u32[at++] = slots[0];
  for (let i = 0; i < N; i++) {
    const p = core.taskPtr(slots[i]) >> 2;
    const succ = shape === 'chain' ? (i + 1 < N ? [slots[i + 1]] : []) : (i === 0 ? slots.slice(1) : []);
    const deps = i === 0 ? 0 : 1;
    u32[p + (L.T_fn >> 2)] = 0; u32[p + (L.T_deps >> 2)] = deps; core.i32[p + (L.T_pending >> 2)] = deps;
    u32[p + (L.T_run >> 2)] = 0; u32[p + (L.T_flags >> 2)] = 0; u32[p + (L.T_npred >> 2)] = 0; u32[p + (L.T_pred >> 2)] = 0;
    u32[p + (L.T_succ >> 2)] = at << 2; u32[p + (L.T_nsucc >> 2)] = succ.length;
    for (const s of succ) u32[at++] = s;
  }
  return block;
}

/** ns per task over RUNS runs of the graph at `list`, as a worker that never blocks runs them (tryNext, finishNested). */
function timeRuns(core, list) {
  const x = core.x;
  let count = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < RUNS; r++) {
    x.runStart(0, list, 1);
    for (let t = x.tryNext(0); t >= 0; t = x.tryNext(0)) {
      while (t >= 0) { t = x.finishNested(0, t, 0, 0, 0); count++; }
    }
    if (x.mpmcPop(core.L.completions) === -1) throw new Error('the run did not end');
  }
  const ns = Number(process.hrtime.bigint() - t0) / (RUNS * N);
  if (count !== RUNS * N) throw new Error(`ran ${count} tasks, not ${RUNS * N}`);
  return ns;
}

const shapes = ['chain', 'fan'];
const cores = {}, lists = {}, ns = {};
for (const [k, root] of Object.entries(builds)) {
  const { SharedCore, compileCore } = await import(resolve(root, 'build/src/engine/memory.js'));
  cores[k] = SharedCore.create(await compileCore(), { workers: 1, taskCapLog2: 12, dequeCapLog2: 12, runCap: 1, fnCap: 1, maxSpinners: 0, spinIters: 1 });
  for (const s of shapes) { lists[s + k] = layOut(cores[k], s); ns[s + k] = []; }
}
for (let round = 0; round < ROUNDS; round++) {
  for (const s of shapes) for (const k of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) ns[s + k].push(timeRuns(cores[k], lists[s + k]));
}
const median = (v) => v.slice().sort((x, y) => x - y)[v.length >> 1];
console.log(`A = ${builds.A}\nB = ${builds.B}\n${ROUNDS} rounds of ${RUNS} runs of ${N} tasks, order alternating\n`);
console.log('| graph | A min | B min | B / A min | A median | B median | B / A median |\n| --- | --- | --- | --- | --- | --- | --- |');
for (const s of shapes) {
  const A = ns[s + 'A'], B = ns[s + 'B'];
  const row = [Math.min(...A), Math.min(...B), Math.min(...B) / Math.min(...A), median(A), median(B), median(B) / median(A)];
  console.log(`| ${s} | ${row.map((v, i) => (i % 3 === 2 ? v.toFixed(3) : `${v.toFixed(1)} ns`)).join(' | ')} |`);
}
