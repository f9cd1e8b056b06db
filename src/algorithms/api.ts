// The parallel algorithms' public API: free functions over an executor, each with a `.task(tf, …)` form
// that adds the same work to a Taskflow as one task (its result is what the direct form resolves with).
// Both forms run the same builtin task (builtins.ts); this file only checks the arguments and writes
// them in the builtin's argument list (spec.ts). Callbacks travel as function ids: the engine's own
// (Engine.fnId) in the direct form, FnArg resolved at placement in the graph form.
import type { SharedArrayCtor } from '../engine/codec.js';
import { Arg } from './spec.js';
import type { Partitioner } from './partition.js';
import { MAP_OPS, MAP_NAMES, REDUCE_NAMES, SCAN_OPS, type MapOp, type ScanOp } from './ops.js';
import type { NumArray } from './merge.js';
import { mapGpu, reduceGpu, scanGpu, sortGpu } from './device.js';
import type { Device } from '../policy/placement.js';
import { messages } from '../errors.js';
import { type Call, type PartitionOptions, type MapSpec, call, callback, array, sameLength, inputs, algorithm } from './call.js';
import type { ExecutorRef } from '../engine/engine.js';
import type { Taskflow, Task } from '../graph/taskflow.js';
import type { IndexRange, Rank } from './index-range.js';
import { type BoxFn, type LocalReducer, forEachByIndexCall, reduceByRangeCall } from './api-ranges.js';

export type { Algorithm, PartitionOptions, MapSpec } from './call.js';

// ---- the algorithms ----

/**
 * Calls `fn(array, lo, hi)` on chunks covering the array, in parallel. Resolves once every chunk ran.
 * @example await forEach(executor, data, (a, lo, hi) => { for (let i = lo; i < hi; i++) a[i] *= 2; });
 */
export const forEach = algorithm<[array: NumArray, fn: (a: any, lo: number, hi: number) => void, options?: PartitionOptions], void>(
  (a, f, o) => {
    const c = call('forEach', 'forEach(executor, array, fn, options)', o);
    c.args[Arg.A] = array(c, a, 'array');
    callback(c, Arg.F1, f, 'fn');
    return c;
  });

/** Checks an index range (first, first + step, … before last) and returns it. */
function indexRange(c: Call, first: unknown, last: unknown, step: unknown): [number, number, number] {
  for (const [v, l] of [[first, 'first'], [last, 'last']] as const) {
    if (!Number.isSafeInteger(v)) throw new TypeError(messages.argType(`${c.what}: ${l}`, 'an integer', v));
  }
  if (!Number.isSafeInteger(step) || step === 0) throw new TypeError(messages.argType(`${c.what}: step`, 'a non-zero integer', step));
  return [first as number, last as number, step as number];
}

/** forEachIndex in both forms: over first, last, step, or over an IndexRange (as forEachByIndex). */
export interface ForEachIndex {
  <N extends Rank>(executor: ExecutorRef, range: IndexRange<N>, fn: BoxFn<N>, options?: PartitionOptions): Promise<void>;
  (executor: ExecutorRef, first: number, last: number, step: number, fn: (begin: number, end: number, step: number) => void, options?: PartitionOptions): Promise<void>;
  task<N extends Rank>(tf: Taskflow, range: IndexRange<N>, fn: BoxFn<N>, options?: PartitionOptions): Task;
  task(tf: Taskflow, first: number, last: number, step: number, fn: (begin: number, end: number, step: number) => void, options?: PartitionOptions): Task;
}

/**
 * Calls `fn(begin, end, step)` on chunks of the indices first, first + step, … before last (a negative
 * step counts down); fn visits `for (let i = begin; step > 0 ? i < end : i > end; i += step)`. Given an
 * IndexRange instead of first, last and step, it is forEachByIndex.
 */
export const forEachIndex = algorithm<[first: unknown, ...rest: any[]], void>(
  (first, last, step, f, o) => {
    if (typeof first === 'object') return forEachByIndexCall('forEachIndex', first, last, step);   // (range, fn, options)
    const c = call('forEachIndex', 'forEachIndex(executor, first, last, step, fn, options)', o);
    [c.args[Arg.X0], c.args[Arg.X1], c.args[Arg.X2]] = indexRange(c, first, last, step);
    callback(c, Arg.F1, f, 'fn');
    return c;
  }) as unknown as ForEachIndex;

/**
 * out = f(input…), chunk by chunk: a callback `fn(a, [b, [c,]] out, lo, hi)` writing out[lo, hi), or a
 * built-in operation ('add', { op: 'scale', s0: 2 }, …; Wasm SIMD for f32/f64/i32/u32). Input is one
 * array or a list of up to three (the op's arity); every array has out's length. out may be an input.
 * Resolves with out.
 */
export const transform = algorithm<[input: NumArray | NumArray[], out: NumArray, f: MapSpec | ((...a: any[]) => void), options?: PartitionOptions], NumArray>(
  (input, out, f, o) => {
    const c = call('transform', 'transform(executor, input, out, fn | op, options)', o);
    const ins = inputs(c, input);
    const o2 = array(c, out, 'out');
    sameLength(c, [o2, ...ins], ['out', ...ins.map((_, i) => (ins.length === 1 ? 'input' : `input[${i}]`))]);
    [c.args[Arg.A], c.args[Arg.B], c.args[Arg.C]] = [ins[0], ins[1] ?? null, ins[2] ?? null];
    c.args[Arg.Out] = o2;
    if (typeof f === 'function') callback(c, Arg.F1, f, 'fn');
    else {
      const spec = typeof f === 'string' ? { op: f } : f;
      const op = (spec as { op?: unknown } | null)?.op;
      if (typeof op !== 'string' || !(op in MAP_OPS)) {
        throw new TypeError(messages.algoOp(c.what, 'a function', MAP_NAMES, op ?? f));
      }
      const arity = MAP_OPS[op as MapOp];
      if (ins.length !== arity) throw new TypeError(messages.algoArity(c.what, op, arity, ins.length));
      const { s0 = 0, s1 = 0 } = spec as { s0?: number; s1?: number };
      if (typeof s0 !== 'number' || typeof s1 !== 'number') throw new TypeError(messages.algoScalars(c.what, op, s0, s1));
      c.args[Arg.F2] = MAP_NAMES.indexOf(op as MapOp); c.args[Arg.X0] = s0; c.args[Arg.X1] = s1;
      if (c.device !== 'cpu') c.gpu = mapGpu(op, ins, o2, s0, s1);
    }
    c.result = () => o2;
    return c;
  });

/** Options of reduce and transformReduce with a callback. */
export interface ReduceOptions extends PartitionOptions {
  /** Combines two partial results: required with a callback; must be associative and commutative. */
  combine?: (x: any, y: any) => unknown;
  /** Starting value, combined with the partials (with an op: the result for an empty array is init, else the op's identity). */
  init?: unknown;
}

function reduceCall(name: string, ins: NumArray[], f: unknown, o: ReduceOptions | undefined, ops: readonly string[]): Call {
  const c = call('reduce', `${name}(executor, ${name === 'reduce' ? 'array' : 'input'}, fn | op, options)`, o);
  [c.args[Arg.A], c.args[Arg.B]] = [ins[0], ins[1] ?? null];
  if (o?.init !== undefined) { c.args[Arg.X0] = o.init; c.args[Arg.X1] = 1; }
  if (typeof f === 'function') {
    callback(c, Arg.F1, f, 'fn');
    callback(c, Arg.F2, o?.combine, 'options.combine');
    return c;
  }
  if (typeof f !== 'string' || !ops.includes(f)) throw new TypeError(messages.algoOp(c.what, 'a function', ops, f));
  if (o?.init !== undefined && typeof o.init !== 'number') throw new TypeError(messages.callOption(c.what, 'init', `a number with '${f}'`, o.init));
  c.args[Arg.F2] = REDUCE_NAMES.indexOf(f as never);
  if (c.device !== 'cpu') c.gpu = reduceGpu(f as 'sum', ins, o?.init as number | undefined);
  return c;
}

/**
 * Reduces an array: 'sum', 'min' or 'max' (NaN propagates; Wasm SIMD for f32/f64/i32/u32), or a callback
 * `fn(array, lo, hi)` returning a chunk's partial, folded with `options.combine(x, y)`.
 * @example const total = await reduce(executor, data, 'sum');
 */
export const reduce = algorithm<[array: NumArray, f: 'sum' | 'min' | 'max' | ((a: any, lo: number, hi: number) => unknown), options?: ReduceOptions], any>(
  (a, f, o) => {
    const c0 = call('reduce', 'reduce(executor, array, fn | op, options)', o);
    return reduceCall('reduce', [array(c0, a, 'array')], f, o, ['sum', 'min', 'max']);
  });

/**
 * Transforms and reduces in one pass over one or two arrays: 'dot' (Σ a·b) and the reduce ops, or a
 * callback `fn(a, [b,] lo, hi)` returning a chunk's partial, folded with `options.combine`.
 */
export const transformReduce = algorithm<[input: NumArray | NumArray[], f: 'dot' | 'sum' | 'min' | 'max' | ((...a: any[]) => unknown), options?: ReduceOptions], any>(
  (input, f, o) => {
    const c0 = call('reduce', 'transformReduce(executor, input, fn | op, options)', o);
    const ins = inputs(c0, input);
    if (ins.length > 2) throw new TypeError(messages.algoInputs(c0.what, 2, ins.length));
    sameLength(c0, ins, ['input[0]', 'input[1]']);
    if (f === 'dot' && ins.length !== 2) throw new TypeError(messages.algoArity(c0.what, 'dot', 2, ins.length));
    if (typeof f === 'string' && f !== 'dot' && ins.length !== 1) throw new TypeError(messages.algoArity(c0.what, f, 1, ins.length));
    return reduceCall('transformReduce', ins, f, o, ['dot', 'sum', 'min', 'max']);
  });

type ScanName = 'inclusiveScan' | 'exclusiveScan' | 'transformInclusiveScan' | 'transformExclusiveScan';

function scanCall(name: ScanName, a: unknown, out: unknown, f: unknown, init: unknown, hasInit: boolean, o: PartitionOptions | undefined, uop?: unknown): Call {
  const t = name.startsWith('transform');
  const c = call(name, `${name}(executor, input, out, ${name.endsWith('xclusiveScan') ? 'init, ' : ''}${t ? 'bop, uop' : 'fn | op'}, options)`, o);
  const ins = array(c, a, 'input'), o2 = array(c, out, 'out');
  sameLength(c, [o2, ins], ['out', 'input']);
  c.args[Arg.A] = ins; c.args[Arg.Out] = o2;
  if (hasInit) {
    if (typeof init !== 'number') throw new TypeError(messages.argType(`${c.what}: ${name === 'exclusiveScan' ? 'init' : 'options.init'}`, 'a number', init));
    c.args[Arg.X0] = init; c.args[Arg.X1] = 1;
  }
  if (typeof f === 'function') callback(c, Arg.F1, f, t ? 'bop' : 'op');
  else if (typeof f === 'string' && (SCAN_OPS as readonly string[]).includes(f)) {
    c.args[Arg.F2] = SCAN_OPS.indexOf(f as ScanOp);
    if (!t && c.device !== 'cpu') c.gpu = scanGpu(f, ins, o2, name === 'exclusiveScan', hasInit ? init as number : undefined);
  }
  else throw new TypeError(messages.algoOp(c.what, `a function ${t ? 'bop' : 'op'}(x, y)`, SCAN_OPS, f));
  if (t) callback(c, Arg.X2, uop, 'uop');
  c.result = () => o2;
  return c;
}

/**
 * out[i] = input[0] ⊕ … ⊕ input[i] (after options.init when given), ⊕ being 'sum', 'min', 'max' or an
 * associative `op(x, y)`. out may be input. Resolves with out.
 */
export const inclusiveScan = algorithm<[input: NumArray, out: NumArray, f: ScanOp | ((x: number, y: number) => number), options?: PartitionOptions & { init?: number }], NumArray>(
  (a, out, f, o) => scanCall('inclusiveScan', a, out, f, o?.init, o?.init !== undefined, o));

/** out[i] = init ⊕ input[0] ⊕ … ⊕ input[i − 1] (out[0] = init). out may be input. Resolves with out. */
export const exclusiveScan = algorithm<[input: NumArray, out: NumArray, init: number, f: ScanOp | ((x: number, y: number) => number), options?: PartitionOptions], NumArray>(
  (a, out, init, f, o) => scanCall('exclusiveScan', a, out, f, init, true, o));

/**
 * out[i] = uop(input[0], 0) ⊕ … ⊕ uop(input[i], i) (after options.init when given), ⊕ being bop: 'sum',
 * 'min', 'max' or an associative `bop(x, y)`. uop is called once per element per pass (twice in all).
 * out may be input. Resolves with out.
 */
export const transformInclusiveScan = algorithm<[input: NumArray, out: NumArray, bop: ScanOp | ((x: number, y: number) => number), uop: (x: number, i: number) => number, options?: PartitionOptions & { init?: number }], NumArray>(
  (a, out, bop, uop, o) => scanCall('transformInclusiveScan', a, out, bop, o?.init, o?.init !== undefined, o, uop));

/** out[i] = init ⊕ uop(input[0], 0) ⊕ … ⊕ uop(input[i − 1], i − 1) (out[0] = init). Resolves with out. */
export const transformExclusiveScan = algorithm<[input: NumArray, out: NumArray, init: number, bop: ScanOp | ((x: number, y: number) => number), uop: (x: number, i: number) => number, options?: PartitionOptions], NumArray>(
  (a, out, init, bop, uop, o) => scanCall('transformExclusiveScan', a, out, bop, init, true, o, uop));

/**
 * Sorts in place. Without a comparator: ascending in TypedArray.prototype.sort's order (−0 before +0,
 * NaN last). With `cmp(x, y)` (negative: x first): stable (a merge sort). Resolves with the array.
 * Without a comparator it takes `device` (docs/gpu.md: a bitonic sort of f32, i32 and u32 keys).
 */
export const sort = algorithm<[array: NumArray, cmp?: ((x: number, y: number) => number) | PartitionOptions, options?: PartitionOptions], NumArray>(
  (a, cmp, o) => {
    const opts = typeof cmp === 'object' && cmp !== null ? cmp : o;
    const c = call('sort', 'sort(executor, array, cmp?, options)', opts);
    const arr = array(c, a, 'array');
    c.args[Arg.A] = arr;
    if (cmp !== undefined && typeof cmp !== 'object') callback(c, Arg.F1, cmp, 'cmp');
    else if (c.device !== 'cpu') c.gpu = sortGpu(arr);
    c.result = () => arr;
    return c;
  });

function findCall(name: 'find' | 'findIndex' | 'findIfNot', a: unknown, pred: unknown, o: PartitionOptions | undefined): Call {
  const c = call('findIndex', `${name}(executor, array, pred, options)`, o);
  c.args[Arg.A] = array(c, a, 'array');
  callback(c, Arg.F1, pred, 'pred');
  c.args[Arg.X0] = name === 'find' ? 1 : 0;
  c.args[Arg.X1] = name === 'findIfNot' ? 1 : 0;
  return c;
}

/** The smallest index i with pred(array[i], i) truthy, or −1. Chunks past a known match are skipped. */
export const findIndex = algorithm<[array: NumArray, pred: (x: number, i: number) => unknown, options?: PartitionOptions], number>(
  (a, pred, o) => findCall('findIndex', a, pred, o));

/** The smallest index i with pred(array[i], i) falsy, or −1 (Taskflow's find_if_not, as an index). */
export const findIfNot = algorithm<[array: NumArray, pred: (x: number, i: number) => unknown, options?: PartitionOptions], number>(
  (a, pred, o) => findCall('findIfNot', a, pred, o));

/** The element at findIndex, or undefined. */
export const find = algorithm<[array: NumArray, pred: (x: number, i: number) => unknown, options?: PartitionOptions], number | undefined>(
  (a, pred, o) => findCall('find', a, pred, o));

function minMaxCall(name: 'minElement' | 'maxElement', a: unknown, cmp: unknown, o: PartitionOptions | undefined): Call {
  const opts = typeof cmp === 'object' && cmp !== null ? cmp as PartitionOptions : o;
  const c = call(name, `${name}(executor, array, cmp?, options)`, opts);
  c.args[Arg.A] = array(c, a, 'array');
  if (cmp !== undefined && typeof cmp !== 'object') callback(c, Arg.F1, cmp, 'cmp');
  c.args[Arg.X0] = name === 'maxElement' ? 1 : 0;
  return c;
}

/**
 * Index of the smallest element (the first of equals), by < or by `cmp(x, y)`; NaN elements are skipped
 * without a comparator. −1 for an empty array (or one of NaNs only).
 */
export const minElement = algorithm<[array: NumArray, cmp?: ((x: number, y: number) => number) | PartitionOptions, options?: PartitionOptions], number>(
  (a, cmp, o) => minMaxCall('minElement', a, cmp, o));

/** Index of the largest element (the first of equals); as minElement otherwise. */
export const maxElement = algorithm<[array: NumArray, cmp?: ((x: number, y: number) => number) | PartitionOptions, options?: PartitionOptions], number>(
  (a, cmp, o) => minMaxCall('maxElement', a, cmp, o));

/** reduceByIndex in both forms: over an IndexRange (Taskflow's reduce_by_index), or over first, last, step. */
export interface ReduceByIndex {
  <N extends Rank, T>(executor: ExecutorRef, range: IndexRange<N>, init: T, local: LocalReducer<N, T>, global: (x: T, y: T) => T, options?: PartitionOptions): Promise<T>;
  (executor: ExecutorRef, first: number, last: number, step: number, fn: (begin: number, end: number, step: number) => unknown, options?: ReduceOptions): Promise<any>;
  task<N extends Rank, T>(tf: Taskflow, range: IndexRange<N>, init: T, local: LocalReducer<N, T>, global: (x: T, y: T) => T, options?: PartitionOptions): Task;
  task(tf: Taskflow, first: number, last: number, step: number, fn: (begin: number, end: number, step: number) => unknown, options?: ReduceOptions): Task;
}

/**
 * Given an IndexRange: `local(box, running)` folds one box of the range into the running total of the
 * boxes its task ran (undefined before the first) and returns the new total; `global(x, y)` folds init and
 * every task's total (associative and commutative); init for an empty range. Taskflow's reduce_by_index.
 * Given first, last and step: `fn(begin, end, step)` returns the partial of one chunk of first, first +
 * step, … before last, folded with `options.combine(x, y)` (required) and `options.init` when given;
 * undefined for an empty range without init.
 * @example const sum = await reduceByIndex(executor, new IndexRange(0, 100, 1), 0, (r, t = 0) => t + r.size(), (x, y) => x + y);
 */
export const reduceByIndex = algorithm<[first: unknown, ...rest: any[]], any>(
  (first, last, step, f, o) => {
    if (typeof first === 'object') return reduceByRangeCall(first, last, step, f, o);   // (range, init, local, global, options)
    const c = call('reduceByIndex', 'reduceByIndex(executor, first, last, step, fn, options)', o);
    c.args[Arg.X2] = indexRange(c, first, last, step);
    if (o?.init !== undefined) { c.args[Arg.X0] = o.init; c.args[Arg.X1] = 1; }
    callback(c, Arg.F1, f, 'fn');
    callback(c, Arg.F2, o?.combine, 'options.combine');
    return c;
  }) as unknown as ReduceByIndex;

/** Whether x and y share any byte. */
export function overlaps(x: NumArray, y: NumArray): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/**
 * out = the stable merge of sorted arrays a and b (ties from a), in parallel: each output chunk finds
 * where it starts in a and b by binary search (co-rank), so chunks merge independently. Ascending by <
 * (for floats TypedArray.prototype.sort's order: −0 before +0, NaN last) or by `cmp(x, y)` (negative: x
 * first). out has a.length + b.length elements and overlaps neither. Resolves with out.
 */
export const merge = algorithm<[a: NumArray, b: NumArray, out: NumArray, cmp?: ((x: number, y: number) => number) | PartitionOptions, options?: PartitionOptions], NumArray>(
  (a, b, out, cmp, o) => {
    const opts = typeof cmp === 'object' && cmp !== null ? cmp : o;
    const c = call('merge', 'merge(executor, a, b, out, cmp?, options)', opts);
    const x = array(c, a, 'a'), y = array(c, b, 'b'), z = array(c, out, 'out');
    if (z.length !== x.length + y.length) throw new RangeError(messages.algoMergeLength(c.what, z.length, x.length, y.length));
    for (const [v, l] of [[x, 'a'], [y, 'b']] as const) if (overlaps(z, v)) throw new RangeError(messages.algoOverlap(c.what, l));
    c.args[Arg.A] = x; c.args[Arg.B] = y; c.args[Arg.Out] = z;
    if (cmp !== undefined && typeof cmp !== 'object') callback(c, Arg.F1, cmp, 'cmp');
    c.result = () => z;
    return c;
  });

export type { Partitioner, NumArray, SharedArrayCtor, Device };
