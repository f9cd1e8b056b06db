// How an algorithm call is described and run, for both forms: the option checks every algorithm shares,
// the argument list of its builtin (spec.ts), the direct form (executor → promise; the calling thread may
// take a share: caller.ts) and the graph form (one task of a Taskflow). api.ts and api-fill.ts describe
// the algorithms themselves with these.
import { engineOf, type Engine, type ExecutorRef } from '../engine/engine.js';
import { ASYNC } from '../engine/tasks.js';
import type { Taskflow, Task } from '../graph/taskflow.js';
import { FnArg } from '../engine/functions.js';
import { DTYPES, isFreed } from '../engine/codec.js';
import { BUILTINS, type BuiltinName } from './builtins.js';
import { callerRuns } from './caller.js';
import { Arg, PART_CODE } from './spec.js';
import { checkPartition, type Partitioner } from './partition.js';
import type { NumArray } from './merge.js';
import type { MapOp } from './ops.js';
import { checkDevice, place, runOnGpu, gpuUsable, type GpuCall } from './device.js';
import { route, type Parallel } from './route.js';
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
   * with an op, min/maxElement without a comparator, a scan with an op, sort and merge without a
   * comparator, fill) in
   * the direct form: it starts at once, while
   * workers wake, and the call is over as soon as the last chunk is. The caller's event loop waits
   * meanwhile, as long as the call takes. `false` leaves all the work to the workers. Default true.
   */
  caller?: boolean;
  /**
   * Where a call with a built-in op runs (transform, reduce, transformReduce, the scans, sort without a
   * comparator; docs/gpu.md):
   * 'cpu' (default) the CPU kernels; 'gpu' the GPU kernel, an error naming what is missing without a
   * device or a kernel for the call; 'auto' the placement policy (policy/placement.ts). A call whose
   * device is lost mid-way re-runs on the CPU and counts in executor.gpu.fallbacks. Direct form only.
   */
  device?: Device;
  /**
   * Whether a call the calling thread takes part in (see `caller`) gets helpers on the workers: true
   * (whenever a CPU is left for one), false (the calling thread runs it alone: no wake-ups, no
   * hand-backs), or 'auto' (default): the placement router (docs/learning.md "Placement") learns from
   * the calls' measured times which is faster for calls of this size and op; with `learning: false`, or
   * while it is unsure, the static rule (helpers from about 200 µs of work on). Direct form only.
   */
  parallel?: Parallel;
}

/** A built-in elementwise operation of transform, with its scalars (see ops.ts for the list). */
export type MapSpec = MapOp | { op: MapOp; s0?: number; s1?: number };

/** One algorithm call, ready for either form. */
export interface Call {
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
  /** What the call asks of a GPU kernel, when it has a built-in op and its device is not 'cpu' (no descriptor is built for one that never reaches a GPU). */
  gpu?: GpuCall;
  /** options.parallel. */
  parallel: Parallel;
}

/** Every option an algorithm takes (PartitionOptions, ReduceOptions): any other key is refused. */
const OPTIONS = ['partitioner', 'grain', 'args', 'caller', 'device', 'parallel', 'combine', 'init'] as const;

export function call(name: BuiltinName, what: string, opts: PartitionOptions | undefined): Call {
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
  const parallel = opts?.parallel ?? 'auto';
  if (parallel !== 'auto' && typeof parallel !== 'boolean') throw new TypeError(messages.callOption(what, 'parallel', `'auto', true or false`, parallel));
  return { name, what, args, fns: [], caller: caller !== false, device: checkDevice(what, opts?.device), parallel };
}

export function callback(c: Call, at: Arg, f: unknown, label: string): void {
  if (typeof f !== 'function') throw new TypeError(messages.algoCallback(c.what, label, f));
  c.fns.push([at, f, `${c.what} ${label}`]);
}

export function array(c: Call, v: unknown, label: string): NumArray {
  if (!ArrayBuffer.isView(v) || !(DTYPES as readonly Function[]).includes(v.constructor)) {
    throw new TypeError(messages.algoArray(c.what, label, DTYPES.map((d) => d.name), v));
  }
  if (isFreed(v)) throw new TypeError(messages.alreadyFreed(`${c.what}: ${label}`, v));
  return v as NumArray;
}

export function sameLength(c: Call, arrays: NumArray[], labels: string[]): void {
  for (let i = 1; i < arrays.length; i++) {
    if (arrays[i].length !== arrays[0].length) {
      throw new RangeError(messages.algoLengths(c.what, labels[i], arrays[i].length, labels[0], arrays[0].length));
    }
  }
}

export function inputs(c: Call, input: unknown): NumArray[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length < 1 || list.length > 3) throw new TypeError(messages.algoInputs(c.what, 3, list.length));
  return list.map((a, i) => array(c, a, list.length === 1 ? 'input' : `input[${i}]`));
}

/** Runs a call on an executor: the direct form, where the router (route.ts) or the options put it, timed for the router. */
async function execute(ex: Engine, c: Call): Promise<unknown> {
  ex.checkOpen(c.what);
  const placed = place(ex, c.what, c.device, c.gpu);
  const args = c.args.slice();
  for (const [at, f, what] of c.fns) args[at] = ex.fnId(f, what);
  const user = c.fns.length > 0;
  // a routed call's routing is timed too (placement().routing: the calls that complete): its route's
  // choice and its observation (read wherever learning is on: whether the call is routed is known after)
  const tr = ex.router?.enabled === true ? performance.now() : 0;
  const { route: where, helpers, ticket } = route(ex, c.name, args, c.caller && !user, c.parallel, placed, c.device === 'auto' && gpuUsable(ex, c.gpu), c.gpu);
  const t0 = performance.now();
  let r: unknown;
  if (where === 'gpu') r = await runOnGpu(ex, c.what, c.gpu!, () => onCpu(ex, c, args, helpers));
  else {
    // Arrays resident on the device (executor.gpu.resident): their device writes come back first, and
    // the host's copy is the truth after the call.
    const hostUse = ex.device?.hostUse?.(c.args.filter((a) => ArrayBuffer.isView(a)));
    const after = hostUse === undefined ? undefined : await hostUse;
    try {
      r = await onCpu(ex, c, args, helpers);
    } finally {
      after?.();
    }
  }
  if (ticket !== undefined) {
    const router = ex.router!, t1 = performance.now();
    router.observe(ticket, t1 - t0);
    router.spent(ticket, t0 - tr + performance.now() - t1);
  }
  return c.result ? c.result(r) : r;
}

/** Runs a call on the CPU workers (and the calling thread, with `helpers` helpers when given). */
async function onCpu(ex: Engine, c: Call, args: unknown[], helpers: number | undefined): Promise<unknown> {
  const mine = c.caller ? callerRuns(ex, c.name, args, helpers) : undefined;
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

/**
 * Adds a call to a taskflow as one task: the graph form. Named always: in a subflow of independent
 * tasks the name also sends it down worker/fork-settled.ts, which sends its FnArg callbacks as ids.
 */
function emplace(tf: Taskflow, c: Call): Task {
  if (c.device !== 'cpu') throw new TypeError(messages.deviceInGraph(c.what, c.device));
  if (c.parallel !== 'auto') throw new TypeError(messages.parallelInGraph(c.what, c.parallel));
  const args = c.args.slice();
  for (const [at, f, what] of c.fns) args[at] = new FnArg(f, what);
  return tf.emplace(BUILTINS[c.name]).args(...args).name(c.name);
}

/** An algorithm in both forms: `alg(executor, …)` → Promise, `alg.task(taskflow, …)` → Task. */
export type Algorithm<P extends unknown[], R> = ((executor: ExecutorRef, ...p: P) => Promise<R>) & { task(tf: Taskflow, ...p: P): Task };

export function algorithm<P extends unknown[], R>(describeCall: (...p: P) => Call): Algorithm<P, R> {
  const direct = (ex: ExecutorRef, ...p: P): Promise<R> => {
    try {
      const c = describeCall(...p);
      return execute(engineOf(ex, c.what), c) as Promise<R>;
    } catch (e) { return Promise.reject(e); }
  };
  return Object.assign(direct, { task: (tf: Taskflow, ...p: P): Task => emplace(tf, describeCall(...p)) });
}
