// The placement router (src/learn/router.ts, the core's models and shape table) on synthetic costs
// and a fake clock: deterministic, seeded, no workers. Each scenario draws call sizes and call times
// from a cost model (µs per route and n) and scores the router's decisions against the oracle (the
// route of least expected time at that size) over several seeds.
//
//   node bench/tools/router-synthetic.mjs [--build build/old] [--seeds 10] [--reuse] [--routing d,r] [--trace seed:log2n] [--verbose] [scenario ...]
//
// --reuse: as the algorithms call the router (src/algorithms/route.ts), a call first takes its shape's
// settled decision where Router.reused gives one (its time goes to the shape, not the model); the
// decisions made are counted (what a run pays the host for).
// --build: a build folder holding src/ and core.wasm (default: this checkout's build/), so two builds
// can be compared in one command each. Scenarios (default: all):
//   clean      serial 3 µs + 0.3 ns/element, helpers 60 µs + 0.15 ns/element, ±10 %, 2^8 … 2^22 by 2
//   pauses     as clean, and 8 % of calls 2–6× as long (a preempted thread, a collection)
//   drift      as clean for 300 calls, then helpers' fixed part ×10 (a busy machine): 800 calls
//   bimodal    helpers' calls half at 0.6×, half at 1.4× their cost (same mean): ranked by the mean
//   contended  helpers on a busy machine: half their calls at their cost, half 2.5× (a mean of 1.75×)
//   crossover  sizes 2^17 … 2^20 by 1 around the crossover (2^18: the two 1.22× apart, 2^19 1.15×)
//   crossover-pauses  the crossover scenario with pauses
//   late-pauses  as clean, and a choice's 4th–6th calls at a size each 2–6× as long half the time: pauses
//              that come once the shape's measurements decide, past the retries of its first samples
//   late-crossover  the crossover scenario with those late pauses
//   gpu        a hardware GPU, 150 µs + 0.02 ns/element, among the choices (faster from about 2^20)
//   gpu-pauses the gpu scenario with pauses
// Scores per scenario, over the seeds: oracle decisions (share of calls on the oracle's route), the
// makespan against the oracle's (each call priced at its route's expected time, so the noise drawn
// weighs on neither), and the longest run of calls of one size kept off the oracle's route (a lock-in).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); if (i < 0) return dflt; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const build = resolve(take('--build', 'build'));
const seeds = Number(take('--seeds', '10'));
const verbose = argv.includes('--verbose');
const reuse = argv.includes('--reuse');
/** --trace <seed>:<log2 n>: every decision at that size for that seed (with one scenario named). */
const trace = take('--trace', '');
/**
 * --routing <decided µs>,<reused µs>: what routing costs the calling thread per decided and per reused
 * call, added to the router's makespan (the oracle pays none): placement().routing in the placement
 * bench measured 60–75 and 13–25 µs on a 2-core VM.
 */
const [decideUs, reuseUs] = String(take('--routing', '0,0')).split(',').map(Number);
if (!(decideUs >= 0 && reuseUs >= 0)) throw new Error('--routing takes two numbers of µs, a decided call\'s and a reused one\'s: --routing 70,17');
const only = argv.filter((a) => !a.startsWith('--'));

const load = (p) => import(pathToFileURL(resolve(build, p)).href);
const { Router } = await load('src/learn/router.js');
const { xorshift, staticRoute } = await load('src/policy/router.js');
const { SharedCore, compileCore } = await load('src/engine/memory.js');
const core = SharedCore.create(await compileCore(), { workers: 2, taskCapLog2: 8, dequeCapLog2: 8, runCap: 4, fnCap: 4, maxSpinners: 1, spinIters: 64 });

const CPU = { serial: (n) => 3 + 0.3e-3 * n, parallel: (n) => 60 + 0.15e-3 * n };
const GPU = { ...CPU, gpu: (n) => 150 + 0.02e-3 * n };
const EVEN = [8, 10, 12, 14, 16, 18, 20, 22];
/** 8 % of calls 2–6× as long: noise that only adds time. */
const pause = (rand) => (rand() < 0.08 ? 2 + 4 * rand() : 1);
/** Half of a choice's 4th–6th calls at a size 2–6× as long (`k`: the calls it had there before). */
const latePause = (k, rand) => (k >= 3 && k < 6 && rand() < 0.5 ? 2 + 4 * rand() : 1);

/**
 * A scenario: its sizes (log2 n), calls, routes, the expected cost of a route at call i (µs) and one
 * call's drawn time (the expected cost times a factor of mean 1 for the noise, times the pauses').
 */
const SCENARIOS = {
  clean: { exps: EVEN, calls: 500, cost: CPU },
  pauses: { exps: EVEN, calls: 500, cost: CPU, pauses: true },
  drift: { exps: EVEN, calls: 800, cost: CPU, at: (i) => (i < 300 ? CPU : { ...CPU, parallel: (n) => 600 + 0.15e-3 * n }) },
  bimodal: { exps: EVEN, calls: 500, cost: CPU, mode: (route, rand) => (route === 'parallel' ? (rand() < 0.5 ? 0.6 : 1.4) : 1) },
  contended: { exps: EVEN, calls: 500, cost: { ...CPU, parallel: (n) => 1.75 * CPU.parallel(n) }, mode: (route, rand) => (route === 'parallel' ? (rand() < 0.5 ? 1 / 1.75 : 2.5 / 1.75) : 1) },
  crossover: { exps: [17, 18, 19, 20], calls: 500, cost: CPU },
  'crossover-pauses': { exps: [17, 18, 19, 20], calls: 500, cost: CPU, pauses: true },
  'late-pauses': { exps: EVEN, calls: 500, cost: CPU, late: true },
  'late-crossover': { exps: [17, 18, 19, 20], calls: 500, cost: CPU, late: true },
  gpu: { exps: EVEN, calls: 500, cost: GPU },
  'gpu-pauses': { exps: EVEN, calls: 500, cost: GPU, pauses: true },
};

function input(n, candidates) {
  const fallback = staticRoute(candidates, false, n * 0.3 < 200_000 ? 0 : 1);
  return { kind: 'reduce', bytes: 4, n, nsPerItem: 0.3, historyNs: 0, workers: 2, awake: 0, queued: 0,
    device: candidates.includes('gpu'), software: false, resident: false, candidates, fallback };
}

function runOne(sc, seed) {
  const router = new Router(core, true, seed);
  const rand = xorshift(seed * 7919 + 1);
  const routes = Object.keys(sc.cost);
  let match = 0, made = 0, best = 0, decisions = 0;
  const mask = routes.reduce((m, r) => m | (1 << ['serial', 'parallel', 'gpu'].indexOf(r)), 0);
  const stuck = new Map();   // size → current run of calls off the oracle's route
  const taken = new Map();   // size and route → calls of that route at that size so far
  let worst = 0, worstAt = '';
  for (let i = 0; i < sc.calls; i++) {
    const e = sc.exps[Math.floor(rand() * sc.exps.length)], n = 2 ** e;
    const cost = sc.at ? sc.at(i) : sc.cost;
    const oracle = routes.reduce((a, b) => (cost[b](n) < cost[a](n) ? b : a));
    const again = reuse ? router.reused('reduce:0:Float32Array', n, mask) : undefined;
    // a build before reused calls were timed into their shape returns the route alone: not observed
    const t = again === undefined ? router.decide('reduce', 'reduce:0:Float32Array', input(n, routes)) : typeof again === 'string' ? undefined : again;
    if (again === undefined) decisions++;
    const r = t?.choice.route ?? again;
    let us = cost[r](n) * (sc.mode ? sc.mode(r, rand) : 1) * (1 + 0.1 * (2 * rand() - 1)) * (sc.pauses ? pause(rand) : 1);
    if (sc.late) { const k = taken.get(`${e}${r}`) ?? 0; taken.set(`${e}${r}`, k + 1); us *= latePause(k, rand); }
    if (t !== undefined) router.observe(t, us / 1000);
    if (trace === `${seed}:${e}` && t !== undefined) {
      // the kept record's said: per choice o, the model's prediction and the shape's mean (log2 µs), and the shape's count
      const s = t.record.said, f = (j) => ['serial', 'parallel', 'gpu'].map((k, o) => ((mask >> o) & 1) === 0 || (j === 1 && !(s[3 * o + 2] > 0)) ? '' : `${k[0]}${(2 ** s[3 * o + j]).toFixed(0)}`).filter(Boolean).join(' ');
      console.log(`${String(i).padStart(4)} ${r.padEnd(8)} ${(again === undefined ? t.choice.reason : 'reused').padEnd(8)} ${us.toFixed(0).padStart(6)} µs  oracle ${oracle}  measured ${f(1)}  predicted ${f(0)}`);
    }
    made += cost[r](n) + (again === undefined ? decideUs : reuseUs); best += cost[oracle](n);
    if (r === oracle) { match++; stuck.set(e, 0); } else {
      const s = (stuck.get(e) ?? 0) + 1;
      stuck.set(e, s);
      if (s > worst) { worst = s; worstAt = `2^${e}`; }
    }
  }
  return { match: match / sc.calls, ratio: made / best, worst, worstAt, decisions };
}

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`build ${build}, seeds 1…${seeds}` + (decideUs > 0 || reuseUs > 0 ? `, routing ${decideUs} µs a decided call and ${reuseUs} µs a reused one in the router's makespan` : ''));
console.log('scenario     oracle decisions: mean (min)   makespan / oracle: mean (max)   longest lock-in (seed, size)');
for (const [name, sc] of Object.entries(SCENARIOS)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const rows = [];
  for (let s = 1; s <= seeds; s++) rows.push(runOne(sc, s));
  const w = rows.reduce((a, b, i) => (b.worst > rows[a].worst ? i : a), 0);
  console.log(`${name.padEnd(12)} ${mean(rows.map((r) => r.match)).toFixed(3)} (${Math.min(...rows.map((r) => r.match)).toFixed(3)})`.padEnd(43)
    + `${mean(rows.map((r) => r.ratio)).toFixed(4)} (${Math.max(...rows.map((r) => r.ratio)).toFixed(4)})`.padEnd(32)
    + `${rows[w].worst} (seed ${w + 1}, ${rows[w].worstAt}); median ${med(rows.map((r) => r.worst))}`
    + (reuse ? `; decisions ${mean(rows.map((r) => r.decisions)).toFixed(0)} of ${sc.calls}` : ''));
  if (verbose) rows.forEach((r, i) => console.log(`  seed ${i + 1}: ${r.match.toFixed(3)} ${r.ratio.toFixed(4)} lock-in ${r.worst} ${r.worstAt}`));
}
