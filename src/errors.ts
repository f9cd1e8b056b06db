// Errors the runtime raises, and the rebuilding of errors thrown by tasks on other threads (name, message
// and stack kept; the task's name attached). Their texts are in messages.ts, re-exported here.
export { messages, describe } from './messages.js';

/** A worker died (uncaught error, process.exit, out of memory, terminate) while running a task. */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
  /** Exit code the worker thread ended with. */
  exitCode?: number;
  /** The worker's own error, when it raised one (for example ERR_WORKER_OUT_OF_MEMORY). */
  override cause?: unknown;
  task?: string;
  worker: number;
  constructor(message: string, worker: number, extra: { exitCode?: number; cause?: unknown; task?: string }) {
    super(message);
    this.worker = worker;
    Object.assign(this, extra);
  }
}

/** A submission found options.maxQueue tasks already queued and not started: nothing was accepted. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
  /** The bound (options.maxQueue). */
  maxQueue: number;
  constructor(message: string, maxQueue: number) {
    super(message);
    this.maxQueue = maxQueue;
  }
}

/** A run (or task) was cancelled: `run.cancel(reason)` or an aborted AbortSignal. `cause` is the reason. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message: string, reason?: unknown) {
    super(message, reason === undefined ? undefined : { cause: reason });
  }
}

/** A task ran past its `timeout` (measured from its start), or a run past its `deadline`. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  /** The task's name, or for a run the taskflow's name. */
  task?: string;
  /** The limit that passed, ms. */
  timeout?: number;
  constructor(message: string, extra?: { task?: string; timeout?: number }) {
    super(message);
    if (extra) Object.assign(this, extra);
  }
}

/**
 * Some items of an executor.map call failed. `errors[k]` is the error of item `indices[k]` (in item
 * order); `results` has every item's result, undefined where the item failed.
 */
export class MapError extends AggregateError {
  override name = 'MapError';
  readonly indices: number[];
  readonly results: unknown[];
  constructor(message: string, errors: unknown[], indices: number[], results: unknown[]) {
    super(errors, message);
    this.indices = indices;
    this.results = results;
  }
}

/** A graph that cannot run because of its shape. */
export class GraphError extends Error {
  override name = 'GraphError';
  /** Names of the tasks on the cycle, in order. */
  cycle?: string[];
}

/** Where a PipelineError rebuilt from a worker's record is, until its own properties are defined. */
const NOWHERE = { pipeline: '', stage: '', stageIndex: -1, token: -1 };

/**
 * A pipeline stopped because a stage (or its source) failed. `stage` names it ('source' for the source),
 * `token` is the token it failed on, `cause` the original error; errors of other stage calls that were
 * still running and failed too are in `suppressed`.
 */
export class PipelineError extends Error {
  override name = 'PipelineError';
  /** The pipeline's name (options.name). */
  readonly pipeline: string;
  /** The failing stage's name, or 'source'. */
  readonly stage: string;
  /** The failing stage's position (0 = first pipe), or -1 for the source. */
  readonly stageIndex: number;
  /** The token (0 = first item of the source) the stage failed on. */
  readonly token: number;
  /** Errors of stage calls that were still running when the pipeline stopped and failed as well. */
  suppressed?: unknown[];

  /** @internal `at` is left out only where an error from a worker is rebuilt (its properties come after). */
  constructor(message: string, at: { pipeline: string; stage: string; stageIndex: number; token: number } = NOWHERE, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.pipeline = at.pipeline;
    this.stage = at.stage;
    this.stageIndex = at.stageIndex;
    this.token = at.token;
  }
}

/**
 * A value cannot cross threads: a function, a symbol, a WeakMap, WeakSet, WeakRef, FinalizationRegistry or
 * Promise, a boxed primitive, a SharedArrayBuffer the executor did not allocate, a freed shared array…
 * (docs/api.md "Arguments and results" lists the rule). Named as structured clone's error is. The message
 * names the argument, item or task, what in the value is at fault and where (a path like `[1].cb`).
 */
export class DataCloneError extends Error {
  override name = 'DataCloneError';
  /** What in the value is at fault, and where: the message's last part. */
  fault?: string;
  constructor(message: string, fault?: string) {
    super(message);
    if (fault !== undefined) this.fault = fault;
  }
}

/**
 * WGSL that does not compile. The message lists the compiler's errors with their lines; `errors` has
 * them as data.
 */
export class GpuShaderError extends Error {
  override name = 'GpuShaderError';
  readonly errors: readonly { line: number; column: number; message: string }[];
  constructor(message: string, errors: readonly { line: number; column: number; message: string }[]) {
    super(message);
    this.errors = errors;
  }
}

/**
 * The GPU device was lost (destroyed, a driver reset, the adapter went away) while work was in flight or
 * before it was submitted. `reason` is WebGPU's ('destroyed' | 'unknown'), `deviceMessage` what the
 * device said. The lane accepts no more work afterwards (executor.gpu.available is false).
 */
export class GpuDeviceLostError extends Error {
  override name = 'GpuDeviceLostError';
  readonly reason: string;
  readonly deviceMessage: string;
  constructor(message: string, reason: string, deviceMessage: string) {
    super(message);
    this.reason = reason;
    this.deviceMessage = deviceMessage;
  }
}

/** What crosses threads for a thrown value: enough to rebuild it with its name, message and stack. */
export interface PlainError {
  __error: true;
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  /** Own enumerable properties that can be cloned, as [key, value] pairs (pairs: a key '__proto__' stays a key). */
  props?: [string, unknown][];
  thrown?: unknown;   // a non-Error throw value, when it could be encoded
  /** The codec refused the task's return value (a DataCloneError): the host names the task in the message. */
  returned?: true;
  /** name, message and stack as UTF-16 code units, when one has a lone surrogate (the codec writes UTF-8). */
  utf16?: (Uint16Array | undefined)[];
}

/** p.utf16[i] as a string, when it holds one, else `fallback`. */
function exact(p: Partial<PlainError>, i: number, fallback: unknown): unknown {
  const units = Array.isArray(p.utf16) ? p.utf16[i] : undefined;
  if (!(units instanceof Uint16Array)) return fallback;
  let s = '';
  for (let k = 0; k < units.length; k += 8192) s += String.fromCharCode(...units.subarray(k, k + 8192));
  return s;
}

/** Classes an error thrown in a worker comes back as, by name: the builtins and beatflow's own. */
const builtins: Record<string, new (message: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
  GraphError, CancelledError, TimeoutError, DataCloneError, PipelineError,
};

/** Error with the task it came from, as thrown back to the caller. */
export type TaskFailure = Error & { task?: string; worker?: number; thrown?: unknown };

const own = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true });
const hidden = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: false, configurable: true });

/**
 * Rebuilds an error thrown in a worker: same constructor when it is a builtin (looked up among the table's
 * own keys: a name like 'toString' or '__proto__' is just a name), same name, message, stack, cause and
 * properties (defined as own properties, so a key like '__proto__' never changes the prototype). Never
 * throws, whatever the record holds.
 */
export function rebuildError(plain: PlainError, task: string | undefined): TaskFailure {
  const p = (typeof plain === 'object' && plain !== null ? plain : {}) as Partial<PlainError>;
  const rawName = exact(p, 0, p.name), rawMessage = exact(p, 1, p.message), stack = exact(p, 2, p.stack);
  const name = typeof rawName === 'string' ? rawName : 'Error';
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  const C = Object.hasOwn(builtins, name) ? builtins[name] : Error;
  const e = new C(message) as TaskFailure;
  if (e.name !== name) Object.defineProperty(e, 'name', hidden(name));
  if (Array.isArray(p.props)) {
    for (const kv of p.props) if (Array.isArray(kv) && typeof kv[0] === 'string') Object.defineProperty(e, kv[0], own(kv[1]));
  }
  if (p.code !== undefined) Object.defineProperty(e, 'code', own(p.code));
  if ('cause' in p && p.cause !== undefined) Object.defineProperty(e, 'cause', hidden(p.cause));
  if (p.thrown !== undefined) e.thrown = p.thrown;
  Object.defineProperty(e, 'stack', hidden(typeof stack === 'string' ? stack : `${name}: ${message}`));
  if (task !== undefined) e.task = task;
  return e;
}

export function isPlainError(v: unknown): v is PlainError {
  return typeof v === 'object' && v !== null && (v as PlainError).__error === true;
}
