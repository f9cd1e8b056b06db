// gpu: the built-in GPU kernels (src/gpu/kernels/) against the CPU kernels, through the algorithms'
// `device` option, per kernel and size, in the same process, interleaved (one call of each in turn, the
// order turning every round):
//
//   map      transform(ex, [a, b], out, { op: 'axpy', s0: 2 })   out = 2·a + b: 12 bytes per element
//   reduce   reduce(ex, a, 'sum')                                 Σ a: 4 bytes per element
//   scan     inclusiveScan(ex, a, out, 'sum')                     prefix sums: 8 bytes per element
//   sort     sort(ex, out)                                        f32 keys, random (refilled untimed before each
//            call; the resident copy stays sorted, which a bitonic network does not notice): millions of keys/s
//   matmul   matmul(ex, a, b, out, n, n, n)                       square, f32: GFLOP/s (2·n³ per product); the
//            autotune runs first, once, and is reported apart
//   resident a chain of 3 GPU calls: y = 3·x, z = y + x, z = inclusive max-scan of z; arrays round-tripping
//            (every call uploads its inputs and reads its output back) vs resident (executor.gpu.resident:
//            nothing moves but one read(z) at the end, which is timed)
//   gputask  a WGSL dispatch (a[i] += 1) through executor.gpu.dispatch vs the same as a one-task graph
//            (gpuTask.task: the worker → host → worker hop and the run)
//
// Three ways for each kernel and matmul: CPU = 2 workers and the calling thread, Wasm SIMD (device:
// 'cpu'; for matmul the CPU twin); GPU = device: 'gpu' with the uploads, the submission and the readback
// of every call; GPU resident = device: 'gpu' over arrays made resident first (executor.gpu.resident),
// so only the kernel runs (a reduction reads back its one value). Sizes 2^10 … 2^24 (sort to 2^22: one
// bitonic sort of 2^24 keys takes about 25 s on llvmpipe), --quick 2^10, 2^14, 2^18; matmul 64 … 2048,
// --quick 64, 256. Each size: warm-up calls of each, then rounds; medians. GB/s counts the bytes a kernel
// must read and write once. When the adapter is a card bench/gpu-peaks.mjs knows, the figures are also
// given as a share of its bandwidth or FP32 peak; a software adapter (llvmpipe, SwiftShader) runs the WGSL
// on the same CPUs, so its figures measure the lane and the kernels, not a GPU. Without an adapter the
// case reports why and measures nothing.
import { childMain, table, errorCell, now, loadBeatflow, median as med } from './lib.mjs';
import { peakOf } from './gpu-peaks.mjs';

export const cases = () => ['map', 'reduce', 'scan', 'sort', 'matmul', 'resident', 'gputask'];
export const timeoutS = ({ quick }) => (quick ? 90 : 600);

const KERNELS = ['map', 'reduce', 'scan', 'sort'];
const VARIANTS = ['cpu', 'gpu', 'res'];
/** Bytes a kernel reads and writes once, per element. */
const BYTES = { map: 12, reduce: 4, scan: 8 };
const sizes = (name, quick) => (quick ? [10, 14, 18] : [10, 12, 14, 16, 18, 20, 22, 24]).filter((k) => name !== 'sort' || k <= 22).map((k) => 2 ** k);
const reps = (n, quick) => (n >= 1 << 22 ? 3 : n >= 1 << 18 ? 5 : quick ? 7 : 15);

/** Runs `calls[v]()` for every variant, `rounds` times after `warm` untimed rounds, turning the order; medians by variant. */
async function interleave(calls, { rounds, warm, prep = () => {} }) {
  const t = Object.fromEntries(Object.keys(calls).map((v) => [v, []]));
  const order = Object.keys(calls);
  for (let r = 0; r < warm + rounds; r++) {
    for (let i = 0; i < order.length; i++) {
      const v = order[(i + r) % order.length];
      prep(v);
      const t0 = now();
      await calls[v]();
      if (r >= warm) t[v].push(now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([v, xs]) => [v, +med(xs).toFixed(3)]));
}

export async function runCase(name, { quick }) {
  if (!cases().includes(name)) throw new Error(`unknown case '${name}' (cases: ${cases().join(', ')})`);
  const bf = await loadBeatflow();
  const ex = await bf.Executor.create({ workers: 2, gpu: true });
  try {
    if (!ex.gpu.available) return { kernel: name, skipped: ex.gpu.reason };
    const g = ex.gpu;
    const head = { kernel: name, adapter: `${g.adapter.device || g.adapter.description || `${g.adapter.vendor} ${g.adapter.architecture}`} (${g.backend}, ${g.featureLevel})`, software: g.software, peak: peakOf(g.adapter) };
    if (name === 'matmul') return { ...head, matmul: await matmul(ex, bf, quick) };
    if (name === 'gputask') return { ...head, rows: await gpuTaskHop(ex, bf, quick) };
    if (name === 'resident') return { ...head, rows: await residentChain(ex, bf, quick) };
    return { ...head, rows: await kernel(ex, bf, name, quick) };
  } finally {
    await ex.close();
  }
}

/** One kernel at every size, in its three variants. */
async function kernel(ex, bf, name, quick) {
  const rows = [];
  for (const n of sizes(name, quick)) {
    const make = () => {
      const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n), out = ex.shared(Float32Array, n);
      for (let i = 0; i < n; i++) { a[i] = (i % 1000) / 1000; b[i] = Math.sin(i) * 1e4; }
      return { a, b, out };
    };
    const plain = make(), res = make();
    for (const x of Object.values(res)) ex.gpu.resident(x);
    const call = {
      map: ({ a, b, out }, device) => bf.transform(ex, [a, b], out, { op: 'axpy', s0: 2 }, { device }),
      reduce: ({ a }, device) => bf.reduce(ex, a, 'sum', { device }),
      scan: ({ a, out }, device) => bf.inclusiveScan(ex, a, out, 'sum', { device }),
      sort: ({ out }, device) => bf.sort(ex, out, { device }),
    }[name];
    if (name === 'sort') res.out.set(res.b), ex.gpu.invalidate(res.out);
    const long = name === 'sort' && n >= 1 << 22;   // seconds per GPU call on a software adapter
    const ms = await interleave({ cpu: () => call(plain, 'cpu'), gpu: () => call(plain, 'gpu'), res: () => call(res, 'gpu') }, {
      rounds: long ? 2 : reps(n, quick), warm: long ? 0 : n >= 1 << 22 ? 1 : 2, prep: (v) => { if (name === 'sort' && v !== 'res') plain.out.set(plain.b); },
    });
    rows.push({ n, ...ms });
    for (const x of Object.values(res)) ex.gpu.release(x);
    for (const x of [...Object.values(plain), ...Object.values(res)]) ex.free(x);
  }
  return rows;
}

/** Square products in three variants; the autotune first, on its own. */
async function matmul(ex, bf, quick) {
  const rows = [];
  const probe = [1, 1, 1].map(() => ex.shared(Float32Array, 64 * 64));
  const first = await ex.gpu.matmul(probe[0], probe[1], probe[2], 64, 64, 64);
  const tuning = { tuneMs: +first.tuneMs.toFixed(0), shape: `${first.tile}/${first.depth}/${first.workgroupSize.join('x')}`, timings: first.timings };
  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024, 2048]) {
    const make = () => {
      const a = ex.shared(Float32Array, n * n), b = ex.shared(Float32Array, n * n), out = ex.shared(Float32Array, n * n);
      for (let i = 0; i < n * n; i++) { a[i] = Math.sin(i); b[i] = Math.cos(i); }
      return { a, b, out };
    };
    const plain = make(), res = make();
    for (const x of Object.values(res)) ex.gpu.resident(x);
    const run = ({ a, b, out }, device) => bf.matmul(ex, a, b, out, n, n, n, { device });
    const ms = await interleave({ cpu: () => run(plain, 'cpu'), gpu: () => run(plain, 'gpu'), res: () => run(res, 'gpu') },
      { rounds: n >= 2048 ? 1 : n >= 1024 ? 2 : n >= 512 ? 3 : 5, warm: n >= 2048 ? 0 : 1 });
    rows.push({ n, ...ms });
    for (const x of Object.values(res)) ex.gpu.release(x);
    for (const x of [...Object.values(plain), ...Object.values(res)]) ex.free(x);
  }
  return { rows, tuning };
}

/** The 3-kernel chain, round-tripping vs resident, interleaved; medians. */
async function residentChain(ex, bf, quick) {
  const rows = [];
  const gpu = { device: 'gpu' };
  for (const n of (quick ? [10, 14, 18] : [10, 14, 18, 20, 22]).map((k) => 2 ** k)) {
    const make = () => [ex.shared(Float32Array, n), ex.shared(Float32Array, n), ex.shared(Float32Array, n)];
    const rt = make(), rs = make();
    for (let i = 0; i < n; i++) rt[0][i] = rs[0][i] = Math.sin(i);
    for (const a of rs) ex.gpu.resident(a);
    const chain = async ([x, y, z]) => {
      await bf.transform(ex, x, y, { op: 'scale', s0: 3 }, gpu);
      await bf.transform(ex, [y, x], z, 'add', gpu);
      await bf.inclusiveScan(ex, z, z, 'max', gpu);
    };
    const ms = await interleave({ rt: () => chain(rt), rs: async () => { await chain(rs); await ex.gpu.read(rs[2]); } }, { rounds: reps(n, quick), warm: 2 });
    rows.push({ n, ...ms });
    for (const a of [...rt, ...rs]) { ex.gpu.release(a); ex.free(a); }
  }
  return rows;
}

const ADD1 = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] + 1.0; } }`;

/** A dispatch direct vs as a one-task graph, interleaved; medians. */
async function gpuTaskHop(ex, bf, quick) {
  const rows = [];
  for (const n of quick ? [2 ** 10, 2 ** 16] : [2 ** 10, 2 ** 14, 2 ** 18, 2 ** 20]) {
    const a = ex.shared(Float32Array, n);
    const spec = { code: ADD1, workgroups: [Math.ceil(n / 256)], bindings: { a } };
    const tf = new bf.Taskflow('gpu task');
    bf.gpuTask.task(tf, spec);
    const ms = await interleave({ d: () => ex.gpu.dispatch(spec), g: () => ex.run(tf) }, { rounds: n >= 1 << 20 ? 15 : 41, warm: 4 });
    rows.push({ n, ...ms });
    ex.free(a);
  }
  return rows;
}

// ---- the report ----

const pow = (n) => `2^${Math.log2(n)}`;
const x = (a, b) => (a > 0 && b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×` : '–');
const gbs = (bytes, ms) => (ms > 0 ? +(bytes / ms / 1e6).toFixed(2) : '–');
const pct = (v, peak) => (typeof v === 'number' && peak ? `${(100 * v / peak).toFixed(v / peak >= 0.1 ? 0 : 2)} %` : '–');

/** What the adapter is, and what its figures mean. */
function adapterLine(v) {
  if (v.peak) return `adapter ${v.adapter}: ${v.peak.card}, peak ${v.peak.tflops} TFLOP/s FP32 and ${v.peak.gbs} GB/s (bench/gpu-peaks.mjs)`;
  if (v.software) return `adapter ${v.adapter}: a **software adapter** (the WGSL runs on the CPUs the CPU side uses): no share of a card's peak applies`;
  return `adapter ${v.adapter}: not in bench/gpu-peaks.mjs, so no share of its peak is given`;
}

export function report(res) {
  const kernels = [], matmuls = [], others = [], notes = [];
  let line = '';
  for (const [c, r] of Object.entries(res)) {
    if (!r.ok) { notes.push(`${c}: ${errorCell(r)}`); continue; }
    const v = r.result;
    if (v.skipped) { notes.push(`${c}: no GPU: ${v.skipped}`); continue; }
    line ||= adapterLine(v);
    const peak = v.peak;
    if (v.matmul) {
      for (const m of v.matmul.rows) {
        const gf = (ms) => +(2 * m.n ** 3 / ms / 1e6).toFixed(2);
        matmuls.push([`${m.n}³`, m.cpu, gf(m.cpu), m.gpu, gf(m.gpu), m.res, gf(m.res), x(m.gpu, m.cpu), pct(gf(m.res) / 1000, peak?.tflops), r.bgCores]);
      }
      const t = v.matmul.tuning;
      notes.push(`matmul autotune: ${t.tuneMs} ms, chose ${t.shape}; ms per shape on 256³: ${Object.entries(t.timings).map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', ')}`);
    } else if (KERNELS.includes(v.kernel)) {
      for (const m of v.rows) {
        const rate = (ms) => (v.kernel === 'sort' ? `${(m.n / ms / 1e3).toFixed(1)} Mkeys/s` : `${gbs(BYTES[v.kernel] * m.n, ms)} GB/s`);
        const share = v.kernel === 'sort' ? '–' : pct(gbs(BYTES[v.kernel] * m.n, m.res), peak?.gbs);
        kernels.push([v.kernel, pow(m.n), `${m.cpu} (${rate(m.cpu)})`, `${m.gpu} (${rate(m.gpu)})`, `${m.res} (${rate(m.res)})`, x(m.gpu, m.cpu), x(m.res, m.cpu), share, r.bgCores]);
      }
    } else if (v.kernel === 'resident') {
      for (const m of v.rows) others.push(['resident chain', pow(m.n), `round trip ${m.rt}`, `resident ${m.rs}`, x(m.rs, m.rt), r.bgCores]);
    } else {
      for (const m of v.rows) others.push(['gputask', pow(m.n), `dispatch ${m.d}`, `graph task ${m.g}`, `+${(m.g - m.d).toFixed(3)} ms`, r.bgCores]);
    }
  }
  const out = [`## gpu: CPU kernels vs GPU kernels, f32${line ? `; ${line}` : ''}`, '',
    'CPU: 2 workers + the calling thread, Wasm SIMD. GPU: device \'gpu\', uploads and readback included. GPU resident: the arrays made resident first. Medians, ms.', ''];
  if (kernels.length) out.push(table(['kernel', 'n', 'CPU ms', 'GPU ms', 'GPU resident ms', 'GPU / CPU', 'resident / CPU', 'resident, share of bandwidth', 'bg cores'], kernels), '');
  if (matmuls.length) out.push(table(['matmul', 'CPU twin ms', 'GFLOP/s', 'GPU ms', 'GFLOP/s', 'GPU resident ms', 'GFLOP/s', 'GPU / CPU', 'resident, share of FP32 peak', 'bg cores'], matmuls), '');
  if (others.length) out.push(table(['case', 'n', 'ms', 'ms', 'ratio', 'bg cores'], others), '');
  if (notes.length) out.push(notes.map((s) => `- ${s}`).join('\n'));
  return out.join('\n');
}

childMain(import.meta.url, runCase);
