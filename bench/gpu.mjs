// gpu: the built-in GPU kernels (src/gpu/kernels/) against the CPU kernels, through the algorithms'
// `device` option, per kernel and size, in the same process, interleaved (one call of each in turn):
//
//   map      transform(ex, [a, b], out, { op: 'axpy', s0: 2 })   out = 2·a + b
//   reduce   reduce(ex, a, 'sum')                                 Σ a
//   scan     inclusiveScan(ex, a, out, 'sum')                     prefix sums
//   sort     sort(ex, out)                                        f32 keys, random (refilled untimed before each call); up to 2^20
//   resident a chain of 3 GPU calls: y = 3·x, z = y + x, z = inclusive max-scan of z; arrays round-tripping
//            (every call uploads its inputs and reads its output back) vs resident (executor.gpu.resident:
//            nothing moves but one read(z) at the end, which is timed); the "CPU ms" column is the round trip
//   gputask  a WGSL dispatch (a[i] += 1) through executor.gpu.dispatch vs the same as a one-task graph
//            (gpuTask.task: the worker → host → worker hop and the run); the "CPU ms" column is the direct call
//   matmul   executor.gpu.matmul(a, b, out, n, n, n)              square, n = 64 … 1024 (--quick: 64, 256); GFLOP/s
//            with transfers, the autotune's shape (its one-off cost is reported, not timed); no CPU twin:
//            a plain JS i-k-j loop on one thread up to 512 is the reference beside it
//
// CPU: 2 workers and the calling thread, Wasm SIMD (device: 'cpu'). GPU: device: 'gpu', including the
// uploads, the submission and the readback of every call (arrays are not resident yet). f32, sizes
// 2^10 … 2^22 (--quick: 2^10, 2^14, 2^18). Each size: 2 warm-up calls of each, then REPS rounds; medians.
// Without an adapter the case reports why and measures nothing.
import { childMain, table, errorCell, now, loadBeatflow } from './lib.mjs';

export const cases = () => ['map', 'reduce', 'scan', 'sort', 'resident', 'gputask', 'matmul'];
export const timeoutS = ({ quick }) => (quick ? 60 : 300);

const sizes = (quick) => (quick ? [10, 14, 18] : [10, 12, 14, 16, 18, 20, 22]).map((k) => 2 ** k);
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };

export async function runCase(name, { quick }) {
  if (!cases().includes(name)) throw new Error(`unknown case '${name}' (cases: ${cases().join(', ')})`);
  const bf = await loadBeatflow();
  const ex = await bf.Executor.create({ workers: 2, gpu: true });
  try {
    if (!ex.gpu.available) return { kernel: name, skipped: ex.gpu.reason };
    const adapter = `${ex.gpu.adapter.device || ex.gpu.adapter.description} (${ex.gpu.backend}, ${ex.gpu.featureLevel})`;
    if (name === 'matmul') return { kernel: name, adapter, software: /llvmpipe|lavapipe|swiftshader/i.test(adapter), matmul: await matmul(ex, quick) };
    if (name === 'gputask') return { kernel: name, adapter, software: /llvmpipe|lavapipe|swiftshader/i.test(adapter), rows: await gpuTaskHop(ex, bf, quick) };
    if (name === 'resident') return { kernel: name, adapter, software: /llvmpipe|lavapipe|swiftshader/i.test(adapter), rows: await resident(ex, bf, quick) };
    const rows = [];
    for (const n of sizes(quick).filter((k) => name !== 'sort' || k <= 2 ** 20)) {
      const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n), out = ex.shared(Float32Array, n);
      for (let i = 0; i < n; i++) { a[i] = (i % 1000) / 1000; b[i] = Math.sin(i) * 1e4; }
      const call = {
        map: (device) => bf.transform(ex, [a, b], out, { op: 'axpy', s0: 2 }, { device }),
        reduce: (device) => bf.reduce(ex, a, 'sum', { device }),
        scan: (device) => bf.inclusiveScan(ex, a, out, 'sum', { device }),
        sort: (device) => bf.sort(ex, out, { device }),
      }[name];
      const prep = name === 'sort' ? () => out.set(b) : () => {};
      const reps = n >= 1 << 20 ? 5 : quick ? 7 : 15;
      const t = { cpu: [], gpu: [] };
      for (let r = 0; r < reps + 2; r++) {
        for (const device of r % 2 ? ['gpu', 'cpu'] : ['cpu', 'gpu']) {
          prep();
          const t0 = now();
          await call(device);
          if (r >= 2) t[device].push(now() - t0);
        }
      }
      rows.push({ n, cpuMs: +med(t.cpu).toFixed(3), gpuMs: +med(t.gpu).toFixed(3) });
      ex.free(a); ex.free(b); ex.free(out);
    }
    return { kernel: name, adapter, software: /llvmpipe|lavapipe|swiftshader/i.test(adapter), rows };
  } finally {
    await ex.close();
  }
}

/** The 3-kernel chain, round-tripping vs resident, interleaved; medians. cpuMs holds the round trip. */
async function resident(ex, bf, quick) {
  const rows = [];
  const gpu = { device: 'gpu' };
  for (const n of sizes(quick)) {
    const make = () => [ex.shared(Float32Array, n), ex.shared(Float32Array, n), ex.shared(Float32Array, n)];
    const rt = make(), rs = make();
    for (let i = 0; i < n; i++) rt[0][i] = rs[0][i] = Math.sin(i);
    for (const a of rs) ex.gpu.resident(a);
    const chain = async ([x, y, z]) => {
      await bf.transform(ex, x, y, { op: 'scale', s0: 3 }, gpu);
      await bf.transform(ex, [y, x], z, 'add', gpu);
      await bf.inclusiveScan(ex, z, z, 'max', gpu);
    };
    const reps = n >= 1 << 20 ? 5 : quick ? 7 : 15, t = { rt: [], rs: [] };
    for (let r = 0; r < reps + 2; r++) {
      for (const k of r % 2 ? ['rs', 'rt'] : ['rt', 'rs']) {
        const t0 = now();
        if (k === 'rt') await chain(rt);
        else { await chain(rs); await ex.gpu.read(rs[2]); }
        if (r >= 2) t[k].push(now() - t0);
      }
    }
    rows.push({ n, cpuMs: +med(t.rt).toFixed(3), gpuMs: +med(t.rs).toFixed(3) });
    for (const a of [...rt, ...rs]) { ex.gpu.release(a); ex.free(a); }
  }
  return rows;
}

const ADD1 = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] + 1.0; } }`;

/** A dispatch direct vs as a one-task graph, interleaved; medians. cpuMs holds the direct call. */
async function gpuTaskHop(ex, bf, quick) {
  const rows = [];
  for (const n of quick ? [2 ** 10, 2 ** 16] : [2 ** 10, 2 ** 14, 2 ** 18, 2 ** 20]) {
    const a = ex.shared(Float32Array, n);
    const spec = { code: ADD1, workgroups: [Math.ceil(n / 256)], bindings: { a } };
    const tf = new bf.Taskflow('gpu task');
    bf.gpuTask.task(tf, spec);
    const reps = n >= 1 << 20 ? 15 : 41, t = { d: [], g: [] };
    for (let r = 0; r < reps + 4; r++) {
      for (const k of r % 2 ? ['g', 'd'] : ['d', 'g']) {
        const t0 = now();
        if (k === 'd') await ex.gpu.dispatch(spec); else await ex.run(tf);
        if (r >= 4) t[k].push(now() - t0);
      }
    }
    rows.push({ n, cpuMs: +med(t.d).toFixed(3), gpuMs: +med(t.g).toFixed(3) });
    ex.free(a);
  }
  return rows;
}

/** Square products on the GPU (median of a few, after one warm call that also tunes) and in plain JS. */
async function matmul(ex, quick) {
  const rows = [];
  let tuning;
  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024]) {
    const a = ex.shared(Float32Array, n * n), b = ex.shared(Float32Array, n * n), out = ex.shared(Float32Array, n * n);
    for (let i = 0; i < n * n; i++) { a[i] = Math.sin(i); b[i] = Math.cos(i); }
    const first = await ex.gpu.matmul(a, b, out, n, n, n);
    if (first.tuneMs > 0) tuning = { tuneMs: +first.tuneMs.toFixed(0), timings: first.timings };
    const reps = n >= 1024 ? 2 : n >= 512 ? 3 : 5, t = [];
    let shape = '';
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      const rep = await ex.gpu.matmul(a, b, out, n, n, n);
      t.push(now() - t0);
      shape = `${rep.tile}/${rep.depth}/${rep.workgroupSize.join('x')}`;
    }
    let jsMs = null;
    if (n <= 512) {
      const c = new Float32Array(n * n), t0 = now();
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) { const x = a[i * n + l]; for (let j = 0; j < n; j++) c[i * n + j] += x * b[l * n + j]; }
      jsMs = +(now() - t0).toFixed(2);
    }
    const ms = med(t), flop = 2 * n ** 3;
    rows.push({ n, gpuMs: +ms.toFixed(2), gflops: +(flop / ms / 1e6).toFixed(3), shape, jsMs, jsGflops: jsMs && +(flop / jsMs / 1e6).toFixed(3) });
    ex.free(a); ex.free(b); ex.free(out);
  }
  return { rows, tuning };
}

export function report(res) {
  const rows = [];
  let adapter = '';
  for (const [c, r] of Object.entries(res)) {
    if (!r.ok) { rows.push([c, errorCell(r), '–', '–', '–', r.bgCores]); continue; }
    const v = r.result;
    if (v.skipped) { rows.push([c, `no GPU: ${v.skipped}`, '–', '–', '–', r.bgCores]); continue; }
    adapter = v.adapter;
    if (v.matmul) {
      for (const x of v.matmul.rows) rows.push([c, `${x.n}³ (${x.shape})`, x.jsMs ?? '–', x.gpuMs, `${x.gflops} GFLOP/s (JS ${x.jsGflops ?? '–'})`, r.bgCores]);
      if (v.matmul.tuning) rows.push([c, `autotune ${v.matmul.tuning.tuneMs} ms`, '–', '–', JSON.stringify(v.matmul.tuning.timings), r.bgCores]);
      continue;
    }
    for (const x of v.rows) {
      rows.push([c, `2^${Math.log2(x.n)}`, x.cpuMs, x.gpuMs, `${(x.gpuMs / x.cpuMs).toFixed(x.gpuMs / x.cpuMs >= 10 ? 0 : 2)}×`, r.bgCores]);
    }
  }
  return `## gpu: built-in GPU kernels vs the CPU kernels, f32${adapter ? `, adapter ${adapter}` : ''}\n\n` +
    'CPU: 2 workers + the calling thread, Wasm SIMD. GPU: including uploads and readback.\n\n' +
    table(['kernel', 'n', 'CPU ms', 'GPU ms', 'GPU / CPU time', 'bg cores'], rows);
}

childMain(import.meta.url, runCase);
