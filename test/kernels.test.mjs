// The numeric kernels (src/kernels.ts over assembly/kernels/): every op × dtype against a plain JS
// reference on seeded random inputs of sizes 0 … 100003, with unaligned pointers and ranges that start
// and end off a vector boundary; NaN / ±Inf / −0 as the doc comment of src/kernels.ts states them; the
// exp/log error bounds; scan chaining; sortRange + mergeRuns against TypedArray.prototype.sort.
// One core, no executor: the kernels run in this thread.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore } from './helpers/core.mjs';
import * as K from '../build/src/kernels.js';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 17, 1000, 100003];
const MAX_N = 100003;
const CTOR = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array };
const BYTES = { f32: 4, f64: 8, i32: 4, u32: 4 };
const FLOATS = ['f32', 'f64'];
const EPS = { f32: 2 ** -24, f64: 2 ** -53 };
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-310, 5e-324];

/** mulberry32: a seeded generator, so a failure names a reproducible case. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n random values of dtype: floats in [lo, hi) with ~3% special values when `specials`; integers over the full range. */
function data(dtype, n, seed, { lo = -100, hi = 100, specials = true, integers = false } = {}) {
  const r = rng(seed);
  const a = new CTOR[dtype](n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'i32' || dtype === 'u32') a[i] = r() < 0.05 ? [0, 1, -1, 2 ** 31, 2 ** 31 - 1][i % 5] : (r() * 2 ** 32) >>> 0;
    else if (specials && r() < 0.03) a[i] = SPECIALS[Math.floor(r() * SPECIALS.length)];
    else a[i] = integers ? Math.floor(lo + r() * (hi - lo)) : lo + r() * (hi - lo);
  }
  return a;
}

/** The few ranges each size is tried with: whole, and off both ends by 1 and by 3 (across a vector). */
function ranges(n) {
  const out = [[0, n]];
  if (n >= 2) out.push([1, n - 1]);
  if (n >= 8) out.push([3, n - 2]);
  return out;
}

const same = (a, b) => Object.is(a, b);
const show = (v) => (Object.is(v, -0) ? '-0' : String(v));

/**
 * Arrays in the core's shared memory, placed `skew` elements past a 16-byte boundary so v128 loads are
 * unaligned. view() re-reads memory.buffer (it may have grown since). reset() frees them all (after each test).
 */
function arena(core) {
  const blocks = [];
  return {
    core,
    array(dtype, n, skew = 1) {
      const base = core.alloc((n + 4) * BYTES[dtype]);
      blocks.push(base);
      const ptr = base + skew * BYTES[dtype];
      return { ptr, n, dtype, view: () => new CTOR[dtype](core.memory.buffer, ptr, n) };
    },
    bytes(n) {
      const base = core.alloc(n + 8);
      blocks.push(base);
      return base + 4; // unaligned
    },
    reset() { while (blocks.length) core.x.heapFree(blocks.pop()); },
  };
}

async function setup(ctx) {
  ctx.core = (await makeCore({})).core;
  ctx.x = ctx.core.x;
  ctx.mem = arena(ctx.core);
}
const reset = (ctx) => ctx.mem.reset();

// ---

const Check = suite('checkKernel and argument errors');
Check.before(setup);
Check.after.each(reset);

Check('valid descriptors pass and come back unchanged; they survive JSON', () => {
  const good = [
    { kind: 'map', op: 'add', dtype: 'f32' },
    { kind: 'map', op: 'scale', dtype: 'i32', scalars: [-3] },
    { kind: 'map', op: 'clamp', dtype: 'u32', scalars: [1, 4294967295] },
    { kind: 'map', op: 'exp', dtype: 'f64' },
    { kind: 'reduce', op: 'dot', dtype: 'u32' },
    { kind: 'scan', op: 'sum', inclusive: false, dtype: 'f64' },
    { kind: 'sort', dtype: 'f32' },
    { kind: 'sort', dtype: 'i32', order: 'desc' },
  ];
  for (const d of good) {
    assert.is(K.checkKernel(d), d);
    assert.equal(K.checkKernel(JSON.parse(JSON.stringify(d))), d);
  }
  assert.is(K.arity({ kind: 'map', op: 'fma', dtype: 'f32' }), 3);
  assert.is(K.arity({ kind: 'reduce', op: 'dot', dtype: 'f32' }), 2);
  assert.is(K.arity({ kind: 'map', op: 'clamp', dtype: 'f32', scalars: [0, 1] }), 1);
});

Check('bad descriptors throw a TypeError naming the field', () => {
  const bad = [
    [null, /desc must be an object/],
    [{ kind: 'fold', dtype: 'f32' }, /desc\.kind must be one of 'map', 'reduce', 'scan', 'sort' \(got "fold"\)/],
    [{ kind: 'map', op: 'add' }, /desc\.dtype must be one of 'f32', 'f64', 'i32', 'u32' \(got undefined\)/],
    [{ kind: 'map', op: 'pow', dtype: 'f32' }, /desc\.op must be one of 'copy', .*'log' \(got "pow"\)/],
    [{ kind: 'map', op: 'div', dtype: 'i32' }, /desc\.op 'div' is defined for dtype 'f32' and 'f64' only \(got dtype 'i32'\)/],
    [{ kind: 'map', op: 'log', dtype: 'u32' }, /desc\.op 'log' is defined for dtype 'f32' and 'f64' only/],
    [{ kind: 'map', op: 'scale', dtype: 'f32' }, /desc\.scalars must hold exactly 1 number for op 'scale' \(got undefined\)/],
    [{ kind: 'map', op: 'add', dtype: 'f32', scalars: [1] }, /desc\.scalars must hold exactly 0 numbers for op 'add'/],
    [{ kind: 'map', op: 'scale', dtype: 'i32', scalars: [1.5] }, /desc\.scalars\[0\] must be an integer in \[-2147483648, 2147483647\] for dtype 'i32' \(got 1\.5\)/],
    [{ kind: 'map', op: 'offset', dtype: 'u32', scalars: [-1] }, /desc\.scalars\[0\] must be an integer in \[0, 4294967295\] for dtype 'u32'/],
    [{ kind: 'map', op: 'axpy', dtype: 'f64', scalars: ['2'] }, /desc\.scalars\[0\] must be a number \(got "2"\)/],
    [{ kind: 'map', op: 'clamp', dtype: 'f32', scalars: [2, 1] }, /scalars of 'clamp' must be \[lo, hi\] with lo ≤ hi \(got \[2, 1\]\)/],
    [{ kind: 'map', op: 'clamp', dtype: 'f32', scalars: [NaN, 1] }, /lo ≤ hi/],
    [{ kind: 'reduce', op: 'mean', dtype: 'f32' }, /desc\.op must be one of 'sum', 'min', 'max', 'dot'/],
    [{ kind: 'scan', op: 'sum', dtype: 'f32' }, /desc\.inclusive must be true or false \(got undefined\)/],
    [{ kind: 'scan', op: 'max', inclusive: true, dtype: 'f32' }, /desc\.op must be one of 'sum'/],
    [{ kind: 'sort', dtype: 'f32', order: 'up' }, /desc\.order must be one of 'asc', 'desc' \(got "up"\)/],
  ];
  for (const [d, re] of bad) {
    assert.throws(() => K.checkKernel(d), (e) => e instanceof TypeError && re.test(e.message), `${JSON.stringify(d)} → ${re}`);
  }
});

Check('the run functions check kind, inputs, range, pointers and carry before calling the core', ({ x, mem }) => {
  const a = mem.array('f32', 16);
  const add = { kind: 'map', op: 'add', dtype: 'f32' };
  const sum = { kind: 'reduce', op: 'sum', dtype: 'f32' };
  const cases = [
    [() => K.runMap(x, sum, a.ptr, [a.ptr], 0, 1), TypeError, /runMap\(\) takes a 'map' kernel \(got kind 'reduce'\)/],
    [() => K.runMap(x, add, a.ptr, [a.ptr], 0, 1), TypeError, /runMap\(\): op 'add' reads 2 input arrays: pass 2 pointers in inputs \(got \[\d+\]\)/],
    [() => K.runMap(x, add, a.ptr, [a.ptr, a.ptr], 5, 4), RangeError, /begin and end must be integers with 0 ≤ begin ≤ end/],
    [() => K.runMap(x, add, a.ptr, [a.ptr, a.ptr], 0.5, 4), RangeError, /begin and end/],
    [() => K.runMap(x, add, -4, [a.ptr, a.ptr], 0, 4), RangeError, /out must be a byte offset in the shared memory/],
    [() => K.runMap(x, add, a.ptr, [a.ptr, x.memory.buffer.byteLength - 8], 0, 4), RangeError, /inputs\[1\] up to the range's end reaches byte \d+, past the shared memory's \d+ bytes/],
    [() => K.runReduce(x, { kind: 'reduce', op: 'dot', dtype: 'f64' }, [a.ptr], 0, 1), TypeError, /op 'dot' reads 2 input arrays/],
    [() => K.scanChunk(x, { kind: 'scan', op: 'sum', inclusive: true, dtype: 'i32' }, a.ptr, a.ptr, 0, 4, 1.5), TypeError, /carry must be an i32 integer for dtype 'i32' \(got 1\.5\)/],
    [() => K.scanChunk(x, { kind: 'scan', op: 'sum', inclusive: true, dtype: 'u32' }, a.ptr, a.ptr, 0, 4, -1), TypeError, /carry must be a u32 integer/],
    [() => K.sortRange(x, { kind: 'sort', dtype: 'f32' }, a.ptr, x.memory.buffer.byteLength - 100, 0, 16), RangeError, /scratch up to the range's end reaches byte/],
    [() => K.mergeRuns(x, { kind: 'sort', dtype: 'f32' }, a.ptr, a.ptr, 0, 9, 4), RangeError, /mergeRuns\(\): begin and end/],
  ];
  for (const [fn, T, re] of cases) assert.throws(fn, (e) => e instanceof T && re.test(e.message), String(re));
});

Check.run();

// ---

/** The JS reference of one map element: what the kernel must store (the typed array's store converts). */
function mapRef(op, dtype, a, b, c, s0, s1) {
  const f32 = dtype === 'f32', int = dtype === 'i32' || dtype === 'u32';
  const r = f32 ? Math.fround : (v) => v;
  const mul = int ? Math.imul : (p, q) => r(p * q);
  switch (op) {
    case 'copy': return a;
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return mul(a, b);
    case 'div': return a / b;
    case 'fma': return mul(a, b) + c;
    case 'scale': return mul(a, s0);
    case 'axpy': return mul(s0, a) + b;
    case 'offset': return a + s0;
    case 'abs': return dtype === 'u32' ? a : Math.abs(a);
    case 'neg': return -a;
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    case 'clamp': return Math.min(Math.max(a, s0), s1);
    case 'sqrt': return Math.sqrt(a);
    case 'exp': return Math.exp(a);
    case 'log': return Math.log(a);
  }
  throw new Error(op);
}

const SCALARS = {
  scale: { f32: [1.7], f64: [-2.25], i32: [-3], u32: [2654435761] },
  axpy: { f32: [0.3], f64: [3.5], i32: [7], u32: [4294967295] },
  offset: { f32: [-12.5], f64: [1e-3], i32: [-2147483648], u32: [123456789] },
  clamp: { f32: [-10.1, 20.2], f64: [-50, 0], i32: [-1000, 1 << 30], u32: [5, 3000000000] },
};

/** Max relative error the approximations promise (src/kernels.ts). */
const APPROX = { f32: 1.5e-7, f64: 3e-16 };

/** Inputs suited to op: exp in its accurate range, log on positives; specials everywhere. */
function inputsFor(op, dtype, n, seed) {
  if (op === 'exp') return data(dtype, n, seed, { lo: -80, hi: 80 });
  if (op === 'log') return data(dtype, n, seed, { lo: 0, hi: 1e6 });
  return data(dtype, n, seed);
}

const Map_ = suite('map: every op × dtype against the JS reference');
Map_.before(setup);
Map_.after.each(reset);

for (const op of K.MAP_OPS) {
  for (const dtype of K.DTYPES) {
    if (['div', 'sqrt', 'exp', 'log'].includes(op) && !FLOATS.includes(dtype)) continue;
    Map_(`${op} ${dtype}: sizes ${SIZES.join(', ')}, unaligned pointers, ranges off both ends`, ({ x, mem }) => {
      const desc = { kind: 'map', op, dtype, ...(SCALARS[op] && { scalars: SCALARS[op][dtype] }) };
      const ar = K.arity(desc);
      const [s0, s1] = (desc.scalars ?? [0, 0]).map((s) => (dtype === 'f32' ? Math.fround(s) : s));
      const approx = op === 'exp' || op === 'log';
      for (const n of SIZES) {
        const out = mem.array(dtype, n, 2), ins = [1, 2, 3].map((skew) => mem.array(dtype, n, skew));
        for (const [begin, end] of ranges(n)) {
          const src = ins.map((arr, k) => data(dtype, n, 1000 * n + 10 * k + begin));
          if (approx) src[0] = inputsFor(op, dtype, n, n + begin);
          ins.forEach((arr, k) => arr.view().set(src[k]));
          out.view().fill(dtype === 'u32' ? 77 : -77);
          K.runMap(x, desc, out.ptr, ins.slice(0, ar).map((a) => a.ptr), begin, end);
          const got = out.view();
          const want = new CTOR[dtype](n).fill(dtype === 'u32' ? 77 : -77);
          for (let i = begin; i < end; i++) want[i] = mapRef(op, dtype, src[0][i], src[1][i], src[2][i], s0, s1);
          for (let i = 0; i < n; i++) {
            const g = got[i], w = want[i];
            if (same(g, w)) continue;
            if (approx && i >= begin && i < end && Number.isFinite(w) && w !== 0 && Math.abs(g - w) <= APPROX[dtype] * Math.abs(w) * 1.01) continue;
            assert.unreachable(`${op} ${dtype} n=${n} [${begin}, ${end}) at ${i}: inputs ${show(src[0][i])}, ${show(src[1][i])}, ${show(src[2][i])} → ${show(g)}, expected ${show(w)}`);
          }
        }
      }
    });
  }
}

Map_('min/max/clamp: NaN propagates, −0 < +0, ±Inf ordered (as Math.min/Math.max)', ({ x, mem }) => {
  for (const dtype of FLOATS) {
    const a = [NaN, 1, -0, 0, -Infinity, Infinity, NaN, 3];
    const b = [1, NaN, 0, -0, 5, 5, NaN, -Infinity];
    const A = mem.array(dtype, 8), B = mem.array(dtype, 8), O = mem.array(dtype, 8);
    A.view().set(a); B.view().set(b);
    K.runMap(x, { kind: 'map', op: 'min', dtype }, O.ptr, [A.ptr, B.ptr], 0, 8);
    assert.equal([...O.view()].map(show), ['NaN', 'NaN', '-0', '-0', '-Infinity', '5', 'NaN', '-Infinity'], `min ${dtype}`);
    K.runMap(x, { kind: 'map', op: 'max', dtype }, O.ptr, [A.ptr, B.ptr], 0, 8);
    assert.equal([...O.view()].map(show), ['NaN', 'NaN', '0', '0', '5', 'Infinity', 'NaN', '3'], `max ${dtype}`);
    K.runMap(x, { kind: 'map', op: 'clamp', dtype, scalars: [-1, 2] }, O.ptr, [A.ptr], 0, 8);
    assert.equal([...O.view()].map(show), ['NaN', '1', '-0', '0', '-1', '2', 'NaN', '2'], `clamp ${dtype}`);
    K.runMap(x, { kind: 'map', op: 'abs', dtype }, O.ptr, [A.ptr], 0, 8);
    assert.equal([...O.view()].map(show), ['NaN', '1', '0', '0', 'Infinity', 'Infinity', 'NaN', '3'], `abs ${dtype}`);
  }
});

Map_('integers wrap: i32 abs(−2^31) = −2^31, add/mul/neg modulo 2^32; u32 min/max are unsigned', ({ x, mem }) => {
  const A = mem.array('i32', 4), B = mem.array('i32', 4), O = mem.array('i32', 4);
  A.view().set([-(2 ** 31), 2 ** 31 - 1, 65536, -1]); B.view().set([-1, 1, 65536, 2]);
  K.runMap(x, { kind: 'map', op: 'abs', dtype: 'i32' }, O.ptr, [A.ptr], 0, 4);
  assert.equal([...O.view()], [-(2 ** 31), 2 ** 31 - 1, 65536, 1]);
  K.runMap(x, { kind: 'map', op: 'add', dtype: 'i32' }, O.ptr, [A.ptr, B.ptr], 0, 4);
  assert.equal([...O.view()], [2 ** 31 - 1, -(2 ** 31), 131072, 1]);
  K.runMap(x, { kind: 'map', op: 'mul', dtype: 'i32' }, O.ptr, [A.ptr, B.ptr], 0, 4);
  assert.equal([...O.view()], [-(2 ** 31), 2 ** 31 - 1, 0, -2]);
  const U = mem.array('u32', 2), V = mem.array('u32', 2), W = mem.array('u32', 2);
  U.view().set([4294967295, 1]); V.view().set([1, 2]);
  K.runMap(x, { kind: 'map', op: 'min', dtype: 'u32' }, W.ptr, [U.ptr, V.ptr], 0, 2);
  assert.equal([...W.view()], [1, 1]);
  K.runMap(x, { kind: 'map', op: 'neg', dtype: 'u32' }, W.ptr, [V.ptr], 0, 2);
  assert.equal([...W.view()], [4294967295, 4294967294]);
});

Map_('in place: out may be one of the inputs', ({ x, mem }) => {
  const n = 1001, a = mem.array('f32', n), b = mem.array('f32', n);
  const av = data('f32', n, 5, { specials: false }), bv = data('f32', n, 6, { specials: false });
  a.view().set(av); b.view().set(bv);
  K.runMap(x, { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] }, b.ptr, [a.ptr, b.ptr], 0, n);
  const got = b.view();
  for (let i = 0; i < n; i++) assert.is(got[i], Math.fround(Math.fround(2 * av[i]) + bv[i]));
});

Map_.run();

// ---

/** Max relative error of kernel op over inputs xs (f64 reference, finite non-zero results only). */
function maxRelError(x, mem, op, dtype, xs) {
  const n = xs.length, A = mem.array(dtype, n), O = mem.array(dtype, n);
  A.view().set(xs);
  K.runMap(x, { kind: 'map', op, dtype }, O.ptr, [A.ptr], 0, n);
  const got = O.view(), inp = A.view();
  let worst = 0, at = 0;
  for (let i = 0; i < n; i++) {
    const w = op === 'exp' ? Math.exp(inp[i]) : Math.log(inp[i]);
    const e = Math.abs(got[i] - w) / Math.abs(w);
    if (!(e <= worst)) { worst = e; at = inp[i]; }
  }
  return { worst, at };
}

const Approx = suite('exp / log: stated error bounds and special values');
Approx.before(setup);
Approx.after.each(reset);

Approx('exp: relative error ≤ 1.5e-7 (f32, x in [−87.3, 88.7]) and ≤ 3e-16 (f64, x in [−708, 709])', ({ x, mem }) => {
  const r = rng(11);
  const f32 = Float32Array.from({ length: 200_000 }, () => -87.3 + r() * (88.7 + 87.3));
  const f64 = Float64Array.from({ length: 200_000 }, (_, i) => (i % 2 ? -708 + r() * 1417 : -1 + 2 * r()));
  const e32 = maxRelError(x, mem, 'exp', 'f32', f32), e64 = maxRelError(x, mem, 'exp', 'f64', f64);
  assert.ok(e32.worst <= 1.5e-7, `exp f32 max relative error ${e32.worst} at x = ${e32.at}`);
  assert.ok(e64.worst <= 3e-16, `exp f64 max relative error ${e64.worst} at x = ${e64.at}`);
});

Approx('log: relative error ≤ 1.5e-7 (f32) and ≤ 3e-16 (f64) over all positive finite numbers, subnormals included', ({ x, mem }) => {
  const r = rng(12);
  // random bit patterns of positive finite numbers: every exponent equally likely, subnormals included
  const u32 = Uint32Array.from({ length: 200_000 }, () => (r() * 0x7f800000) >>> 0);
  const f32 = new Float32Array(u32.buffer).filter((v) => v !== 0 && v !== 1);
  const hi = Uint32Array.from({ length: 200_000 }, () => (r() * 0x7ff00000) >>> 0);
  const f64 = new Float64Array(100_000);
  const w = new Uint32Array(f64.buffer);
  for (let i = 0; i < f64.length; i++) { w[2 * i] = (r() * 2 ** 32) >>> 0; w[2 * i + 1] = hi[i]; }
  const near1 = Float64Array.from({ length: 50_000 }, () => 0.5 + r()); // around 1, where ln x is small
  const e32 = maxRelError(x, mem, 'log', 'f32', f32.filter((v) => v !== 0 && v !== 1));
  const e64 = maxRelError(x, mem, 'log', 'f64', f64.filter((v) => v !== 0 && v !== 1));
  const e64n = maxRelError(x, mem, 'log', 'f64', near1.filter((v) => v !== 1));
  const e32n = maxRelError(x, mem, 'log', 'f32', Float32Array.from(near1).filter((v) => v !== 1));
  assert.ok(e32.worst <= 1.5e-7, `log f32 max relative error ${e32.worst} at x = ${e32.at}`);
  assert.ok(e32n.worst <= 1.5e-7, `log f32 near 1: ${e32n.worst} at x = ${e32n.at}`);
  assert.ok(e64.worst <= 3e-16, `log f64 max relative error ${e64.worst} at x = ${e64.at}`);
  assert.ok(e64n.worst <= 3e-16, `log f64 near 1: ${e64n.worst} at x = ${e64n.at}`);
});

Approx('special values: exp(NaN)=NaN, exp(±Inf)=+Inf/0, overflow to +Inf, underflow through subnormals to 0; log(±0)=−Inf, log(<0)=NaN, log(+Inf)=+Inf, log(1)=0', ({ x, mem }) => {
  const run = (op, dtype, xs) => {
    const A = mem.array(dtype, xs.length), O = mem.array(dtype, xs.length);
    A.view().set(xs);
    K.runMap(x, { kind: 'map', op, dtype }, O.ptr, [A.ptr], 0, xs.length);
    return [...O.view()];
  };
  assert.equal(run('exp', 'f32', [NaN, Infinity, -Infinity, 89, 1000, -104, -1000, 0, -0]).map(show),
    ['NaN', 'Infinity', '0', 'Infinity', 'Infinity', '0', '0', '1', '1']);
  assert.equal(run('exp', 'f64', [NaN, Infinity, -Infinity, 710, 1e6, -746, -1e6, 0, -0]).map(show),
    ['NaN', 'Infinity', '0', 'Infinity', 'Infinity', '0', '0', '1', '1']);
  // subnormal results: within one unit of the last place of the subnormal grid
  const sub32 = run('exp', 'f32', [-90, -95, -100, -103]);
  [-90, -95, -100, -103].forEach((v, i) => assert.ok(Math.abs(sub32[i] - Math.exp(v)) <= 2 ** -149, `exp f32(${v}) = ${sub32[i]}, Math.exp ${Math.exp(v)}`));
  const sub64 = run('exp', 'f64', [-710, -730, -744]);
  [-710, -730, -744].forEach((v, i) => assert.ok(Math.abs(sub64[i] - Math.exp(v)) <= 2 ** -1074, `exp f64(${v}) = ${sub64[i]}`));
  for (const dtype of FLOATS) {
    assert.equal(run('log', dtype, [0, -0, -1, -Infinity, Infinity, NaN, 1]).map(show),
      ['-Infinity', '-Infinity', 'NaN', 'NaN', 'Infinity', 'NaN', '0'], `log ${dtype}`);
  }
  // the smallest subnormal
  assert.ok(Math.abs(run('log', 'f32', [2 ** -149])[0] / Math.log(2 ** -149) - 1) <= 1.5e-7);
  assert.ok(Math.abs(run('log', 'f64', [5e-324])[0] / Math.log(5e-324) - 1) <= 3e-16);
});

Approx.run();

// ---

/** Sequential JS reference of a reduction, in f64 for floats, wrapping for integers. */
function reduceRef(op, dtype, a, b, begin, end) {
  let s = K.identity({ kind: 'reduce', op, dtype });
  for (let i = begin; i < end; i++) {
    if (op === 'sum') s += a[i];
    else if (op === 'dot') s += dtype === 'i32' || dtype === 'u32' ? Math.imul(a[i], b[i]) : a[i] * b[i];
    else if (op === 'min') s = Math.min(s, a[i]);
    else s = Math.max(s, a[i]);
    if (dtype === 'i32') s |= 0; else if (dtype === 'u32') s >>>= 0;
  }
  return s;
}

const Reduce = suite('reduce: sum / min / max / dot × dtype');
Reduce.before(setup);
Reduce.after.each(reset);

for (const op of K.REDUCE_OPS) {
  for (const dtype of K.DTYPES) {
    Reduce(`${op} ${dtype}: sizes ${SIZES.join(', ')}, unaligned, ranges off both ends`, ({ x, mem }) => {
      const desc = { kind: 'reduce', op, dtype };
      const order = op === 'min' || op === 'max';
      for (const n of SIZES) {
        const A = mem.array(dtype, n, 1), B = mem.array(dtype, n, 3);
        for (const [begin, end] of ranges(n)) {
          // min/max see the special values; sums see finite data (a NaN would make every result NaN)
          const a = data(dtype, n, 7 * n + begin, { specials: order }), b = data(dtype, n, 9 * n + begin, { specials: false });
          A.view().set(a); B.view().set(b);
          const got = K.runReduce(x, desc, op === 'dot' ? [A.ptr, B.ptr] : [A.ptr], begin, end);
          const want = reduceRef(op, dtype, a, b, begin, end);
          if (order || !FLOATS.includes(dtype)) {
            assert.ok(same(got, want), `${op} ${dtype} n=${n} [${begin}, ${end}): ${show(got)}, expected ${show(want)}`);
          } else {
            // both are f64 sums in different orders: each within (n−1)·ε·Σ|terms| of the exact sum
            let abs = 0;
            for (let i = begin; i < end; i++) abs += Math.abs(op === 'dot' ? a[i] * b[i] : a[i]);
            const tol = 2 * Math.max(1, end - begin) * 2 ** -53 * abs;
            assert.ok(Math.abs(got - want) <= tol, `${op} ${dtype} n=${n}: ${got} vs ${want} (tolerance ${tol})`);
          }
        }
      }
    });
  }
}

Reduce('f32 sums accumulate in f64: 1e8 followed by 100002 ones is exact (an f32 accumulator stays at 1e8)', ({ x, mem }) => {
  const n = 100003, A = mem.array('f32', n);
  const v = A.view();
  v.fill(1); v[0] = 1e8;
  assert.is(K.runReduce(x, { kind: 'reduce', op: 'sum', dtype: 'f32' }, [A.ptr], 0, n), 100100002);
  let f = Math.fround(0);
  for (let i = 0; i < n; i++) f = Math.fround(f + v[i]);
  assert.is(f, 1e8, 'the naive f32 loop loses every 1 (so the test can tell the two apart)');
  v[0] = 1e4;
  assert.is(K.runReduce(x, { kind: 'reduce', op: 'dot', dtype: 'f32' }, [A.ptr, A.ptr], 0, n), 100100002, 'dot: 1e4·1e4 + 100002 ones');
});

Reduce('integer-valued float data sums exactly, in any order and at any split', ({ x, mem }) => {
  for (const dtype of FLOATS) {
    const n = 100003, A = mem.array(dtype, n);
    const a = data(dtype, n, 21, { specials: false, integers: true, lo: -1e6, hi: 1e6 });
    A.view().set(a);
    const desc = { kind: 'reduce', op: 'sum', dtype };
    assert.is(K.runReduce(x, desc, [A.ptr], 0, n), reduceRef('sum', dtype, a, a, 0, n));
    let c = K.identity(desc);
    for (let b = 0; b < n; b += 9999) c = K.combine(desc, c, K.runReduce(x, desc, [A.ptr], b, Math.min(n, b + 9999)));
    assert.is(c, reduceRef('sum', dtype, a, a, 0, n));
  }
});

Reduce('NaN: a sum or dot with NaN (or +Inf and −Inf) is NaN; min/max with one NaN is NaN; −0 is below +0', ({ x, mem }) => {
  for (const dtype of FLOATS) {
    const A = mem.array(dtype, 21), v = A.view();
    const r = (op, b = 0, e = 21) => K.runReduce(x, { kind: 'reduce', op, dtype }, op === 'dot' ? [A.ptr, A.ptr] : [A.ptr], b, e);
    v.fill(1); v[13] = NaN;
    for (const op of K.REDUCE_OPS) assert.ok(Number.isNaN(r(op)), `${op} ${dtype} with a NaN`);
    v.fill(1); v[2] = Infinity; v[19] = -Infinity;
    assert.ok(Number.isNaN(r('sum')), `Inf − Inf ${dtype}`);
    assert.is(r('min'), -Infinity); assert.is(r('max'), Infinity);
    v.fill(0); v[6] = -0;
    assert.ok(same(r('min'), -0), `min of ±0 ${dtype} is −0`);
    assert.ok(same(r('max'), 0), `max of ±0 ${dtype} is +0`);
    v.fill(-0);
    assert.ok(same(r('max'), -0), `max of all −0 ${dtype} is −0`);
  }
});

Reduce('empty ranges give identity(desc); combine(desc, identity, v) = v; chunked partials = the whole', ({ x, mem }) => {
  for (const dtype of K.DTYPES) {
    const n = 1000, A = mem.array(dtype, n), B = mem.array(dtype, n);
    const a = data(dtype, n, 31, { specials: false }), b = data(dtype, n, 32, { specials: false });
    A.view().set(a); B.view().set(b);
    for (const op of K.REDUCE_OPS) {
      const desc = { kind: 'reduce', op, dtype };
      const ins = op === 'dot' ? [A.ptr, B.ptr] : [A.ptr];
      const id = K.identity(desc);
      assert.ok(same(K.runReduce(x, desc, ins, 17, 17), id), `${op} ${dtype} empty`);
      assert.is(K.combine(desc, id, 42), 42);
      let c = id;
      for (let s = 0; s < n; s += 77) c = K.combine(desc, c, K.runReduce(x, desc, ins, s, Math.min(n, s + 77)));
      const whole = K.runReduce(x, desc, ins, 0, n);
      if (FLOATS.includes(dtype) && (op === 'sum' || op === 'dot')) assert.ok(Math.abs(c - whole) <= 1e-9 * Math.abs(whole) + 1e-9, `${op} ${dtype}`);
      else assert.is(c, whole, `${op} ${dtype}: chunked = whole`);
    }
  }
  assert.equal(['f32', 'f64', 'i32', 'u32'].map((dtype) => K.identity({ kind: 'reduce', op: 'min', dtype })), [Infinity, Infinity, 2 ** 31 - 1, 2 ** 32 - 1]);
  assert.equal(['f32', 'f64', 'i32', 'u32'].map((dtype) => K.identity({ kind: 'reduce', op: 'max', dtype })), [-Infinity, -Infinity, -(2 ** 31), 0]);
  assert.is(K.combine({ kind: 'reduce', op: 'sum', dtype: 'i32' }, 2 ** 31 - 1, 1), -(2 ** 31));
  assert.is(K.combine({ kind: 'reduce', op: 'sum', dtype: 'u32' }, 2 ** 32 - 1, 2), 1);
});

Reduce.run();

// ---

/** Sequential reference scan: f64 (unrounded) running sums for floats, wrapping for integers. */
function scanRef(dtype, inclusive, a, begin, end, carry) {
  const out = new Float64Array(a.length);
  let c = carry;
  for (let i = begin; i < end; i++) {
    if (!inclusive) out[i] = c;
    c += a[i];
    if (dtype === 'i32') c |= 0; else if (dtype === 'u32') c >>>= 0;
    if (inclusive) out[i] = c;
  }
  return { out, total: c };
}

const Scan = suite('scan: inclusive / exclusive × dtype, carries and chaining');
Scan.before(setup);
Scan.after.each(reset);

for (const dtype of K.DTYPES) {
  for (const inclusive of [true, false]) {
    Scan(`${inclusive ? 'inclusive' : 'exclusive'} ${dtype}: sizes ${SIZES.join(', ')}, unaligned, off both ends, with a carry in`, ({ x, mem }) => {
      const desc = { kind: 'scan', op: 'sum', inclusive, dtype };
      const int = !FLOATS.includes(dtype);
      for (const n of SIZES) {
        const S = mem.array(dtype, n, 1), D = mem.array(dtype, n, 2);
        for (const [begin, end] of ranges(n)) {
          for (const integers of int ? [false] : [true, false]) {
            const a = data(dtype, n, 3 * n + begin, { specials: false, integers });
            const carry = dtype === 'u32' ? 4000000000 : dtype === 'i32' ? -5 : 0.5;
            S.view().set(a);
            D.view().fill(9);
            const total = K.scanChunk(x, desc, S.ptr, D.ptr, begin, end, carry);
            const ref = scanRef(dtype, inclusive, a, begin, end, carry);
            const got = D.view();
            const want = new CTOR[dtype](ref.out).fill(9, 0, begin).fill(9, end);
            if (int || integers) {
              assert.is(total, ref.total, `total n=${n}`);
              for (let i = 0; i < n; i++) if (!same(got[i], want[i])) assert.unreachable(`${dtype} n=${n} [${begin}, ${end}) at ${i}: ${got[i]} vs ${want[i]}`);
            } else {
              let abs = Math.abs(carry);
              const tolAt = (v) => 2 ** -23 * Math.abs(v) + 4 * (n + 1) * 2 ** -53 * abs;
              for (let i = 0; i < n; i++) {
                if (i >= begin && i < end) abs += Math.abs(a[i]);
                const g = got[i], w = i >= begin && i < end ? ref.out[i] : 9;
                if (!(Math.abs(g - w) <= tolAt(w))) assert.unreachable(`${dtype} n=${n} [${begin}, ${end}) at ${i}: ${g} vs ${w}`);
              }
              assert.ok(Math.abs(total - ref.total) <= 4 * (n + 1) * 2 ** -53 * abs, `total ${total} vs ${ref.total}`);
            }
          }
        }
      }
    });
  }
}

Scan('chaining: chunks split at multiples of 4 give the whole scan bit for bit; integers at any split; in place', ({ x, mem }) => {
  const n = 100003;
  for (const dtype of K.DTYPES) {
    for (const inclusive of [true, false]) {
      const desc = { kind: 'scan', op: 'sum', inclusive, dtype };
      const S = mem.array(dtype, n), W = mem.array(dtype, n), C = mem.array(dtype, n);
      const a = data(dtype, n, 41, { specials: false });
      S.view().set(a);
      const whole = K.scanChunk(x, desc, S.ptr, W.ptr, 0, n, 0);
      const splits = (step) => { const s = [0]; for (let p = step; p < n; p += step) s.push(p); s.push(n); return s; };
      const int = !FLOATS.includes(dtype);
      for (const cuts of [splits(4 * 997), splits(1024), ...(int ? [splits(333), splits(7)] : [])]) {
        // pass 1: chunk sums, folded left to right; pass 2: each chunk scanned with its carry in
        const carries = [K.identity(desc)];
        for (let k = 0; k + 1 < cuts.length; k++) {
          carries.push(K.combine(desc, carries[k], K.runReduce(x, { kind: 'reduce', op: 'sum', dtype }, [S.ptr], cuts[k], cuts[k + 1])));
        }
        let last;
        for (let k = cuts.length - 2; k >= 0; k--) {  // any order: the chunks are independent now
          const t = K.scanChunk(x, desc, S.ptr, C.ptr, cuts[k], cuts[k + 1], carries[k]);
          if (k === cuts.length - 2) last = t;
        }
        if (int) assert.is(last, whole, `${dtype} total`);
        // the f32/f64 chunk sums came from runReduce (8-lane order), so carries may differ in the last bits:
        // chain with scanChunk's own carries for the bitwise claim
        let c = 0;
        const D = mem.array(dtype, n);
        for (let k = 0; k + 1 < cuts.length; k++) c = K.scanChunk(x, desc, S.ptr, D.ptr, cuts[k], cuts[k + 1], c);
        assert.ok(same(c, whole), `${dtype} ${inclusive} carry chained ${c} vs whole ${whole}`);
        const dv = D.view(), wv = W.view(), cv = C.view();
        for (let i = 0; i < n; i++) {
          if (!same(dv[i], wv[i])) assert.unreachable(`${dtype} ${inclusive} chained at ${i}: ${dv[i]} vs ${wv[i]} (cut every ${cuts[1]})`);
          if (int && cv[i] !== wv[i]) assert.unreachable(`${dtype} two-pass at ${i}: ${cv[i]} vs ${wv[i]}`);
          if (!int && !(Math.abs(cv[i] - wv[i]) <= 1e-6 * Math.abs(wv[i]) + 1e-6)) assert.unreachable(`${dtype} two-pass at ${i}: ${cv[i]} vs ${wv[i]}`);
        }
      }
      // in place equals out of place
      K.scanChunk(x, desc, S.ptr, S.ptr, 0, n, 0);
      const sv = S.view(), wv = W.view();
      for (let i = 0; i < n; i++) if (!same(sv[i], wv[i])) assert.unreachable(`${dtype} in place at ${i}`);
    }
  }
});

Scan('odd float splits agree to rounding; exclusive starts at the carry; an empty range returns the carry', ({ x, mem }) => {
  for (const dtype of FLOATS) {
    const n = 10007, S = mem.array(dtype, n), W = mem.array(dtype, n), D = mem.array(dtype, n);
    const a = data(dtype, n, 51, { specials: false, lo: 0, hi: 1 });
    S.view().set(a);
    const desc = { kind: 'scan', op: 'sum', inclusive: true, dtype };
    const whole = K.scanChunk(x, desc, S.ptr, W.ptr, 0, n, 0);
    let c = 0;
    for (let b = 0; b < n; b += 13) c = K.scanChunk(x, desc, S.ptr, D.ptr, b, Math.min(n, b + 13), c);
    assert.ok(Math.abs(c - whole) <= 1e-12 * whole, `${dtype}: ${c} vs ${whole}`);
    const dv = D.view(), wv = W.view();
    for (let i = 0; i < n; i++) if (!(Math.abs(dv[i] - wv[i]) <= 2 ** -22 * wv[i])) assert.unreachable(`${dtype} at ${i}: ${dv[i]} vs ${wv[i]}`);
    const ex = { kind: 'scan', op: 'sum', inclusive: false, dtype };
    assert.is(K.scanChunk(x, ex, S.ptr, D.ptr, 5, 5, 2.5), 2.5);
    K.scanChunk(x, ex, S.ptr, D.ptr, 5, 9, 2.5);
    assert.is(D.view()[5], 2.5);
  }
});

Scan.run();

// ---

/** Reference order: TypedArray.prototype.sort (numeric, −0 before +0, NaN last); desc reverses all but the NaNs. */
function sortRef(dtype, values, order) {
  const s = CTOR[dtype].from(values).sort();
  if (order !== 'desc') return s;
  const nan = s.findIndex((v) => Number.isNaN(v));
  const num = nan < 0 ? s : s.subarray(0, nan);
  return CTOR[dtype].from([...num].reverse().concat(nan < 0 ? [] : [...s.subarray(nan)]));
}

function sortCase(x, mem, dtype, order, a, begin, end, label) {
  const n = a.length;
  const desc = { kind: 'sort', dtype, ...(order && { order }) };
  const P = mem.array(dtype, n, 1);
  const sp = mem.bytes(K.sortScratchBytes(desc, end - begin));
  P.view().set(a);
  K.sortRange(x, desc, P.ptr, sp, begin, end);
  const got = P.view();
  const want = CTOR[dtype].from(a);
  want.set(sortRef(dtype, a.subarray(begin, end), order), begin);
  for (let i = 0; i < n; i++) {
    if (!same(got[i], want[i])) assert.unreachable(`${label} ${dtype} ${order ?? 'asc'} n=${n} [${begin}, ${end}) at ${i}: ${show(got[i])} vs ${show(want[i])}`);
  }
  return P;
}

const Sort = suite('sort: sortRange and mergeRuns against TypedArray.prototype.sort');
Sort.before(setup);
Sort.after.each(reset);

for (const dtype of K.DTYPES) {
  for (const order of [undefined, 'desc']) {
    Sort(`sortRange ${dtype} ${order ?? 'asc'}: sizes ${SIZES.join(', ')} with NaN/±Inf/±0, unaligned, ranges off both ends`, ({ x, mem }) => {
      for (const n of SIZES) {
        for (const [begin, end] of ranges(n)) sortCase(x, mem, dtype, order, data(dtype, n, 61 * n + begin), begin, end, 'random');
      }
    });
  }
}

Sort('key structure: all equal (no pass), one varying byte (odd pass count), sorted, reversed, few distinct', ({ x, mem }) => {
  const n = 5000;
  for (const dtype of K.DTYPES) {
    const shapes = {
      equal: () => new CTOR[dtype](n).fill(dtype === 'u32' ? 7 : -7),
      highByte: () => CTOR[dtype].from({ length: n }, (_, i) => (dtype.startsWith('f') ? 2 ** ((i * 37) % 60) : ((i * 37) % 127) << 24)),
      sorted: () => CTOR[dtype].from({ length: n }, (_, i) => i - 2500),
      reversed: () => CTOR[dtype].from({ length: n }, (_, i) => 2500 - i),
      few: () => CTOR[dtype].from({ length: n }, (_, i) => [3, -1, 0, 1e6][i % 4]),
    };
    for (const [name, make] of Object.entries(shapes)) {
      for (const order of [undefined, 'desc']) sortCase(x, mem, dtype, order, make(), 0, n, name);
    }
  }
});

Sort('NaNs come out last as the canonical quiet NaN; −0 sorts before +0 ascending and after it descending', ({ x, mem }) => {
  const bits = new Uint32Array([0xffc00001, 0x7f800001, 0x3f800000, 0x80000000, 0x00000000, 0xbf800000, 0x7fffffff, 0xff800000]);
  const a = new Float32Array(bits.buffer);
  const expect = {
    asc: ['-Infinity', '-1', '-0', '0', '1', 'NaN', 'NaN', 'NaN'],
    desc: ['1', '0', '-0', '-1', '-Infinity', 'NaN', 'NaN', 'NaN'],
  };
  for (const order of [undefined, 'desc']) {
    for (const n of [8, 64]) { // the insertion-sort path and the radix path
      const v = new Float32Array(n).map((_, i) => a[i % 8]);
      const P = sortCase(x, mem, 'f32', order, v, 0, n, 'nan');
      if (n === 8) assert.equal([...P.view()].map(show), expect[order ?? 'asc']);
      const u = new Uint32Array(mem.core.memory.buffer, P.ptr, n);
      const nans = [...u].filter((w) => (w & 0x7fffffff) > 0x7f800000);
      assert.is(nans.length, (3 * n) / 8);
      assert.ok(nans.every((w) => w === 0x7fc00000), `canonical NaN bits: ${nans.map((w) => w.toString(16))}`);
    }
  }
});

Sort('mergeRuns: two sorted runs merge to the reference order at any split, empty runs included', ({ x, mem }) => {
  for (const dtype of K.DTYPES) {
    for (const order of [undefined, 'desc']) {
      const desc = { kind: 'sort', dtype, ...(order && { order }) };
      for (const n of [0, 1, 5, 17, 1000, 100003]) {
        const a = data(dtype, n, 71 + n);
        for (const cut of [0, n >> 1, Math.floor(n / 3), n]) {
          const src = CTOR[dtype].from([...sortRef(dtype, a.subarray(0, cut), order), ...sortRef(dtype, a.subarray(cut), order)]);
          const S = mem.array(dtype, n, 1), D = mem.array(dtype, n, 2);
          S.view().set(src);
          K.mergeRuns(x, desc, S.ptr, D.ptr, 0, cut, n);
          const got = D.view(), want = sortRef(dtype, a, order);
          for (let i = 0; i < n; i++) if (!same(got[i], want[i])) assert.unreachable(`${dtype} ${order ?? 'asc'} n=${n} cut=${cut} at ${i}: ${show(got[i])} vs ${show(want[i])}`);
        }
      }
    }
  }
});

Sort('mergeRuns is stable: NaNs with distinct payloads keep left-run-first, input order', ({ x, mem }) => {
  const desc = { kind: 'sort', dtype: 'f32' };
  const bits = new Uint32Array([0x3f800000, 0x7fc00001, 0x7fc00002, /* run 2 */ 0x40000000, 0x7fc00003, 0xffc00004]);
  const S = mem.array('f32', 6), D = mem.array('f32', 6);
  new Uint32Array(mem.core.memory.buffer, S.ptr, 6).set(bits);
  K.mergeRuns(x, desc, S.ptr, D.ptr, 0, 3, 6);
  assert.equal([...new Uint32Array(mem.core.memory.buffer, D.ptr, 6)], [0x3f800000, 0x40000000, 0x7fc00001, 0x7fc00002, 0x7fc00003, 0xffc00004]);
  // f64: the same with 64-bit NaN payloads (compare the high words)
  const S8 = mem.array('f64', 4), D8 = mem.array('f64', 4);
  const w = new Uint32Array(mem.core.memory.buffer, S8.ptr, 8);
  w.set([0, 0x3ff00000, 0, 0x7ff80001, /* run 2 */ 0, 0x7ff80002, 0, 0xfff80003]);
  K.mergeRuns(x, { kind: 'sort', dtype: 'f64' }, S8.ptr, D8.ptr, 0, 2, 4);
  const o = new Uint32Array(mem.core.memory.buffer, D8.ptr, 8);
  assert.equal([o[1], o[3], o[5], o[7]], [0x3ff00000, 0x7ff80001, 0x7ff80002, 0xfff80003]);
});

Sort('a parallel sort from the pieces: sortRange on 8 chunks, then a tree of mergeRuns, equals the reference', ({ x, mem }) => {
  for (const dtype of K.DTYPES) {
    const n = 100003, desc = { kind: 'sort', dtype };
    const a = data(dtype, n, 81);
    const A = mem.array(dtype, n), B = mem.array(dtype, n);
    A.view().set(a);
    const cuts = Array.from({ length: 9 }, (_, k) => Math.round((k * n) / 8));
    const sp = mem.bytes(K.sortScratchBytes(desc, n));
    for (let k = 0; k < 8; k++) K.sortRange(x, desc, A.ptr, sp, cuts[k], cuts[k + 1]);
    let src = A, dst = B, runs = cuts;
    while (runs.length > 2) {
      const next = [0];
      for (let k = 0; k + 1 < runs.length; k += 2) {
        const end = runs[k + 2] ?? runs[k + 1];
        if (k + 2 < runs.length) K.mergeRuns(x, desc, src.ptr, dst.ptr, runs[k], runs[k + 1], runs[k + 2]);
        else K.mergeRuns(x, desc, src.ptr, dst.ptr, runs[k], runs[k + 1], runs[k + 1]); // odd run: copied
        next.push(end);
      }
      runs = next;
      [src, dst] = [dst, src];
    }
    const got = src.view(), want = sortRef(dtype, a);
    for (let i = 0; i < n; i++) if (!same(got[i], want[i])) assert.unreachable(`${dtype} at ${i}: ${show(got[i])} vs ${show(want[i])}`);
  }
});

Sort.run();
