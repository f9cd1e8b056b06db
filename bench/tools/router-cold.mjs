// What one placement decision costs the host when its code and data are cold, as in the placement
// bench (src/learn/router.ts between algorithm calls that sweep megabytes): a Router on a core of its
// own, the bench's 24 shapes (reduce, exp and scan of f32 at 2^8 … 2^22), each call first asking
// Router.reused and else deciding, its synthetic time observed, and a sweep of --sweep MiB before each
// step. With several builds (--build a,b) each runs the same call in turn, so all see the machine's
// load of that moment. Prints per build the median µs of decide, reused, a reuse miss and observe.
// --decision: the decision alone instead, the core's (learn/core-decision.ts, one call into
// assembly/learn/route-decide.ts) and the host's (learn/host-decision.ts) on the same blocks, each cold
// (after the sweep) and warm (at once again): what the rest of a routed call adds around it.
//
//   node bench/tools/router-cold.mjs [--build build/old,build] [--calls 500] [--sweep 16] [--rounds 3] [--decision]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); return i < 0 ? dflt : argv[i + 1]; };
const builds = take('--build', 'build').split(',');
const calls = Number(take('--calls', '500')), sweepMiB = Number(take('--sweep', '16')), rounds = Number(take('--rounds', '3'));

async function open(build) {
  const load = (p) => import(pathToFileURL(resolve(build, p)).href);
  const { Router } = await load('src/learn/router.js');
  const { staticRoute } = await load('src/policy/router.js');
  const { SharedCore, compileCore } = await load('src/engine/memory.js');
  // the op key as the build's route.ts makes it: kept per call (opKey) or built afresh
  const { opKey } = await load('src/algorithms/route.js');
  const key = opKey ?? ((name, op, a) => `${name}:${op}:${a.constructor.name}`);
  const core = SharedCore.create(await compileCore(), { workers: 2, taskCapLog2: 8, dequeCapLog2: 8, runCap: 4, fnCap: 4, maxSpinners: 1, spinIters: 64 });
  return { build, Router, staticRoute, core, key };
}
const libs = await Promise.all(builds.map(open));

const OPS = [['reduce', 'reduce', 0], ['transform', 'map', 1], ['inclusiveScan', 'scan', 0]];
const F32 = new Float32Array(1);
const CANDIDATES = Object.freeze(['serial', 'parallel']), MASK = 3;
const COST = { serial: (n) => 3 + 0.3e-3 * n, parallel: (n) => 60 + 0.15e-3 * n };
const sweep = new Float64Array((sweepMiB << 20) / 8);
let sink = 0;
const touch = () => { for (let i = 0; i < sweep.length; i += 8) sink += sweep[i]++; };
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[s.length >> 1]; };
/** A seeded LCG: the same calls and times for every build. */
const lcg = (seed) => { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); };

function step(lib, router, t, kind, call, key, n, r) {
  touch();
  let t0 = performance.now();
  let ticket = router.reused(key, n, MASK);
  let t1 = performance.now();
  if (ticket === undefined) {
    t.miss.push(t1 - t0);
    const p = { kind, bytes: 4, n, nsPerItem: kind === 'map' ? 4 : 1, historyNs: 0, workers: 2, awake: 0, queued: 0,
      device: false, software: false, resident: false, candidates: CANDIDATES, fallback: lib.staticRoute(CANDIDATES, false, n < 50_000 ? 0 : 1) };
    touch();
    t0 = performance.now();
    ticket = router.decide(call, key, p);
    t1 = performance.now();
    t.decide.push(t1 - t0);
  } else t.reused.push(t1 - t0);
  touch();
  t0 = performance.now();
  router.observe(ticket, (COST[ticket.choice.route](n) * (0.9 + 0.2 * r)) / 1000);
  t.observe.push(performance.now() - t0);
}

if (argv.includes('--decision')) {
  for (let round = 1; round <= rounds; round++) for (const lib of libs) await decisionAlone(lib, round);
  process.exit(0);
}

for (let round = 1; round <= rounds; round++) {
  const runs = libs.map((lib) => ({ lib, router: new lib.Router(lib.core, true, 1), t: { decide: [], reused: [], miss: [], observe: [] } }));
  const rand = lcg(12345 + round);
  for (let i = 0; i < calls; i++) {
    const [call, kind, op] = OPS[Math.floor(rand() * 3)], n = 2 ** (8 + 2 * Math.floor(rand() * 8)), r = rand();
    for (const { lib, router, t } of i % 2 === 0 ? runs : [...runs].reverse()) step(lib, router, t, kind, call, lib.key(call, op, F32), n, r);
  }
  for (const { lib, t } of runs) {
    const f = (xs) => `${(1000 * med(xs)).toFixed(1)} (${xs.length})`;
    console.log(`round ${round} ${lib.build}: µs decide ${f(t.decide)}, reused ${f(t.reused)}, miss ${f(t.miss)}, observe ${f(t.observe)}`);
  }
}
if (sink === 0.5) console.log(sink);

/**
 * --decision: the core's and the host's decision over the same router and shape blocks (models at
 * their prior; the shape table holding four measurements of each choice at 2^8 … 2^22 from the
 * synthetic costs), for calls at 2^10, 2^14 and 2^18 in turn: the median µs of a decision after a sweep
 * and of the same decision at once again, over `calls` decisions after as many untimed ones.
 */
async function decisionAlone(lib, round) {
  const load = (p) => import(pathToFileURL(resolve(lib.build, p)).href);
  const { ShapeTable } = await load('src/learn/shapes.js');
  const { CoreDecision } = await load('src/learn/core-decision.js');
  const { HostDecision } = await load('src/learn/host-decision.js');
  const { ROUTER, ROUTES, FEATURES, routeFeatures, baseOf } = await load('src/policy/router.js');
  const { core } = lib;
  const bytes = core.x.routerSize(FEATURES, ROUTES.length), rb = core.alloc(bytes);
  core.ensure(rb, bytes);
  core.x.routerInit(rb, FEATURES, ROUTES.length, ROUTER.noise, ROUTER.drift, ROUTER.p0);
  let f32;
  const shapes = new ShapeTable(core, ROUTER.shapes, ROUTER.gamma, ROUTER.down, () => f32);
  const onCore = new CoreDecision(core, rb, shapes.block);
  f32 = new Float32Array(core.u8.buffer);
  const fx = core.x.routerFeatures(rb) >> 2, spread = new Float64Array(ROUTES.length).fill(Math.sqrt(ROUTER.p0));
  const onHost = new HostDecision(core, rb, shapes, f32, fx, new Float64Array(ROUTES.length).map((_, o) => core.x.routerModel(rb, o)), spread);
  for (let o = 0; o < ROUTES.length; o++) onCore.spread(o, spread[o]);
  const key = (c) => `reduce:0:Float32Array|${c}|${MASK}`;
  for (let c = 8; c <= 22; c += 2) {
    const { row } = shapes.rowOf(key(c));
    for (let k = 0; k < 4; k++) ROUTES.slice(0, 2).forEach((r, o) => shapes.observe(row, o, Math.log2(COST[r](2 ** c)) - c, 3));
  }
  const calls_ = [10, 14, 18].map((c) => ({ c, p: { kind: 'reduce', bytes: 4, n: 2 ** c, nsPerItem: 1, historyNs: 0, workers: 2, awake: 0, queued: 0, device: false,
    software: false, resident: false, candidates: CANDIDATES, fallback: lib.staticRoute(CANDIDATES, false, 2 ** c < 200_000 ? 0 : 1) } }));
  const x = new Float32Array(FEATURES), said = new Float64Array(3 * ROUTES.length);
  const out = [];
  for (const [name, d] of [['core', onCore], ['host', onHost]]) {
    const cold = [], warm = [];
    for (let i = 0; i < 2 * calls; i++) {
      const { c, p } = calls_[i % 3], e = shapes.rowOf(key(c)), base = baseOf(p);
      routeFeatures(p, x); f32.set(x, fx);
      touch();
      let t0 = performance.now(); d.decide(p, MASK, e, base, c, 0.5, 0.5, said); let t1 = performance.now();
      if (i >= calls) cold.push(t1 - t0);
      t0 = performance.now(); d.decide(p, MASK, e, base, c, 0.5, 0.5, said); t1 = performance.now();
      if (i >= calls) warm.push(t1 - t0);
    }
    out.push(`${name} ${(1000 * med(cold)).toFixed(1)} cold, ${(1000 * med(warm)).toFixed(2)} warm`);
  }
  console.log(`round ${round} ${lib.build}: the decision alone, µs: ${out.join('; ')}`);
}
