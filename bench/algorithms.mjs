// algorithms: the parallel algorithms (src/algorithms/) over 10^7 f32 on 2 workers, against the same
// Wasm SIMD kernel on one thread and a plain JS loop, all measured in the same process, interleaved
// (one repetition of each in turn), so the ratios compare like with like on this noisy VM.
//
//   map      transform(ex, [a, b], out, { op: 'axpy', s0: 2 })        out = 2·a + b     12 B/element
//   reduce   reduce(ex, a, 'sum')                                      Σ a               4 B/element
//   scan     inclusiveScan(ex, a, out, 'sum')                          prefix sums       8 B/element
//   sort     sort(ex, a)                                               ascending         8 B/element
//   map-cb   transform with a JS callback per chunk on 2 workers, vs piscina (2 threads) running the
//            same chunks (16 per run, by SharedArrayBuffer), vs the JS loop on one thread.
// map and reduce also run the runtime's split without the runtime (bench/bare.mjs: this thread and one
// plain thread run the same kernel on halves of the same arrays, the thread lingering as the workers do).
// Before every block: a pause until every thread (workers, the plain thread) is parked, and the order
// of the cases turns each round, so each case's first call starts from the same state.
// Each case: 2 warm-up rounds, then REPS rounds; median ms and the range; GB/s = bytes moved / time.
import { childMain, median, table, errorCell, now, sleep, loadBeatflow, coreOf } from './lib.mjs';
import { bareHelper } from './bare.mjs';
import * as K from '../build/src/kernels.js';

export const OPS = ['map', 'reduce', 'scan', 'sort', 'map-cb'];
/** map and reduce also run with the workers lingering 200 ms after a call (OpenMP's default block time, KMP_BLOCKTIME). */
const LINGER_US = 200_000;
export const cases = () => [...OPS.map((op) => `${op}:2w`), 'map:2w-linger', 'reduce:2w-linger'];
export const timeoutS = ({ quick }) => (quick ? 60 : 240);

const BYTES = { map: 12, reduce: 4, scan: 8, sort: 8, 'map-cb': 12 };
const TARGET_2W = 1.7;

function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; a[i] = ((s >>> 0) / 2 ** 31) - 1; }
}

export async function runCase(name, { quick }) {
  const op = name.split(':')[0];
  if (!cases().includes(name)) throw new Error(`unknown case '${name}' (cases: ${cases().join(', ')})`);
  const linger = name.endsWith('-linger');
  const n = quick ? 1_000_000 : 10_000_000;
  const reps = op === 'sort' ? (quick ? 3 : 7) : quick ? 5 : 15;
  const bf = await loadBeatflow();
  const ex = await bf.Executor.create({ workers: 2, ...(linger ? { lingerMicroseconds: LINGER_US } : {}) });
  const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n), out = ex.shared(Float32Array, n), pristine = new Float32Array(n);
  fill(a, 1); fill(b, 2); pristine.set(a);
  // The single-thread baseline: the same kernels on this thread over the same arrays, through the host's
  // instance of the executor's core (what the caller's share runs on), so both read data in the same
  // cache state (copies no other case touched would sit colder in a shared L3 and flatter the ratios).
  const x = (await coreOf(ex)).x;
  const A1 = a.byteOffset, B1 = b.byteOffset, O1 = out.byteOffset;
  const scratch = op === 'sort' ? ex.shared(Uint8Array, K.sortScratchBytes({ kind: 'sort', dtype: 'f32' }, n) + 8) : null;
  const S1 = scratch ? (scratch.byteOffset + 7) & ~7 : 0;
  const impls = {
    map: {
      '2w': () => bf.transform(ex, [a, b], out, { op: 'axpy', s0: 2 }),
      '1t': () => K.runMap(x, { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] }, O1, [A1, B1], 0, n),
      js: () => { for (let i = 0; i < n; i++) out[i] = 2 * a[i] + b[i]; },
    },
    reduce: {
      '2w': () => bf.reduce(ex, a, 'sum'),
      '1t': () => K.runReduce(x, { kind: 'reduce', op: 'sum', dtype: 'f32' }, [A1], 0, n),
      js: () => { let s = 0; for (let i = 0; i < n; i++) s += a[i]; return s; },
    },
    scan: {
      '2w': () => bf.inclusiveScan(ex, a, out, 'sum'),
      '1t': () => K.scanChunk(x, { kind: 'scan', op: 'sum', inclusive: true, dtype: 'f32' }, A1, O1, 0, n, 0),
      js: () => { let c = 0; for (let i = 0; i < n; i++) { c += a[i]; out[i] = c; } },
    },
    sort: {
      '2w': () => bf.sort(ex, a),
      '1t': () => K.sortRange(x, { kind: 'sort', dtype: 'f32' }, A1, S1, 0, n),
      js: () => { a.sort(); },
    },
  };
  const lingerMs = (linger ? LINGER_US : 2000) / 1000;   // the executor's (2000 µs: its default)
  const core = await coreOf(ex);
  const bare = op === 'map' || op === 'reduce' ? await bareHelper(core.module, core.memory, lingerMs) : null;
  if (bare) impls[op]['2t'] = () => bare.run(op, a, b, out, true);
  // Parked: the executor's workers sleep in the core (Header.sleepers), the plain thread on its word.
  const sleepers = () => Atomics.load(core.i32, (core.L.header + core.L.H_sleepers) >> 2);
  let unsettled = 0;   // pauses that ended with a thread still awake (reported)
  const pause = async () => {
    await sleep(lingerMs + 5);
    const end = now() + 2000;
    while ((sleepers() < core.nWorkers || (bare && !bare.parked())) && now() < end) await sleep(2);
    if (sleepers() < core.nWorkers || (bare && !bare.parked())) unsettled++;
  };
  let piscina;
  if (op === 'map-cb') {
    const { Piscina } = await import('piscina');
    piscina = new Piscina({ filename: new URL('./peers/algorithms-map.mjs', import.meta.url).href, minThreads: 2, maxThreads: 2 });
    const sa = new SharedArrayBuffer(4 * n), sb = new SharedArrayBuffer(4 * n), so = new SharedArrayBuffer(4 * n);
    new Float32Array(sa).set(a); new Float32Array(sb).set(b);
    const chunks = 16, len = Math.ceil(n / chunks);
    impls['map-cb'] = {
      '2w': () => bf.transform(ex, [a, b], out, (x, y, o, lo, hi) => { for (let i = lo; i < hi; i++) o[i] = 2 * x[i] + y[i]; }),
      piscina: () => Promise.all(Array.from({ length: chunks }, (_, k) =>
        piscina.run({ a: sa, b: sb, out: so, lo: k * len, hi: Math.min(n, (k + 1) * len) }))),
      js: impls.map.js,
    };
  }
  // map and reduce run each case BLOCK times in a row. The first call of a block follows a pause in which
  // every thread parked (cold: their CPUs idle); the others follow the same call ('…-warm', repeated
  // calls: the threads are still looking for work, options.lingerMicroseconds). Every case reads the same
  // arrays, so the cache holds the same data for each.
  const BLOCK = op === 'map' || op === 'reduce' ? 5 : 1;
  const pairs = BLOCK > 1;
  const set = impls[op];
  const times = Object.fromEntries(Object.keys(set).flatMap((k) => (pairs ? [[k, []], [`${k}-warm`, []]] : [[k, []]])));
  const names = Object.keys(set);
  for (let r = -2; r < reps; r++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(j + r + 2) % names.length], f = set[k];
      if (op === 'sort') a.set(pristine);
      await pause();
      const t0 = now();
      await f();
      const t = now() - t0;
      if (r >= 0) times[k].push(t);
      for (let b = 1; b < BLOCK; b++) {
        const t1 = now();
        await f();
        if (r >= 0) times[`${k}-warm`].push(now() - t1);
      }
      if (op === 'sort' && r === -1) {
        for (let i = 1; i < n; i++) if (a[i - 1] > a[i]) throw new Error(`sort (${k}): not sorted at ${i}`);
      }
    }
  }
  // Results agree (checked once): the 2-worker forms and the split without the runtime against the JS loop.
  for (const k of op === 'reduce' ? ['2w', '2t'] : []) {
    const [p, s] = [await set[k](), set.js()];
    if (!(Math.abs(p - s) < 1e-6 * n)) throw new Error(`reduce (${k}): ${p} vs JS ${s}`);
  }
  for (const k of op === 'map' ? ['2w', '2t'] : op === 'map-cb' ? ['2w'] : []) {
    out.fill(0);
    await set[k]();
    for (let i = 0; i < n; i += 997) if (out[i] !== Math.fround(2 * a[i] + b[i])) throw new Error(`${op} (${k}): out[${i}] = ${out[i]}`);
  }
  await bare?.close();
  await piscina?.destroy();
  await ex.close();
  const summary = (ts) => {
    const ms = median(ts);
    return { ms: +ms.toFixed(2), range: [+Math.min(...ts).toFixed(2), +Math.max(...ts).toFixed(2)], gbPerS: +((BYTES[op] * n) / (ms * 1e6)).toFixed(2) };
  };
  return { op, n, reps, linger, unsettled, ...Object.fromEntries(Object.entries(times).map(([k, ts]) => [k, summary(ts)])) };
}

export function report(res) {
  const rows = [];
  const verdict = [];
  for (const [c, r] of Object.entries(res)) {
    if (!r.ok) { rows.push([c, errorCell(r), '–', '–', '–', '–', r.bgCores]); continue; }
    const v = r.result;
    for (const warm of ['', '-warm']) {
      const base = v[`1t${warm}`], js = v[`js${warm}`];
      for (const k of ['2w', '2t', '1t', 'piscina', 'js'].map((c) => c + warm)) {
        if (!v[k]) continue;
        const label = {
          '2w': `beatflow, 2 workers${v.linger ? `, lingerMicroseconds ${LINGER_US}` : ''}`,
          '2t': `the same split without the runtime (this thread + 1 plain thread lingering ${v.linger ? LINGER_US / 1000 : 2} ms)`,
          '1t': 'same SIMD kernel, 1 thread', piscina: 'piscina, 2 threads, same chunks', js: 'JS loop, 1 thread',
        }[k.replace('-warm', '')];
        const ours = k.startsWith('2w') || k.startsWith('2t');
        rows.push([`${v.op}: ${label}${warm ? ', warm' : ''}`, `${v[k].ms} (${v[k].range[0]}–${v[k].range[1]})`, v[k].gbPerS,
          ours && base ? `${(base.ms / v[k].ms).toFixed(2)}×` : '–',
          ours ? `${(js.ms / v[k].ms).toFixed(2)}×` : '–',
          ours && v.piscina ? `${(v.piscina.ms / v[k].ms).toFixed(2)}×` : '–', r.bgCores]);
      }
      if ((v.op === 'map' || v.op === 'reduce') && base && v[`2w${warm}`]) {
        const s = base.ms / v[`2w${warm}`].ms, bare = v[`2t${warm}`] ? base.ms / v[`2t${warm}`].ms : NaN;
        verdict.push(`${v.op}${v.linger ? `, lingerMicroseconds ${LINGER_US}` : ''}${warm ? ', warm (calls 2–5 of 5 in a row)' : ', cold (a call after a pause)'}: ` +
          `2 workers = ${s.toFixed(2)}× one SIMD thread (target ≥ ${TARGET_2W}×: ${s >= TARGET_2W ? 'met' : 'NOT met'}); ` +
          `without the runtime ${bare.toFixed(2)}× (the runtime reaches ${((100 * s) / bare).toFixed(0)} % of it)` +
          (v.unsettled ? `; ${v.unsettled} pauses ended with a thread awake` : ''));
      }
    }
  }
  const n = Object.values(res).find((r) => r.ok)?.result.n ?? '';
  return [
    `## algorithms: ${n} f32, 2 workers vs the same kernel on 1 thread vs a JS loop (median ms, range; interleaved in one process)`,
    '',
    table(['case', 'ms', 'GB/s', '2w / SIMD 1 thread', '2w / JS loop', '2w / piscina', 'bg cores'], rows),
    '',
    ...verdict,
  ].join('\n');
}

childMain(import.meta.url, runCase);
