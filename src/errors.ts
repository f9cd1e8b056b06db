// Errors the runtime raises, with their messages in one table, and the rebuilding of errors thrown by
// tasks on other threads (name, message and stack kept; the task's name attached).

/** Every message the runtime produces, in one place. */
export const messages = {
  optionType: (name: string, expected: string, got: unknown) =>
    `beatflow: options.${name} must be ${expected} (got ${describe(got)})`,
  optionsObject: (got: unknown) => `beatflow: Executor.create(options): options must be an object (got ${describe(got)})`,
  unknownOption: (name: string, known: readonly string[]) =>
    `beatflow: unknown option '${name}' (known options: ${known.join(', ')})`,
  notAFunction: (what: string, got: unknown) =>
    `beatflow: ${what} must be a function (got ${describe(got)})`,
  notATaskflow: (what: string, got: unknown) => `beatflow: ${what} must be a Taskflow (got ${describe(got)})`,
  nativeFunction: (name: string) =>
    `beatflow: '${name}' is a native or bound function, which cannot be sent to a worker: export it from the ` +
    `task module (Executor.create({ module })) or pass a plain function written in your source`,
  captured: (task: string, variable: string) =>
    `${variable} is not defined in the worker: inline task '${task}' cannot capture variables from the ` +
    `scope it was written in (it is sent to the workers as source). Pass the value as an argument ` +
    `(executor.async(fn, value) or task.args(value)), or export the function from the task module`,
  asyncWhileHelping:
    'beatflow: a task that returns a promise ran while its worker was helping inside ctx.join(), where it cannot ' +
    'be awaited: make tasks that use spawn/join (and tasks in the same graph) synchronous, or await outside join',
  runStopped: 'beatflow: the run of this task was cancelled or failed',
  notFinished: (task: string, tf: string) => `beatflow: task '${task}' did not finish in this run of taskflow '${tf}' (it failed or was skipped)`,
  resumeConditional: (tf: string) =>
    `beatflow: executor.run(tf, { resume: true }): taskflow '${tf}' has condition tasks, whose runs cannot be resumed part-way; run it again instead`,
  taskCancelled: (name: string, reason: unknown) => `beatflow: task '${name}' was cancelled before it started${
    reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' && reason ? `: ${reason}` : ''}`,
  taskTimedOut: (name: string, ms: number) => `beatflow: task '${name}' ran past its timeout of ${ms} ms`,
  runDeadline: (name: string, ms: number) => `beatflow: the run of taskflow '${name}' passed its deadline (${ms} ms)`,
  forced: (name: string, grace: number, w: number) =>
    `beatflow: task '${name}' did not stop within ${grace} ms of being cancelled: worker ${w} was terminated and replaced`,
  tokenCancelled: (reason: string) => `beatflow: the task was cancelled${reason ? `: ${reason}` : ''}`,
  tooManySubflows: (name: string) =>
    `beatflow: subflow '${name}': every subflow slot is in use (subflows being joined at once, all workers and ` +
    'nesting levels together): raise the executor option maxSubflows',
  notRunning: (what: string) =>
    `beatflow: ${what} can only be called while a task runs, in its synchronous part (before an async task's first await)`,
  foreignSubflow: (name: string) =>
    `beatflow: subflow '${name}' can only be joined by the task that built it, while it runs`,
  subflowStopped: (name: string) => `beatflow: subflow '${name}' stopped: its run failed or was cancelled`,
  closed: (op: string) => `beatflow: executor.${op}() called after close() or destroy()`,
  closedFor: (what: string) => `beatflow: ${what} called after executor.close() or destroy()`,
  tooManyTasks: (cap: number) =>
    `beatflow: all ${cap} task slots are in use: raise options.maxTasks, or await results before submitting more`,
  tooManyRuns: (cap: number) => `beatflow: more than ${cap} graph runs in flight: await some runs first`,
  tooManyFunctions: (cap: number) => `beatflow: more than ${cap} distinct task functions: raise options.maxFunctions`,
  cycle: (graph: string, names: string[]) =>
    `beatflow: taskflow '${graph}' has a cycle: ${names.map((n) => `'${n}'`).join(' → ')}`,
  selfComposed: (path: string[]) =>
    `beatflow: taskflow '${path[0]}' is composed of itself: ${path.map((n) => `'${n}'`).join(' → ')}`,
  noSource: (graph: string) =>
    `beatflow: taskflow '${graph}' has no task to start from: every task has a predecessor (edges out of a ` +
    `condition count too). Add a task that precedes the loop's first task`,
  erased: (task: string) => `beatflow: task '${task}' was erased from its taskflow`,
  foreignTask: (graph: string, task: string) =>
    `beatflow: task '${task}' belongs to another taskflow than '${graph}'`,
  crashed: (worker: number, cause: string, task: string | undefined) =>
    `beatflow: worker ${worker} ${cause}` + (task !== undefined ? ` while running task '${task}'` : ''),
  queueFull: (op: string, max: number, queued: number) =>
    `beatflow: executor.${op}(): ${queued} tasks are queued and not yet started, the bound set by options.maxQueue ` +
    `(${max}): check executor.needsDrain and await executor.drained() before submitting more, or raise maxQueue`,
  closeTimedOut: (ms: number, inFlight: number, busy: string) =>
    `beatflow: close() timed out after ${ms} ms with ${inFlight} task(s) or run(s) still in flight (closeTimeout); ${busy}`,
  terminated: 'was terminated from outside (worker.terminate())',
  workerStart: (worker: number, message: string) => `beatflow: worker ${worker} failed to start: ${message}`,
  moduleLoad: (url: string, message: string) => `beatflow: the task module ${url} failed to load in a worker: ${message}`,
  workerEntry: (url: string, message: string) =>
    `beatflow: the worker entry ${url} could not be started: ${message}. It is part of the package's build and must ` +
    'ship beside it: when bundling, mark beatflow as external, or copy build/src/ (with build/core.wasm) unchanged',
  coreMismatch: (what: string) =>
    `beatflow: build/core.wasm and the JavaScript build disagree on ${what}: they come from different builds; rebuild with \`npm run build\``,
  coreMissing: (url: string, message: string) =>
    `beatflow: the WebAssembly core ${url} could not be read: ${message}. core.wasm must ship beside the package's ` +
    'build (build/core.wasm, next to build/src/): when bundling, mark beatflow as external, or copy build/core.wasm to that URL',
  cancelled: (graph: string) => `beatflow: the run of taskflow '${graph}' was cancelled`,
  stale: (graph: string) =>
    `beatflow: results of this run of '${graph}' are gone: the taskflow has run again since (read results before re-running)`,
  notInRun: (task: string) => `beatflow: task '${task}' is not part of this run's taskflow`,
  notAnExecutor: (what: string, got: unknown) =>
    `beatflow: ${what}: executor must be an Executor from Executor.create() (got ${describe(got)})`,
  sharedCtor: (names: string[]) => `beatflow: executor.shared(ctor, length): ctor must be one of ${names.join(', ')}`,
  sharedLength: (got: unknown) => `beatflow: executor.shared(ctor, length): length must be a non-negative integer (got ${describe(got)})`,
  notShared: 'beatflow: executor.free(array): the array did not come from executor.shared()',
  destroyed: 'beatflow: the executor was destroyed before this task finished',
  mapItems: (got: unknown) => `beatflow: executor.map(fn, items): items must be an array, a typed array or an iterable (got ${describe(got)})`,
  mapOption: (name: string, expected: string, got: unknown) =>
    `beatflow: executor.map(fn, items, options): options.${name} must be ${expected} (got ${describe(got)})`,
  mapCancelled: (n: number) => `beatflow: executor.map() over ${n} items was cancelled`,
  mapFailed: (failed: number, n: number, first: number, error: unknown) =>
    `beatflow: executor.map(): ${failed} of ${n} items failed (item ${first}: ${error instanceof Error ? error.message : String(error)})`,
  runCount: (got: unknown) => `beatflow: executor.runN(tf, n): n must be a non-negative integer (got ${describe(got)})`,
} as const;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : v.constructor?.name ?? 'an object';
}

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

/** What crosses threads for a thrown value: enough to rebuild it with its name, message and stack. */
export interface PlainError {
  __error: true;
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  props?: Record<string, unknown>;
  thrown?: unknown;   // a non-Error throw value, when it could be encoded
}

/** Classes an error thrown in a worker comes back as, by name: the builtins and beatflow's own. */
const builtins: Record<string, new (message: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
  GraphError, CancelledError, TimeoutError,
};

/** Error with the task it came from, as thrown back to the caller. */
export type TaskFailure = Error & { task?: string; worker?: number; thrown?: unknown };

/** Rebuilds an error thrown in a worker: same constructor when it is a builtin, same name, message, stack. */
export function rebuildError(plain: PlainError, task: string | undefined): TaskFailure {
  const C = builtins[plain.name] ?? Error;
  const e = new C(plain.message) as TaskFailure;
  if (e.name !== plain.name) Object.defineProperty(e, 'name', { value: plain.name, configurable: true, writable: true });
  if (plain.props) Object.assign(e, plain.props);
  if (plain.code !== undefined) (e as { code?: unknown }).code = plain.code;
  if (plain.thrown !== undefined) e.thrown = plain.thrown;
  e.stack = plain.stack ?? `${plain.name}: ${plain.message}`;
  if (task !== undefined) e.task = task;
  return e;
}

export function isPlainError(v: unknown): v is PlainError {
  return typeof v === 'object' && v !== null && (v as PlainError).__error === true;
}
