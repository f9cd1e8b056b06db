// The GPU kernel checks every GPU lane runs: Node on Dawn (test/gpu-kernels.test.mjs: llvmpipe through
// OpenGL ES where there is no GPU) and headless Chromium on navigator.gpu (test/lane-chromium-gpu.test.mjs:
// SwiftShader). The built-in kernels against the CPU kernels through the algorithms' `device` option —
// map (17 ops × f32/i32/u32), reduce, scan, sort, matmul — over sizes that cross workgroup, tree and
// block boundaries, with NaN, ±0, ±Inf and denormals, each within the bound docs/gpu.md states; the
// dispatch API over user WGSL; and bad input: WGSL that does not compile, a missing or mistyped binding,
// calls no kernel takes. Plain JavaScript with no imports: a lane passes the beatflow namespace its
// runtime's entry gave it and an executor with a device; each check throws an Error saying what differed.
//
//   gpuChecks(bf, ex, { sizes: 'full' | 'lane' }) → [{ name, run() }]
//
// 'lane' trims the largest sizes so a lane on a slower software adapter stays within its time budget:
// the sizes still cross every workgroup and block boundary, and the first level of the multi-pass kernels
// (reduce's second pass, the scan's second level, the sort's merges across blocks), not the deeper ones.

const U = 2 ** -24;
const TYPES = { f32: Float32Array, i32: Int32Array, u32: Uint32Array };
const f32 = new Float32Array(1), bits = new Int32Array(f32.buffer);
/** Distance in f32 ulps (through the order-preserving integer key of the bits). */
const ulps = (x, y) => {
  const key = (v) => { f32[0] = v; const b = bits[0]; return b < 0 ? -(b & 0x7fffffff) : b; };
  return Math.abs(key(x) - key(y));
};
const same = (x, y) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

function ok(cond, what) { if (!cond) throw new Error(what); }
function is(got, want, what) { if (!same(got, want)) throw new Error(`${what}: got ${got}, want ${want}`); }
function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}
async function rejection(p) {
  try { await p; } catch (e) { return e; }
  throw new Error('expected a rejection, but the promise resolved');
}
function matches(e, re, what) { ok(re.test(e?.message ?? ''), `${what}: ${e?.message ?? e} does not match ${re}`); }

// Sizes per check: 'full' as the Node lane runs them, 'lane' without the largest.
const SIZES = {
  map: { full: [0, 1, 63, 255, 256, 257, 1023, 65537], lane: [0, 1, 63, 256, 257, 4097] },
  reduce: { full: [0, 1, 2, 255, 2047, 2048, 2049, 4097, (1 << 16) + 1, 1 << 20], lane: [0, 1, 255, 2048, 2049, (1 << 16) + 1] },
  scan: { full: [0, 1, 511, 512, 513, 1025, 512 * 512 + 1, 1 << 20], lane: [0, 1, 511, 512, 513, 4097] },
  sort: { full: [0, 1, 2, 3, 127, 255, 256, 257, 511, 512, 513, 1023, 1025, 4097, 65535, 65537, 100_003, 1 << 20], lane: [0, 1, 3, 255, 257, 512, 513, 1025, 4097] },
  dispatch: { full: [0, 1, 63, 64, 65, 255, 256, 257, 1023, 1025, (1 << 16) - 1, (1 << 16) + 1, 1 << 20], lane: [0, 1, 63, 65, 257, 1025, (1 << 16) + 1] },
};

const ARITY = { copy: 1, add: 2, sub: 2, mul: 2, div: 2, fma: 3, scale: 1, axpy: 2, offset: 1, abs: 1, neg: 1, min: 2, max: 2, clamp: 1, sqrt: 1, exp: 1, log: 1 };
const FLOAT_ONLY = ['div', 'sqrt', 'exp', 'log'];
const SCALARS = { f32: [1.5, 2.25], i32: [-7, 3], u32: [3, 1 << 20] };
/**
 * Ops whose results WGSL does not fix bit for bit (docs/gpu.md): whether the GPU's g is close enough to
 * the CPU kernels' c for input x. WGSL's bounds (div 2.5 ulp, sqrt as inverseSqrt's 2 ulp, exp 3 + 2·|x|
 * ulp, log 3 ulp or 2^-21 absolute on [0.5, 2]), plus 3 ulp for the CPU kernels' own exp / log (≤ 1.5e-7
 * relative); fma: one rounding instead of two.
 */
const LOOSE = {
  div: (x, c, g) => ulps(c, g) <= 3, sqrt: (x, c, g) => ulps(c, g) <= 3, fma: (x, c, g) => ulps(c, g) <= 1,
  exp: (x, c, g) => ulps(c, g) <= 6 + 2 * Math.abs(x),
  log: (x, c, g) => (x >= 0.5 && x <= 2 ? Math.abs(c - g) <= 2 ** -21 + 3 * U : ulps(c, g) <= 6),
};
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1.4e-45, 3.4e38, -3.4e38, 1, -1];
/** The ops as JS computes them in f64, for the f32 result of inputs a device flushed (Math.fround of it). */
const REF = {
  copy: (a) => a, abs: Math.abs, neg: (a) => -a, min: Math.min, max: Math.max, clamp: (a) => Math.min(Math.max(a, -1), 1),
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, sqrt: Math.sqrt, exp: Math.exp, log: Math.log,
};
const denormal = (v) => v !== 0 && Math.abs(v) < 2 ** -126;
/** A denormal flushed to a zero of its sign, as WGSL lets a device do with inputs and results. */
const flush = (v) => (denormal(v) ? (v < 0 ? -0 : 0) : v);

const DOUBLE = `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] * 2.0; }
}`;
// y = p.a * x + y, with the scalar in a uniform.
const SAXPY = `
struct Params { a: f32, pad0: f32, pad1: f32, pad2: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(256)
fn saxpy(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * 65535u * 256u;
  if (i < arrayLength(&y)) { y[i] = p.a * x[i] + y[i]; }
}`;
/** Workgroups of `size` covering n items, spread over y when x would pass the per-dimension limit. */
const groups = (n, size) => {
  const g = Math.max(1, Math.ceil(n / size));
  return g <= 65535 ? [g] : [65535, Math.ceil(g / 65535)];
};

export function gpuChecks(bf, ex, { sizes = 'full' } = {}) {
  const { transform, reduce, transformReduce, inclusiveScan, exclusiveScan, sort, matmul, GpuShaderError } = bf;
  const gpu = ex.gpu;
  const CPU = { device: 'cpu' }, GPU = { device: 'gpu' };
  const size = (k) => SIZES[k][sizes];

  // A deterministic generator: values of every sign and a few magnitudes, plus the special values.
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  function fill(a, dtype, special) {
    for (let i = 0; i < a.length; i++) {
      if (dtype === 'f32') a[i] = special && i % 7 === 0 ? SPECIAL[(i / 7) % SPECIAL.length] : (rnd() - 0.4) * 2 ** Math.floor(rnd() * 12 - 4);
      else if (dtype === 'i32') a[i] = (rnd() * 2 ** 32) | 0;
      else a[i] = (rnd() * 2 ** 32) >>> 0;
    }
    return a;
  }
  const arrays = (dtype, n, count, special = false) => Array.from({ length: count }, () => fill(ex.shared(TYPES[dtype], n), dtype, special));
  const free = (...xs) => { for (const a of xs) ex.free(a); };

  const NAN_BITS = [0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345, 0x7fffffff];
  const SPECIAL_BITS = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x80000001, 0x007fffff, 0x3f800000, 0xbf800000];
  /** n sort keys of dtype: random, with repeats, and for f32 the special values and NaNs of several payloads. */
  function keys(dtype, n) {
    const a = ex.shared(TYPES[dtype], n);
    const u = new Uint32Array(a.buffer, a.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      if (dtype === 'f32' && r < 0.05) u[i] = NAN_BITS[i % NAN_BITS.length];
      else if (dtype === 'f32' && r < 0.15) u[i] = SPECIAL_BITS[i % SPECIAL_BITS.length];
      else if (r < 0.25) u[i] = [0, 0xffffffff, 0x80000000, 0x7fffffff][i % 4];
      else if (r < 0.4) u[i] = (rnd() * 16) >>> 0;
      else if (dtype === 'f32') a[i] = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20);
      else u[i] = (rnd() * 2 ** 32) >>> 0;
    }
    return a;
  }
  /** The first index where a and b differ in their bits, or -1. */
  function differs(a, b) {
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
    return -1;
  }

  const checks = [];
  const check = (name, run) => checks.push({ name, run });

  check('an adapter is found and described; compute limits asked for at the adapter\'s values', () => {
    ok(['core', 'compatibility'].includes(gpu.featureLevel), `featureLevel ${gpu.featureLevel}`);
    ok(typeof gpu.backend === 'string', 'backend');
    ok(gpu.adapter.device || gpu.adapter.description || gpu.adapter.vendor, 'the adapter names itself');
    ok(gpu.limits.maxStorageBufferBindingSize >= 1 << 27, `storage bindings of 128 MiB: ${gpu.limits.maxStorageBufferBindingSize}`);
    ok(gpu.limits.maxComputeWorkgroupSizeX >= 256 && gpu.limits.maxComputeInvocationsPerWorkgroup >= 256,
      `workgroups past the compat default of 128: ${gpu.limits.maxComputeWorkgroupSizeX}`);
    ok(Array.isArray(gpu.tried), 'tried');
  });

  check('dispatch: doubling equals the CPU over sizes across workgroups and the per-dimension limit', async () => {
    for (const n of size('dispatch')) {
      const a = ex.shared(Float32Array, n);
      for (let i = 0; i < n; i++) a[i] = (i % 1000) - 500.5;
      const want = Float32Array.from(a, (v) => v * 2);
      const r = await gpu.dispatch({ code: DOUBLE, workgroups: groups(n, 64), bindings: { a } });
      const at = differs(a, want);
      ok(at < 0, `n = ${n} [${at}]: ${a[at]}, want ${want[at]}`);
      is(r.bytesDown, n * 4, `n = ${n}: bytes read back`);
      free(a);
    }
  });

  check('dispatch: saxpy with a uniform; read-only inputs are not written back; several in flight at once', async () => {
    for (const n of [1, 257, 65537]) {
      const x = ex.shared(Float32Array, n), y = ex.shared(Float32Array, n);
      for (let i = 0; i < n; i++) { x[i] = i % 997; y[i] = (i % 13) - 6; }
      const want = Float32Array.from(y, (v, i) => 2.5 * x[i] + v);   // exact in f32 for these values
      const xBefore = x.slice();
      await gpu.dispatch({ code: SAXPY, entryPoint: 'saxpy', workgroups: groups(n, 256), bindings: { x, y, p: { uniform: new Float32Array([2.5, 0, 0, 0]) } } });
      is(differs(y, want), -1, `saxpy n = ${n}: first difference`);
      is(differs(x, xBefore), -1, `saxpy n = ${n}: x written`);
      free(x, y);
    }
    const many = [1000, 1000, 5000, 64].map((n, k) => Int32Array.from({ length: n }, (_, i) => i * (k + 1)));
    const code = DOUBLE.replace('array<f32>', 'array<i32>').replace('* 2.0', '* 2');
    const wants = many.map((a) => a.map((v) => v * 2));
    await Promise.all(many.map((a) => gpu.dispatch({ code, workgroups: groups(a.length, 64), bindings: { a } })));
    many.forEach((a, k) => is(differs(a, wants[k]), -1, `array ${k} in flight`));
  });

  check('bad input to dispatch: WGSL that does not compile (GpuShaderError, its line), a binding missing, unknown or mistyped', async () => {
    const e = await rejection(gpu.dispatch({ label: 'broken', code: DOUBLE.replace('a[id.x] * 2.0', 'a[id.x] * flot(2)'), workgroups: [1], bindings: {} }));
    ok(e instanceof GpuShaderError, `a GpuShaderError, got ${e?.name}: ${e?.message}`);
    matches(e, /^beatflow: executor\.gpu\.dispatch\(\{ label: 'broken' \}\): the WGSL did not compile: line 5:\d+: .*flot/, 'invalid WGSL');
    is(e.errors[0].line, 5, 'the line of the first error');
    const x = new Float32Array(4), y = new Float32Array(4), p = { uniform: new Float32Array(4) };
    const cases = [
      [{ x, p }, /bindings\.y is missing: the WGSL declares 'y' \(storage\)/],
      [{ x, y, p, z: y }, /bindings\.z is not declared by the WGSL \(it declares: x, y, p\)/],
      [{ x: new Float64Array(4), y, p }, /bindings\.x must be a Float32Array, Int32Array or Uint32Array \(executor\.shared\(\)\) \(got Float64Array/],
      [{ x: new Int32Array(4), y, p }, /bindings\.x must be an array of f32 \(the WGSL declares array<f32>\)/],
      [{ x, y, p: new Float32Array(4) }, /bindings\.p must be \{ uniform: /],
    ];
    for (const [bindings, message] of cases) {
      const b = await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1], bindings }));
      ok(b instanceof TypeError, `a TypeError, got ${b?.name}`);
      matches(b, message, 'binding');
    }
    matches(await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1], bindings: { x, y, p }, read: ['x'] })), /read lists "x", which is declared read-only-storage/, 'read');
    matches(await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1.5], bindings: { x, y, p } })), /workgroups must be \[x, y\?, z\?\] of integers from 0 to \d+ \(got \[1\.5\]\)/, 'workgroups');
  });

  check('map: the 17 ops over f32, i32, u32 at sizes across workgroups: bit for bit, or within the documented ulps', async () => {
    for (const [op, arity] of Object.entries(ARITY)) {
      for (const dtype of ['f32', 'i32', 'u32']) {
        if (dtype !== 'f32' && FLOAT_ONLY.includes(op)) continue;
        const [s0, s1] = op === 'clamp' ? SCALARS[dtype].slice().sort((x, y) => x - y) : SCALARS[dtype];
        for (const n of size('map')) {
          const ins = arrays(dtype, n, arity, false);
          const c = ex.shared(TYPES[dtype], n), g = ex.shared(TYPES[dtype], n);
          const spec = { op, s0, s1 };
          await transform(ex, arity === 1 ? ins[0] : ins, c, spec, CPU);
          await transform(ex, arity === 1 ? ins[0] : ins, g, spec, GPU);
          for (let i = 0; i < n; i++) {
            if (same(c[i], g[i])) continue;
            if (!(dtype === 'f32' && LOOSE[op]?.(ins[0][i], c[i], g[i]))) throw new Error(`${op} ${dtype} n=${n} [${i}] (${ins.map((a) => a[i]).join(', ')}): cpu ${c[i]}, gpu ${g[i]}`);
          }
          free(...ins, c, g);
        }
      }
    }
  });

  check('map: NaN, ±0, ±Inf and the domain edges of sqrt, exp, log as the CPU kernels; denormals as this device gives them', async () => {
    const n = 4 * SPECIAL.length * SPECIAL.length;
    const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n);
    for (let i = 0; i < n; i++) { a[i] = SPECIAL[i % SPECIAL.length]; b[i] = SPECIAL[Math.floor(i / SPECIAL.length) % SPECIAL.length]; }
    const c = ex.shared(Float32Array, n), g = ex.shared(Float32Array, n);
    for (const op of ['copy', 'abs', 'neg', 'min', 'max', 'clamp', 'add', 'sub', 'mul', 'div', 'sqrt', 'exp', 'log']) {
      const ins = ARITY[op] === 1 ? a : [a, b];
      await transform(ex, ins, c, { op, s0: -1, s1: 1 }, CPU);
      await transform(ex, ins, g, { op, s0: -1, s1: 1 }, GPU);
      for (let i = 0; i < n; i++) {
        if (same(c[i], g[i])) continue;
        // Allowed besides: the documented ulps, and what the op gives for denormal inputs or results flushed to zero.
        const near = (want) => same(want, g[i]) || (LOOSE[op]?.(a[i], want, g[i]) ?? false) || (denormal(want) && g[i] === 0);
        const flushed = Math.fround(REF[op](flush(a[i]), flush(b[i])));
        ok(near(c[i]) || ((denormal(a[i]) || denormal(b[i])) && near(flushed)), `${op}(${a[i]}, ${b[i]}): cpu ${c[i]}, gpu ${g[i]}`);
      }
    }
    free(a, b, c, g);
  });

  check('reduce: sum, min, max, dot over every dtype; integers exact, f32 within the documented bound', async () => {
    for (const dtype of ['f32', 'i32', 'u32']) {
      for (const n of size('reduce')) {
        const [a, b] = arrays(dtype, n, 2);
        for (const op of ['sum', 'min', 'max', 'dot']) {
          const run = (o) => (op === 'dot' ? transformReduce(ex, [a, b], 'dot', o) : reduce(ex, a, op, o));
          const c = await run(CPU), g = await run(GPU);
          if (dtype !== 'f32' || op === 'min' || op === 'max') { is(g, c, `${op} ${dtype} n=${n}`); continue; }
          let abs = 0;
          for (let i = 0; i < n; i++) abs += Math.abs(op === 'dot' ? a[i] * b[i] : a[i]);
          const passes = Math.max(1, Math.ceil(Math.log2(Math.max(n, 1)) / 11));
          ok(Math.abs(c - g) <= (16 * passes + 2) * U * abs, `${op} f32 n=${n}: cpu ${c}, gpu ${g}, Σ|x| ${abs}`);
        }
        free(a, b);
      }
    }
  });

  check('reduce: NaN propagates, −0 below +0, init folded in as on the CPU', async () => {
    const a = ex.shared(Float32Array, 3000);
    a.fill(0); a[1234] = -0;
    ok(Object.is(await reduce(ex, a, 'min', GPU), -0), 'min of ±0 is −0');
    ok(Object.is(await reduce(ex, a, 'max', GPU), 0), 'max of ±0 is +0');
    a[2999] = NaN;
    for (const op of ['sum', 'min', 'max']) ok(Number.isNaN(await reduce(ex, a, op, GPU)), `${op} with a NaN`);
    const i = ex.shared(Int32Array, 5000).fill(2 ** 30);
    is(await reduce(ex, i, 'sum', { ...GPU, init: 7 }), await reduce(ex, i, 'sum', { ...CPU, init: 7 }), 'wrapping sum with init');
    is(await reduce(ex, ex.shared(Float32Array, 0), 'max', GPU), -Infinity, 'empty: the identity');
    free(a, i);
  });

  check('scans: inclusive and exclusive, sum/min/max, every dtype; f32 sums within the documented bound', async () => {
    for (const dtype of ['f32', 'i32', 'u32']) {
      for (const n of size('scan')) {
        const [a] = arrays(dtype, n, 1);
        const c = ex.shared(TYPES[dtype], n), g = ex.shared(TYPES[dtype], n);
        for (const op of ['sum', 'min', 'max']) {
          for (const kind of ['inclusive', 'exclusive', 'inclusive+init']) {
            const init = dtype === 'u32' ? 5 : -5;
            const run = (out, o) => (kind === 'exclusive' ? exclusiveScan(ex, a, out, init, op, o)
              : inclusiveScan(ex, a, out, op, kind === 'inclusive' ? o : { ...o, init }));
            await run(c, CPU); await run(g, GPU);
            const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 1)) / 9));
            let prefix = kind === 'inclusive' ? 0 : Math.abs(init);
            for (let i = 0; i < n; i++) {
              if (kind !== 'exclusive') prefix += Math.abs(a[i]);
              const good = dtype !== 'f32' || op !== 'sum' ? same(c[i], g[i]) : Math.abs(c[i] - g[i]) <= (18 * levels + 2) * U * prefix;
              if (!good) throw new Error(`${kind} ${op} ${dtype} n=${n} [${i}]: cpu ${c[i]}, gpu ${g[i]}`);
              if (kind === 'exclusive') prefix += Math.abs(a[i]);
            }
          }
        }
        free(a, c, g);
      }
    }
  });

  check('scans: NaN and ±0 in min/max scans as on the CPU; in place', async () => {
    const n = 2000;
    const a = ex.shared(Float32Array, n), c = ex.shared(Float32Array, n), g = ex.shared(Float32Array, n);
    for (let i = 0; i < n; i++) a[i] = i === 1500 ? NaN : i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : 1 - i / 1000;
    for (const op of ['min', 'max']) {
      await inclusiveScan(ex, a, c, op, CPU); await inclusiveScan(ex, a, g, op, GPU);
      for (let i = 0; i < n; i++) ok(same(c[i], g[i]), `${op} [${i}]: cpu ${c[i]}, gpu ${g[i]}`);
    }
    const b = ex.shared(Int32Array, 700).fill(3);
    await inclusiveScan(ex, b, b, 'sum', GPU);
    is(b[699], 2100, 'out may be the input');
    free(a, c, g, b);
  });

  check('sort: f32, i32, u32 across blocks and the power-of-two padding: the CPU sort\'s result, bit for bit', async () => {
    for (const dtype of ['f32', 'i32', 'u32']) {
      for (const n of size('sort')) {
        const c = keys(dtype, n), g = ex.shared(TYPES[dtype], n);
        g.set(c);
        ok(await sort(ex, c, CPU) === c, 'the CPU sort resolves with its array');
        ok(await sort(ex, g, GPU) === g, 'the GPU sort resolves with its array');
        const at = differs(c, g);
        if (at >= 0) throw new Error(`${dtype} n=${n} [${at}]: cpu ${c[at]}, gpu ${g[at]}`);
        free(c, g);
      }
    }
  });

  check('sort: −Inf < negatives < −0 < +0 < denormals < +Inf < NaN; every NaN written as 0x7fc00000', async () => {
    const a = ex.shared(Float32Array, 9);
    const u = new Uint32Array(a.buffer, a.byteOffset, 9);
    u.set([0xffc00000, 0x7f800000, 0x00000000, 0x80000000, 0x00000001, 0xff800000, 0x7f800001, 0xbf800000, 0x3f800000]);
    await sort(ex, a, GPU);
    eq([...u].map((x) => x.toString(16)), ['ff800000', 'bf800000', '80000000', '0', '1', '3f800000', '7f800000', '7fc00000', '7fc00000'], 'order');
    free(a);
  });

  check('matmul: executor.gpu.matmul and matmul(…, { device: \'gpu\' }) across tile and slice edges, within 2·(k + 1)·2^-24·Σ|a·b| of the CPU twin', async () => {
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [15, 17, 9], [63, 64, 65], [100, 1, 129], [127, 129, 33]]) {
      const a = ex.shared(Float32Array, m * k), b = ex.shared(Float32Array, k * n);
      for (let i = 0; i < a.length; i++) a[i] = (rnd() - 0.5) * 4;
      for (let i = 0; i < b.length; i++) b[i] = (rnd() - 0.5) * 4;
      const direct = ex.shared(Float32Array, m * n).fill(12345), viaAlgo = ex.shared(Float32Array, m * n), cpu = ex.shared(Float32Array, m * n);
      const r = await gpu.matmul(a, b, direct, m, n, k);
      is(r.bytesDown, m * n * 4, `${m}×${n}×${k}: bytes read back`);
      await matmul(ex, a, b, viaAlgo, m, n, k, GPU);
      await matmul(ex, a, b, cpu, m, n, k, CPU);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let abs = 0;
          for (let l = 0; l < k; l++) abs += Math.abs(a[i * k + l] * b[l * n + j]);
          for (const [label, g] of [['gpu.matmul', direct], ['device gpu', viaAlgo]]) {
            const d = Math.abs(g[i * n + j] - cpu[i * n + j]);
            if (!(d <= 2 * (k + 1) * U * abs)) throw new Error(`${label} ${m}×${n}×${k} [${i}][${j}]: gpu ${g[i * n + j]}, cpu ${cpu[i * n + j]}`);
          }
        }
      }
      free(a, b, direct, viaAlgo, cpu);
    }
    const a = ex.shared(Float32Array, 6), b = ex.shared(Float32Array, 6), out = ex.shared(Float32Array, 4);
    const e = await rejection(gpu.matmul(a, b, ex.shared(Float32Array, 5), 2, 2, 3));
    ok(e instanceof RangeError, `a RangeError, got ${e?.name}`);
    matches(e, /executor\.gpu\.matmul\(a, b, out, m, n, k\): out has 5 elements, but m·n = 4/, 'matmul length');
    matches(await rejection(gpu.matmul(new Int32Array(6), b, out, 2, 2, 3)), /a must be a Float32Array \(got Int32Array/, 'matmul type');
  });

  check('bad input to the algorithms: no kernel for the dtype, a callback, sqrt of Int32Array, an unknown device', async () => {
    const d = ex.shared(Float64Array, 8), f = ex.shared(Float32Array, 8);
    const e1 = await rejection(transform(ex, d, d, 'abs', GPU));
    ok(e1 instanceof TypeError, `a TypeError, got ${e1?.name}`);
    matches(e1, /device 'gpu': no GPU kernel takes Float64Array/, 'Float64Array');
    matches(await rejection(transform(ex, f, f, (a, o, lo, hi) => {}, GPU)), /only transform, reduce, transformReduce and the scans with a built-in op/, 'a callback');
    matches(await rejection(transform(ex, ex.shared(Int32Array, 8), ex.shared(Int32Array, 8), 'sqrt', GPU)), /'sqrt' takes Float32Array only \(got Int32Array\)/, 'sqrt of Int32Array');
    matches(await rejection(reduce(ex, f, 'sum', { device: 'fast' })), /options\.device must be 'cpu', 'gpu' or 'auto'/, 'device');
    matches(await rejection(sort(ex, f, (x, y) => y - x, GPU)), /device 'gpu': only transform/, 'a comparator');
  });

  return checks;
}

/** Runs every check in order; resolves to { passed, failed, failures, names }. */
export async function runGpuChecks(bf, ex, { sizes = 'full', log = () => {} } = {}) {
  const failures = [], names = [];
  let passed = 0;
  for (const c of gpuChecks(bf, ex, { sizes })) {
    names.push(c.name);
    try {
      await c.run();
      passed++;
      log(`ok   ${c.name}`);
    } catch (e) {
      failures.push(`${c.name}: ${e?.stack ?? e}`);
      log(`FAIL ${c.name}: ${e?.message ?? e}`);
    }
  }
  return { passed, failed: failures.length, failures, names };
}
