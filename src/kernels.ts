// Built-in numeric kernels: elementwise map, reduce, scan and sort over ranges of typed arrays in the
// core's shared memory, run by Wasm SIMD code in the calling thread (assembly/kernels/), one Wasm call
// per range and never one per element.
//
// A kernel is named by a plain, JSON-able descriptor that says what to compute and not how, so that a
// WGSL kernel can implement the same descriptor later (CPU/GPU routing):
//
//   { kind: 'map',    op, dtype, scalars? }      out[i] = op(in0[i], in1[i], in2[i]; scalars)
//   { kind: 'reduce', op, dtype }                 sum | min | max of in0, or dot = Σ in0[i]·in1[i]
//   { kind: 'scan',   op: 'sum', inclusive, dtype }  prefix sums, with a carry in and out
//   { kind: 'sort',   dtype, order? }             ascending (default) or descending
//
// Shapes are one-dimensional: a call covers element indices [begin, end) of every array it is given
// (the same indices in each), so a map's or scan's output has the input's length and a reduce gives one
// number. Dtypes: 'f32' | 'f64' | 'i32' | 'u32'. Arrays are passed as pointers: the byte offset of
// element 0 in the shared memory (`array.byteOffset` for an array from `executor.shared(...)`).
//
// Map ops (arity = input arrays; scalars in `scalars`):
//   copy a · add a+b · sub a−b · mul a·b · div a/b · fma a·b+c · scale a·s0 · axpy s0·a+b · offset a+s0 ·
//   abs |a| · neg −a · min · max · clamp min(max(a, s0), s1) · sqrt · exp · log
//   div, sqrt, exp, log are float-only. fma rounds twice (a·b, then + c): Wasm SIMD has no fused form.
//   Integers wrap modulo 2^32 (abs(−2^31) = −2^31 for i32; abs is the identity for u32; neg wraps).
//   Scalars are converted to the dtype: rounded to f32 for 'f32'; integers must be integers in range.
// Numbers, stated and tested (test/kernels.test.mjs):
//   - min / max (map and reduce) propagate NaN and order −0 before +0, exactly as Math.min / Math.max.
//   - exp and log are polynomial approximations (assembly/kernels/approx.ts): max relative error against
//     Math.exp / Math.log ≤ 1.5e-7 for f32 (exp on x ∈ [−87.3, 88.7], log on all positive f32) and
//     ≤ 3e-16 for f64 (exp on x ∈ [−708, 709], log on all positive f64); exp overflows to +Inf and
//     underflows through the subnormals to 0; log(±0) = −Inf, log(x<0) = NaN, log(+Inf) = +Inf.
//   - f32 sum and dot accumulate in f64 and return the f64 value (not rounded to f32): the error is an
//     f64 sum's, far below an f32 ulp. f64 sums use 8 partial lanes (order differs from a loop; error
//     ≤ n·ε·Σ|x|). i32 / u32 sums and dots wrap modulo 2^32 (as WGSL does), exact in any order.
//   - An empty range reduces to identity(desc): 0 for sum/dot, +Inf / −Inf for f32/f64 min / max, the
//     type's max / min for integers.
//   - Scans: f32 accumulates in f64 and rounds each output once; the carry returned is the f64 total.
//     Float scans pair elements in groups of 4 aligned to index 0, so they may differ from a strict
//     left-to-right sum by f64 rounding; chunks split at multiples of 4 chain to the whole scan's exact
//     bits. Integer scans wrap and are exact at any split.
//   - Sort: NaNs last in both orders, −0 before +0 ascending (Float32Array.prototype.sort's order);
//     sortRange writes NaNs back as the canonical quiet NaN; mergeRuns is stable (left run first on ties)
//     and copies bits unchanged.
//
// A descriptor is checked (checkKernel) the first time it runs and its compiled form is cached by object
// identity, so a per-chunk call costs a WeakMap lookup: treat a descriptor as immutable once used.
//
// Threads: every function here is callable in any thread that has the core's exports (`core.x` of a
// SharedCore, host or worker), on ranges no other thread writes during the call. The kernels use plain
// loads and stores; whatever hands the range to another thread afterwards (a task's retire, a queue
// push, a postMessage) is the atomic operation that publishes the writes.
import type { CoreExports } from './engine/memory.js';
import { messages } from './errors.js';

/** Element types the kernels handle. */
export type Dtype = 'f32' | 'f64' | 'i32' | 'u32';
/** Elementwise operations of a map kernel. */
export type MapOp = 'copy' | 'add' | 'sub' | 'mul' | 'div' | 'fma' | 'scale' | 'axpy' | 'offset' | 'abs' | 'neg' |
  'min' | 'max' | 'clamp' | 'sqrt' | 'exp' | 'log';
export type ReduceOp = 'sum' | 'min' | 'max' | 'dot';

export interface MapKernel { kind: 'map'; op: MapOp; dtype: Dtype; scalars?: readonly number[] }
export interface ReduceKernel { kind: 'reduce'; op: ReduceOp; dtype: Dtype }
export interface ScanKernel { kind: 'scan'; op: 'sum'; inclusive: boolean; dtype: Dtype }
export interface SortKernel { kind: 'sort'; dtype: Dtype; order?: 'asc' | 'desc' }
/** A device-neutral kernel descriptor (plain data: it can be sent to a worker or serialised as JSON). */
export type KernelDesc = MapKernel | ReduceKernel | ScanKernel | SortKernel;

/** The core exports the kernels call (a subset of {@link CoreExports}). */
export type KernelExports = Pick<CoreExports, 'memory' | 'kernelMap' | 'kernelReduce' | 'kernelScan' | 'kernelSort' | 'kernelMerge'>;

// ---- tables (the numbers must match assembly/kernels/codes.ts) ----

/** Dtype → [code in the core, bytes per element]. */
const DTYPE: Record<Dtype, readonly [code: number, bytes: number]> = { f32: [0, 4], f64: [1, 8], i32: [2, 4], u32: [3, 4] };
/** Bytes per element of each dtype. */
export const ELEMENT_BYTES: Readonly<Record<Dtype, number>> = { f32: 4, f64: 8, i32: 4, u32: 4 };

/** Map op → code in the core, input arrays, scalars, whether only float dtypes have it. */
const MAP: Record<MapOp, readonly [code: number, arity: number, scalars: number, floatOnly: boolean]> = {
  copy: [0, 1, 0, false], add: [1, 2, 0, false], sub: [2, 2, 0, false], mul: [3, 2, 0, false],
  div: [4, 2, 0, true], fma: [5, 3, 0, false], scale: [6, 1, 1, false], axpy: [7, 2, 1, false],
  offset: [8, 1, 1, false], abs: [9, 1, 0, false], neg: [10, 1, 0, false], min: [11, 2, 0, false],
  max: [12, 2, 0, false], clamp: [13, 1, 2, false], sqrt: [14, 1, 0, true], exp: [15, 1, 0, true],
  log: [16, 1, 0, true],
};
/** Reduce op → [code in the core, input arrays]. */
const REDUCE: Record<ReduceOp, readonly [code: number, arity: number]> = { sum: [0, 1], min: [1, 1], max: [2, 1], dot: [3, 2] };

/** The ops of each kind, for error messages and for callers that enumerate them (tests, benches). */
export const MAP_OPS = Object.keys(MAP) as readonly MapOp[];
export const REDUCE_OPS = Object.keys(REDUCE) as readonly ReduceOp[];
export const DTYPES = Object.keys(DTYPE) as readonly Dtype[];

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1, U32_MAX = 2 ** 32 - 1;

// ---- validation ----

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new TypeError(messages.kernelField(field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v));
  }
  return v as T;
}

function isFloat(d: Dtype): boolean { return d === 'f32' || d === 'f64'; }

function checkScalar(d: Dtype, i: number, s: unknown): void {
  const field = `desc.scalars[${i}]`;
  if (typeof s !== 'number') throw new TypeError(messages.kernelField(field, 'a number', s));
  if (d === 'i32' && !(Number.isInteger(s) && s >= I32_MIN && s <= I32_MAX)) {
    throw new TypeError(messages.kernelField(field, `an integer in [${I32_MIN}, ${I32_MAX}] for dtype 'i32'`, s));
  }
  if (d === 'u32' && !(Number.isInteger(s) && s >= 0 && s <= U32_MAX)) {
    throw new TypeError(messages.kernelField(field, `an integer in [0, ${U32_MAX}] for dtype 'u32'`, s));
  }
}

/**
 * Checks a kernel descriptor and returns it typed; throws a TypeError naming the bad field otherwise.
 * Pure: no core needed.
 * @example checkKernel({ kind: 'map', op: 'scale', dtype: 'f32', scalars: [2] })
 */
export function checkKernel(desc: unknown): KernelDesc {
  if (desc === null || typeof desc !== 'object' || Array.isArray(desc)) throw new TypeError(messages.kernelField('desc', 'an object', desc));
  const d = desc as Record<string, unknown>;
  const kind = oneOf('desc.kind', d.kind, ['map', 'reduce', 'scan', 'sort'] as const);
  const dtype = oneOf('desc.dtype', d.dtype, DTYPES);
  switch (kind) {
    case 'map': {
      const op = oneOf('desc.op', d.op, MAP_OPS);
      const [, , nScalars, floatOnly] = MAP[op];
      if (floatOnly && !isFloat(dtype)) throw new TypeError(messages.kernelFloatOnly(op, dtype));
      const s = d.scalars;
      if (s === undefined ? nScalars !== 0 : !Array.isArray(s) || s.length !== nScalars) throw new TypeError(messages.kernelScalars(op, nScalars, s));
      if (Array.isArray(s)) s.forEach((v, i) => checkScalar(dtype, i, v));
      if (op === 'clamp') {
        const [lo, hi] = s as number[];
        if (!(lo <= hi)) throw new TypeError(messages.kernelClampOrder(lo, hi));
      }
      break;
    }
    case 'reduce':
      oneOf('desc.op', d.op, REDUCE_OPS);
      break;
    case 'scan':
      oneOf('desc.op', d.op, ['sum'] as const);
      if (typeof d.inclusive !== 'boolean') throw new TypeError(messages.kernelField('desc.inclusive', 'true or false', d.inclusive));
      break;
    case 'sort':
      if (d.order !== undefined) oneOf('desc.order', d.order, ['asc', 'desc'] as const);
      break;
  }
  return desc as KernelDesc;
}

/** How many input arrays a map or reduce kernel reads (1 for scan and sort). Pure. */
export function arity(desc: KernelDesc): number {
  if (desc.kind === 'map') return MAP[desc.op][1];
  if (desc.kind === 'reduce') return REDUCE[desc.op][1];
  return 1;
}

// ---- compiled form, cached per descriptor object ----

interface Compiled { kind: KernelDesc['kind']; code: number; dtype: number; bytes: number; arity: number; s0: number; s1: number; flag: number }
const compiled = new WeakMap<object, Compiled>();

/** Validates once per descriptor object (descriptors are treated as immutable once used). */
function compile(desc: KernelDesc, fn: string, want: KernelDesc['kind']): Compiled {
  let c = compiled.get(desc);
  if (c === undefined) {
    checkKernel(desc);
    const [dtype, bytes] = DTYPE[desc.dtype];
    c = { kind: desc.kind, code: 0, dtype, bytes, arity: 1, s0: 0, s1: 0, flag: 0 };
    if (desc.kind === 'map') {
      [c.code, c.arity] = MAP[desc.op];
      c.s0 = desc.scalars?.[0] ?? 0;
      c.s1 = desc.scalars?.[1] ?? 0;
    } else if (desc.kind === 'reduce') {
      [c.code, c.arity] = REDUCE[desc.op];
    } else if (desc.kind === 'scan') {
      c.flag = desc.inclusive ? 1 : 0;
    } else {
      c.flag = desc.order === 'desc' ? 1 : 0;
    }
    compiled.set(desc, c);
  }
  if (c.kind !== want) throw new TypeError(messages.kernelKind(fn, want, c.kind));
  return c;
}

function checkRange(fn: string, begin: number, end: number): void {
  if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && begin <= end && end <= I32_MAX)) {
    throw new RangeError(messages.kernelRange(fn, begin, end));
  }
}

/** Throws unless [ptr + from·bytes, ptr + to·bytes) lies inside the memory (a trap would say less). `at`: the index of `name`'s entry, if one of a list. */
function checkPtr(x: KernelExports, fn: string, name: string, ptr: number, to: number, bytes: number, at = -1): void {
  if (!(Number.isInteger(ptr) && ptr >= 0)) throw new RangeError(messages.kernelPointer(fn, at < 0 ? name : `${name}[${at}]`, ptr));
  const last = ptr + to * bytes;
  const size = x.memory.buffer.byteLength;
  if (last > size) throw new RangeError(messages.kernelOutside(fn, at < 0 ? name : `${name}[${at}]`, last, size));
}

// ---- execution ----

/**
 * out[i] = op(inputs[0][i], inputs[1][i], inputs[2][i]; scalars) for i in [begin, end). `out` and each
 * input are pointers (byte offsets of element 0); `out` may equal an input, not partly overlap one.
 * Any thread with the core's exports; the range of `out` must be the caller's alone during the call.
 * @example runMap(core.x, { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] }, y.byteOffset, [x.byteOffset, y.byteOffset], 0, y.length)
 */
export function runMap(x: KernelExports, desc: MapKernel, out: number, inputs: readonly number[], begin: number, end: number): void {
  const c = compile(desc, 'runMap', 'map');
  checkRange('runMap', begin, end);
  if (!Array.isArray(inputs) || inputs.length !== c.arity) throw new TypeError(messages.kernelInputs('runMap', desc.op, c.arity, inputs));
  checkPtr(x, 'runMap', 'out', out, end, c.bytes);
  for (let i = 0; i < c.arity; i++) checkPtr(x, 'runMap', 'inputs', inputs[i], end, c.bytes, i);
  x.kernelMap(c.code, c.dtype, out, inputs[0], inputs[1] ?? 0, inputs[2] ?? 0, c.s0, c.s1, begin, end);
}

/**
 * The reduction of inputs[0][begin..end) (dot: Σ inputs[0][i]·inputs[1][i]) as a number; identity(desc)
 * for an empty range. Combine partials of several ranges with {@link combine}. Any thread.
 * @example runReduce(core.x, { kind: 'reduce', op: 'sum', dtype: 'f32' }, [a.byteOffset], 0, a.length)
 */
export function runReduce(x: KernelExports, desc: ReduceKernel, inputs: readonly number[], begin: number, end: number): number {
  const c = compile(desc, 'runReduce', 'reduce');
  checkRange('runReduce', begin, end);
  if (!Array.isArray(inputs) || inputs.length !== c.arity) throw new TypeError(messages.kernelInputs('runReduce', desc.op, c.arity, inputs));
  for (let i = 0; i < c.arity; i++) checkPtr(x, 'runReduce', 'inputs', inputs[i], end, c.bytes, i);
  return x.kernelReduce(c.code, c.dtype, inputs[0], inputs[1] ?? 0, begin, end);
}

/**
 * Combines two partial results of a reduce (or two scan totals) exactly as the kernel would have:
 * float sums in f64, integer sums wrapped to the dtype, min/max as Math.min/Math.max. Pure.
 */
export function combine(desc: ReduceKernel | ScanKernel, a: number, b: number): number {
  const op = desc.kind === 'scan' ? 'sum' : desc.op;
  if (op === 'min') return Math.min(a, b);
  if (op === 'max') return Math.max(a, b);
  if (desc.dtype === 'i32') return (a + b) | 0;
  if (desc.dtype === 'u32') return (a + b) >>> 0;
  return a + b;
}

/** The value an empty range reduces to: combine(desc, identity(desc), v) === v. Pure. */
export function identity(desc: ReduceKernel | ScanKernel): number {
  const op = desc.kind === 'scan' ? 'sum' : desc.op;
  if (op === 'min') return desc.dtype === 'i32' ? I32_MAX : desc.dtype === 'u32' ? U32_MAX : Infinity;
  if (op === 'max') return desc.dtype === 'i32' ? I32_MIN : desc.dtype === 'u32' ? 0 : -Infinity;
  return 0;
}

/**
 * Scans src[begin..end) into dst[begin..end) starting from `carry` and returns carry + the range's sum,
 * the carry of the next range (pass 2 of a parallel scan; pass 1 is runReduce 'sum' per chunk, combined
 * left to right from identity). dst may equal src. Any thread; dst's range must be the caller's alone.
 * @example let c = 0; for (const [b, e] of chunks) c = scanChunk(core.x, desc, a.byteOffset, a.byteOffset, b, e, c);
 */
export function scanChunk(x: KernelExports, desc: ScanKernel, src: number, dst: number, begin: number, end: number, carry: number): number {
  const c = compile(desc, 'scanChunk', 'scan');
  checkRange('scanChunk', begin, end);
  checkPtr(x, 'scanChunk', 'src', src, end, c.bytes);
  checkPtr(x, 'scanChunk', 'dst', dst, end, c.bytes);
  const d = desc.dtype;
  if (typeof carry !== 'number' || (d === 'i32' && !(Number.isInteger(carry) && carry >= I32_MIN && carry <= I32_MAX)) ||
      (d === 'u32' && !(Number.isInteger(carry) && carry >= 0 && carry <= U32_MAX))) {
    throw new TypeError(messages.kernelCarry(d, carry));
  }
  return x.kernelScan(c.dtype, c.flag, src, dst, begin, end, carry);
}

/** Bytes of scratch sortRange needs for n elements: n elements plus the digit histograms. Pure. */
export function sortScratchBytes(desc: SortKernel, n: number): number {
  const bytes = ELEMENT_BYTES[desc.dtype];
  return n * bytes + bytes * 1024;
}

/**
 * Sorts elements [begin, end) of the array at `ptr` in place (LSD radix sort). `scratch` is a pointer to
 * at least sortScratchBytes(desc, end − begin) bytes not overlapping the range. Any thread; the range and
 * the scratch must be the caller's alone.
 * @example sortRange(core.x, { kind: 'sort', dtype: 'f32' }, a.byteOffset, tmp.byteOffset, 0, a.length)
 */
export function sortRange(x: KernelExports, desc: SortKernel, ptr: number, scratch: number, begin: number, end: number): void {
  const c = compile(desc, 'sortRange', 'sort');
  checkRange('sortRange', begin, end);
  checkPtr(x, 'sortRange', 'ptr', ptr, end, c.bytes);
  checkPtr(x, 'sortRange', 'scratch', scratch, 1, sortScratchBytes(desc, end - begin));
  x.kernelSort(c.dtype, c.flag, ptr, scratch, begin, end);
}

/**
 * Merges the sorted runs src[a0..a1) and src[a1..b1) into dst[a0..b1) (same indices in both arrays, which
 * must not overlap), in the kernel's order; stable. Any thread; dst's range must be the caller's alone.
 * @example mergeRuns(core.x, desc, a.byteOffset, tmp.byteOffset, 0, a.length >> 1, a.length)
 */
export function mergeRuns(x: KernelExports, desc: SortKernel, src: number, dst: number, a0: number, a1: number, b1: number): void {
  const c = compile(desc, 'mergeRuns', 'sort');
  checkRange('mergeRuns', a0, a1);
  checkRange('mergeRuns', a1, b1);
  checkPtr(x, 'mergeRuns', 'src', src, b1, c.bytes);
  checkPtr(x, 'mergeRuns', 'dst', dst, b1, c.bytes);
  x.kernelMerge(c.dtype, c.flag, src, dst, a0, a1, b1);
}

/** The dtype of a typed array the kernels handle, or undefined (Float32Array → 'f32', …). Pure. */
export function dtypeOf(a: ArrayBufferView): Dtype | undefined {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return undefined;
}
