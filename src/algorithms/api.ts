// The parallel algorithms' public API: free functions over an executor, each with a `.task(tf, …)` form
// that adds the same work to a Taskflow as one task (its result is what the direct form resolves with).
// Both forms run the same builtin task (builtins.ts); this file only checks the arguments and writes
// them in the builtin's argument list (spec.ts). Callbacks travel as function ids: the engine's own
// (Engine.fnId) in the direct form, FnArg resolved at placement in the graph form.
import { engineOf, type Engine, type ExecutorRef } from '../engine/engine.js';
import { ASYNC } from '../engine/tasks.js';
import type { Taskflow, Task } from '../graph/taskflow.js';
import { FnArg } from '../engine/functions.js';
import { DTYPES, isFreed, type SharedArrayCtor } from '../engine/codec.js';
import { BUILTINS, type BuiltinName } from './builtins.js';
import { callerRuns } from './caller.js';
import { Arg, PART_CODE } from './spec.js';
import { checkPartition, type Partitioner } from './partition.js';
import { MAP_OPS, MAP_NAMES, REDUCE_NAMES, SCAN_OPS, type MapOp, type ScanOp } from './ops.js';
import type { NumArray } from './merge.js';
import { checkDevice, mapGpu, reduceGpu, scanGpu, place, runOnGpu, type GpuCall } from './device.js';
import type { Device } from '../policy/placement.js';
import { messages } from '../errors.js';

/** How an algorithm splits its index range between tasks (partition.ts). */
export interface PartitionOptions {
  /** 'guided' (default), 'dynamic' or 'static'. */
  partitioner?: Partitioner;
  /** Items per chunk (static: per range; sort: the shortest run). Default: chosen from the measured cost per item. */
  grain?: number;
  /**
   * Extra arguments for a range callback, passed after its own (`fn(array, lo, hi, ...args)`): shared
   * arrays travel by reference, other values are copied once per task. Inline callbacks cannot capture
   * variables, so this is how they get their data.
   */
  args?: readonly unknown[];
  /**
   * Whether the calling thread takes a share of a call with a built-in op (transform with an op, reduce
   * with an op, min/maxElement without a comparator, a scan with an op, sort without a comparator) in
   * the direct form: it starts at once, while
   * workers wake, and the call is over as soon as the last chunk is. The caller's event loop waits
   * meanwhile, as long as the call takes. `false` leaves all the work to the workers. Default true.
   */
  caller?: boolean;
  /**
   * Where a call with a built-in op runs (transform, reduce, transformReduce, the scans; docs/gpu.md):
   * 'cpu' (default) the CPU kernels; 'gpu' the GPU kernel, an error naming what is missing without a
   * device or a kernel for the call; 'auto' the placement policy (policy/placement.ts). A call whose
   * device is lost mid-way re-runs on the CPU and counts in executor.gpu.fallbacks. Direct form only.
   */
  device?: Device;
}

/** A built-in elementwise operation of transform, with its scalars (see ops.ts for the list). */
export type MapSpec = MapOp | { op: MapOp; s0?: number; s1?: number };

/** One algorithm call, ready for either form. */
interface Call {
  name: BuiltinName;
  what: string;
  args: unknown[];
  /** Callback positions (F1, F2) holding functions to turn into ids. */
  fns: [Arg, Function, string][];
  /** The calling thread may take a share (options.caller, caller.ts). */
  caller: boolean;
  /** Maps the builtin's result for the direct form (e.g. to the caller's own output array). */
  result?: (r: unknown) => unknown;
  /** options.device. */
  device: Device;
  /** What the call asks of a GPU kernel, when it has a built-in op. */
  gpu?: GpuCall;
}

/** Every option an algorithm takes (PartitionOptions, ReduceOptions): any other key is refused. */
const OPTIONS = ['partitioner', 'grain', 'args', 'caller', 'device', 'combine', 'init'] as const;

function call(name: BuiltinName, what: string, opts: PartitionOptions | undefined): Call {
  if (opts !== undefined) {
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new TypeError(messages.argType(`${what}: options`, 'an object like { partitioner, grain }', opts));
    for (const k of Object.keys(opts)) if (!(OPTIONS as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(what, k, OPTIONS));
  }
  const [p, grain] = checkPartition(what, opts);
  const args: unknown[] = new Array(Arg.Count).fill(null);
  args[Arg.F1] = -1; args[Arg.F2] = -1; args[Arg.X0] = 0; args[Arg.X1] = 0; args[Arg.X2] = 0;
  args[Arg.Part] = PART_CODE[p]; args[Arg.Grain] = grain; args[Arg.Job] = 0; args[Arg.Index] = 0;
  const extra = opts?.args;
  if (extra !== undefined) {
    if (!Array.isArray(extra)) throw new TypeError(messages.callOption(what, 'args', 'an array of extra callback arguments', extra));
    args.push(...extra);
  }
  const caller = opts?.caller;
  if (caller !== undefined && typeof caller !== 'boolean') throw new TypeError(messages.callOption(what, 'caller', 'true or false', caller));
  return { name, what, args, fns: [], caller: caller !== false, device: checkDevice(what, opts?.device) };
}

function callback(c: Call, at: Arg, f: unknown, label: string): void {
  if (typeof f !== 'function') throw new TypeError(messages.algoCallback(c.what, label, f));
  c.fns.push([at, f, `${c.what} ${label}`]);
}

function array(c: Call, v: unknown, label: string): NumArray {
  if (!ArrayBuffer.isView(v) || !(DTYPES as readonly Function[]).includes(v.constructor)) {
    throw new TypeError(messages.algoArray(c.what, label, DTYPES.map((d) => d.name), v));
  }
  if (isFreed(v)) throw new TypeError(messages.alreadyFreed(`${c.what}: ${label}`, v));
  return v as NumArray;
}

function sameLength(c: Call, arrays: NumArray[], labels: string[]): void {
  for (let i = 1; i < arrays.length; i++) {
    if (arrays[i].length !== arrays[0].length) {
      throw new RangeError(messages.algoLengths(c.what, labels[i], arrays[i].length, labels[0], arrays[0].length));
    }
  }
}

function inputs(c: Call, input: unknown): NumArray[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length < 1 || list.length > 3) throw new TypeError(messages.algoInputs(c.what, 3, list.length));
  return list.map((a, i) => array(c, a, list.length === 1 ? 'input' : `input[${i}]`));
}

/** Runs a call on an executor: the direct form, on the device placement chooses. */
async function execute(ex: Engine, c: Call): Promise<unknown> {
  ex.checkOpen(c.what);
  const r = place(ex, c.what, c.device, c.gpu) === 'gpu' ? await runOnGpu(ex, c.what, c.gpu!, () => onCpu(ex, c)) : await onCpu(ex, c);
  return c.result ? c.result(r) : r;
}

/** Runs a call on the CPU workers (and the calling thread). */
async function onCpu(ex: Engine, c: Call): Promise<unknown> {
  const args = c.args.slice();
  for (const [at, f, what] of c.fns) args[at] = ex.fnId(f, what);
  const mine = c.caller ? callerRuns(ex, c.name, args) : undefined;
  let r: unknown;
  if (mine !== undefined) r = await mine;
  else {
    ex.linger.begin();
    try {
      const pending = ex.tasks.plain(2, BUILTINS[c.name], args, ASYNC);
      ex.wake({ count: ex.workers });   // the driver and the helpers it will spawn: start waking them now
      r = await pending;
    } finally {
      ex.linger.end();
    }
  }
  return r;
}

/** Adds a call to a taskflow as one task: the graph form. */
function emplace(tf: Taskflow, c: Call): Task {
  if (c.device !== 'cpu') throw new TypeError(messages.deviceInGraph(c.what, c.device));
  const args = c.args.slice();
  for (const [at, f, what] of c.fns) args[at] = new FnArg(f, what);
  return tf.emplace(BUILTINS[c.name]).args(...args).name(c.name);
}

/** An algorithm in both forms: `alg(executor, …)` → Promise, `alg.task(taskflow, …)` → Task. */
export type Algorithm<P extends unknown[], R> = ((executor: ExecutorRef, ...p: P) => Promise<R>) & { task(tf: Taskflow, ...p: P): Task };

function algorithm<P extends unknown[], R>(describeCall: (...p: P) => Call): Algorithm<P, R> {
  const direct = (ex: ExecutorRef, ...p: P): Promise<R> => {
    try {
      const c = describeCall(...p);
      return execute(engineOf(ex, c.what), c) as Promise<R>;
    } catch (e) { return Promise.reject(e); }
  };
  return Object.assign(direct, { task: (tf: Taskflow, ...p: P): Task => emplace(tf, describeCall(...p)) });
}

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

/**
 * Calls `fn(begin, end, step)` on chunks of the indices first, first + step, … before last (a negative
 * step counts down); fn visits `for (let i = begin; step > 0 ? i < end : i > end; i += step)`.
 */
export const forEachIndex = algorithm<[first: number, last: number, step: number, fn: (begin: number, end: number, step: number) => void, options?: PartitionOptions], void>(
  (first, last, step, f, o) => {
    const c = call('forEachIndex', 'forEachIndex(executor, first, last, step, fn, options)', o);
    for (const [v, l] of [[first, 'first'], [last, 'last']] as const) {
      if (!Number.isSafeInteger(v)) throw new TypeError(messages.argType(`${c.what}: ${l}`, 'an integer', v));
    }
    if (!Number.isSafeInteger(step) || step === 0) throw new TypeError(messages.argType(`${c.what}: step`, 'a non-zero integer', step));
    c.args[Arg.X0] = first; c.args[Arg.X1] = last; c.args[Arg.X2] = step;
    callback(c, Arg.F1, f, 'fn');
    return c;
  });

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
      c.gpu = mapGpu(op, ins, o2, s0, s1);
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
  c.gpu = reduceGpu(f as 'sum', ins, o?.init as number | undefined);
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

function scanCall(name: 'inclusiveScan' | 'exclusiveScan', a: unknown, out: unknown, f: unknown, init: unknown, hasInit: boolean, o: PartitionOptions | undefined): Call {
  const c = call(name, `${name}(executor, input, out, ${name === 'exclusiveScan' ? 'init, ' : ''}fn | op, options)`, o);
  const ins = array(c, a, 'input'), o2 = array(c, out, 'out');
  sameLength(c, [o2, ins], ['out', 'input']);
  c.args[Arg.A] = ins; c.args[Arg.Out] = o2;
  if (hasInit) {
    if (typeof init !== 'number') throw new TypeError(messages.argType(`${c.what}: ${name === 'exclusiveScan' ? 'init' : 'options.init'}`, 'a number', init));
    c.args[Arg.X0] = init; c.args[Arg.X1] = 1;
  }
  if (typeof f === 'function') callback(c, Arg.F1, f, 'op');
  else if (typeof f === 'string' && (SCAN_OPS as readonly string[]).includes(f)) {
    c.args[Arg.F2] = SCAN_OPS.indexOf(f as ScanOp);
    c.gpu = scanGpu(f, ins, o2, name === 'exclusiveScan', hasInit ? init as number : undefined);
  }
  else throw new TypeError(messages.algoOp(c.what, 'a function op(x, y)', SCAN_OPS, f));
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
 * Sorts in place. Without a comparator: ascending in TypedArray.prototype.sort's order (−0 before +0,
 * NaN last). With `cmp(x, y)` (negative: x first): stable (a merge sort). Resolves with the array.
 */
export const sort = algorithm<[array: NumArray, cmp?: ((x: number, y: number) => number) | PartitionOptions, options?: PartitionOptions], NumArray>(
  (a, cmp, o) => {
    const opts = typeof cmp === 'object' && cmp !== null ? cmp : o;
    const c = call('sort', 'sort(executor, array, cmp?, options)', opts);
    const arr = array(c, a, 'array');
    c.args[Arg.A] = arr;
    if (cmp !== undefined && typeof cmp !== 'object') callback(c, Arg.F1, cmp, 'cmp');
    c.result = () => arr;
    return c;
  });

function findCall(name: 'find' | 'findIndex', a: unknown, pred: unknown, o: PartitionOptions | undefined): Call {
  const c = call('findIndex', `${name}(executor, array, pred, options)`, o);
  c.args[Arg.A] = array(c, a, 'array');
  callback(c, Arg.F1, pred, 'pred');
  c.args[Arg.X0] = name === 'find' ? 1 : 0;
  return c;
}

/** The smallest index i with pred(array[i], i) truthy, or −1. Chunks past a known match are skipped. */
export const findIndex = algorithm<[array: NumArray, pred: (x: number, i: number) => unknown, options?: PartitionOptions], number>(
  (a, pred, o) => findCall('findIndex', a, pred, o));

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

export type { Partitioner, NumArray, SharedArrayCtor, Device };
