// What the placement router's host code costs in place: the placement bench's cpu case (bench/placement.mjs,
// every policy running each call in turn, so the router's code and data are as cold as there), with
// Router.reused, Router.decide and Router.observe of the benched build timed around each call. Prints,
// per kind of call, how many and their mean and median µs, and the router's time in all against the
// oracle's makespan of the same run. The timers add a frame and two clock reads to each call; compare
// builds with it (several, in turns: --build a,b), not with the bench's own "own cost" medians.
//
//   node bench/tools/router-inplace.mjs [--build build[,other]] [--runs 1]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from '../lib.mjs';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); return i < 0 ? dflt : argv[i + 1]; };
const builds = take('--build', 'build').split(',').map((b) => resolve(b));
const runs = Number(take('--runs', '1'));
const { runCase } = await import(new URL('../placement.mjs', import.meta.url).href);

/** Per build, per kind of call: each call's µs (its Router's methods timed; the bench imports the same module instances through BEATFLOW_MODULE). */
const timesOf = new Map();
for (const build of builds) {
  const times = { decide: [], reused: [], miss: [], 'observe decided': [], 'observe reused': [] };
  timesOf.set(build, times);
  const { Router } = await import(pathToFileURL(resolve(build, 'src/learn/router.js')).href);
  /** Times method `name` of the build's Router, each call's µs filed under kindOf(its result, its arguments). */
  const timed = (name, kindOf) => {
    const f = Router.prototype[name];
    Router.prototype[name] = function (...args) {
      const t0 = performance.now();
      const r = f.apply(this, args);
      times[kindOf(r, args)].push(1000 * (performance.now() - t0));
      return r;
    };
  };
  timed('reused', (t) => (t === undefined ? 'miss' : 'reused'));
  timed('decide', () => 'decide');
  timed('observe', (_, [t]) => (t.reused ? 'observe reused' : 'observe decided'));
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
for (let run = 1; run <= runs; run++) for (const build of builds) {
  const times = timesOf.get(build);
  for (const k of Object.keys(times)) times[k].length = 0;
  process.env.BEATFLOW_MODULE = resolve(build, 'src/index.js');
  const r = await runCase('cpu', { quick: false });
  const total = sum(Object.values(times).map(sum)) / 1000;
  console.log(`run ${run} (${build}): ${Object.entries(times).map(([k, v]) => `${k} ${v.length}× mean ${(sum(v) / v.length).toFixed(1)} µs, median ${median(v).toFixed(1)}`).join('; ')}`);
  console.log(`  the router's time ${total.toFixed(1)} ms over ${r.calls * r.reps.length} calls: ${((100 * total) / r.makespan.oracle).toFixed(1)} % of the oracle's makespan (${r.makespan.oracle.toFixed(1)} ms); ` +
    `router timed ${(r.makespan.router / r.makespan.oracle).toFixed(3)}× the oracle's`);
}
