// single: the single-threaded mode (Executor.create({ workers: 0 }): the worker runs on this thread, in
// slices that yield to the event loop) against plain JS doing the same work inline, in one process.
// - tiny: N × ex.async(spin, k), Promise.all; inline: a loop calling spin(k) N times into an array.
//   Tasks measured short run directly, inside async() (docs/learning.md "Direct runs"); the plain twin,
//   an executor with learning: false, defers every one to the worker's slices, in the same run. Two
//   floors of any one-off API that returns a promise per task, with no runtime: N promises each
//   resolved with spin(k) as it is made (Promise.resolve, what a direct run gives), Promise.all; and N
//   pending promises made in a loop, then (after the burst, as a deferred task settles) each resolved
//   with spin(k), Promise.all.
// - map: the same N items through one `ex.map(spin, items)` call (the batched one-off form: no promise
//   per item); inline: a loop calling spin(k) on each item into an array.
// - rerun: a 1000-task graph of independent spin(k) tasks, laid out and warmed, then `await ex.run(tf)`
//   R times; inline: R × a loop of 1000 spin(k) calls.
// Each at three task sizes (k iterations of spin: none, ~1 µs, ~20 µs of work); median of 3 timed
// repetitions after one untimed. The ratio is single / inline time (target ≤ 1.5×).
import { createExecutor, loadBeatflow, median, now, fmt, table, errorCell } from './lib.mjs';
import * as tasks from './tasks.mjs';

export const cases = () => ['beatflow-single:tiny', 'beatflow-single:map', 'beatflow-single:rerun'];
export const timeoutS = ({ quick }) => (quick ? 30 : 180);

const SIZES = [0, 200, 2000];
const TARGET = 1.5;

/** Median of 3 timed calls after one untimed; ms. */
async function timed(fn) {
  await fn();
  const xs = [];
  for (let i = 0; i < 3; i++) { const t0 = now(); await fn(); xs.push(now() - t0); }
  return median(xs);
}

export async function runCase(name, { quick }) {
  const kind = name.split(':')[1];
  const { Taskflow } = await loadBeatflow();
  const ex = await createExecutor({ workers: 0, maxTasks: 1 << 18 });
  const twin = kind === 'tiny' ? await createExecutor({ workers: 0, maxTasks: 1 << 18, learning: false }) : undefined;
  if (!ex.singleThreaded) throw new Error('workers: 0 did not give the single-threaded mode');
  const rows = [];
  try {
    for (const k of SIZES) {
      let single, inline, count, floor, settled, plain;
      if (kind === 'tiny') {
        const n = quick ? 10_000 : 100_000;
        count = n;
        const burst = (e) => async () => {
          const ps = new Array(n);
          for (let i = 0; i < n; i++) ps[i] = e.async(tasks.spin, k);
          await Promise.all(ps);
        };
        single = await timed(burst(ex));
        plain = await timed(burst(twin));
        inline = await timed(async () => {
          const out = new Array(n);
          for (let i = 0; i < n; i++) out[i] = tasks.spin(k);
          return out;
        });
        settled = await timed(async () => {
          const ps = new Array(n);
          for (let i = 0; i < n; i++) ps[i] = Promise.resolve(tasks.spin(k));
          await Promise.all(ps);
        });
        let resolve;
        const capture = (r) => { resolve = r; };   // one shared executor function, as the runtime's
        floor = await timed(async () => {
          const ps = new Array(n), rs = new Array(n);
          for (let i = 0; i < n; i++) { ps[i] = new Promise(capture); rs[i] = resolve; }
          await null;
          for (let i = 0; i < n; i++) { rs[i](tasks.spin(k)); rs[i] = undefined; }
          await Promise.all(ps);
        });
      } else if (kind === 'map') {
        const n = quick ? 10_000 : 100_000;
        count = n;
        const items = new Array(n).fill(k);
        single = await timed(() => ex.map(tasks.spin, items));
        inline = await timed(async () => {
          const out = new Array(n);
          for (let i = 0; i < n; i++) out[i] = tasks.spin(items[i]);
          return out;
        });
      } else {
        const runs = quick ? 20 : k === 2000 ? 50 : 200;
        count = 1000 * runs;
        const tf = new Taskflow('small');
        tf.emplace(Array(1000).fill(tasks.spin)).forEach((t) => t.args(k));
        for (let i = 0; i < 20; i++) await ex.run(tf);
        single = await timed(async () => { for (let r = 0; r < runs; r++) await ex.run(tf); });
        inline = await timed(async () => {
          for (let r = 0; r < runs; r++) { const out = new Array(1000); for (let i = 0; i < 1000; i++) out[i] = tasks.spin(k); }
        });
      }
      const per = (x) => (x === undefined ? undefined : +(x / inline).toFixed(2));
      rows.push({ k, tasks: count, singleNs: +((single * 1e6) / count).toFixed(1), inlineNs: +((inline * 1e6) / count).toFixed(1), ratio: +(single / inline).toFixed(2),
        twinRatio: per(plain), settledRatio: per(settled), floorRatio: per(floor) });
    }
  } finally {
    await ex.close();
    await twin?.close();
  }
  return { kind, rows };
}

export function report(res) {
  const rows = [];
  for (const [name, r] of Object.entries(res)) {
    if (!r.ok) { rows.push([name, errorCell(r), '–', '–', '–', '–', '–', '–', '–', r.bgCores]); continue; }
    const ratio = (v) => (v === undefined ? '–' : `${v}×`);
    for (const x of r.result.rows) {
      const kind = { tiny: 'async burst', map: 'one map call', rerun: '1000-task graph re-run' }[r.result.kind];
      rows.push([kind, `spin(${x.k})`, fmt(x.inlineNs), fmt(x.singleNs),
        `${x.ratio}×`, x.ratio <= TARGET ? 'met' : 'NOT met', ratio(x.twinRatio), ratio(x.settledRatio), ratio(x.floorRatio), r.bgCores]);
    }
  }
  return [
    '## single: the single-threaded mode (workers: 0) against the same work inline, one process',
    '',
    table(['kind', 'task', 'inline ns/task', 'single-threaded ns/task', 'single / inline', `≤ ${TARGET}×`, 'learning: false / inline',
      'a settled promise per task, no runtime / inline', 'a pending promise per task, no runtime / inline', 'bg cores'], rows),
  ].join('\n');
}

import { childMain } from './lib.mjs';
childMain(import.meta.url, runCase);
