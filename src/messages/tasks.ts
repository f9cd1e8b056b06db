// Messages about tasks and graph runs: one-off and dependent async tasks, task groups, corun, cancellation tokens. Part of the one table, src/messages.ts `messages`.
import { describe } from './describe.js';

export const tasksMessages = {
  // ---- tasks and runs ----
  /** An argument of a Task method: `call` is the method ("retries(n)"), `task` the task's name. */
  taskArg: (call: string, task: string, arg: string, expected: string, got: unknown) =>
    `beatflow: task.${call} on task '${task}': ${arg} must be ${expected} (got ${describe(got)})`,
  asyncWhileHelping:
    'beatflow: a task that returns a promise ran while its worker was helping inside ctx.join(), where it cannot ' +
    'be awaited: make tasks that use spawn/join (and tasks in the same graph) synchronous, or await outside join',
  runStopped: 'beatflow: the run of this task was cancelled or failed',
  notFinished: (task: string, tf: string) => `beatflow: task '${task}' did not finish in this run of taskflow '${tf}' (it failed or was skipped)`,
  resumeConditional: (tf: string) =>
    `beatflow: executor.run(tf, { resume: true }): taskflow '${tf}' has condition tasks, whose runs cannot be resumed part-way; run it again instead`,
  taskCancelled: (name: string, reason: unknown) => `beatflow: task '${name}' was cancelled before it started${
    reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' && reason ? `: ${reason}` : ''}`,
  tokenCancelledJob: (name: string, reason: unknown) => `beatflow: task '${name}' was cancelled${
    reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' && reason ? `: ${reason}` : ''} (its attempt failed after the ` +
    'cancellation; that error is in error.suppressed)',
  taskTimedOut: (name: string, ms: number) => `beatflow: task '${name}' ran past its timeout of ${ms} ms`,
  runDeadline: (name: string, ms: number) => `beatflow: the run of taskflow '${name}' passed its deadline (${ms} ms)`,
  forced: (name: string, grace: number, w: number) =>
    `beatflow: task '${name}' did not stop within ${grace} ms of being cancelled: worker ${w} was terminated and replaced`,
  tooManyRuns: (cap: number) =>
    `beatflow: more than ${cap} graph runs in flight: await some runs first, or raise options.maxRuns`,
  tooManySubflows: (name: string) =>
    `beatflow: subflow '${name}': every subflow slot is in use (subflows being joined at once, all workers and ` +
    'nesting levels together): raise the executor option maxSubflows',
  notRunning: (what: string) =>
    `beatflow: ${what} can only be called while a task runs, in its synchronous part (before an async task's first await)`,
  notAChild: (got: unknown) =>
    `beatflow: ctx.join(): ${describe(got)} is not a child this task spawned and has not joined yet: pass what ` +
    'ctx.spawn() returned in this task, and join each child once',
  tooDeep: (call: string, task: string, depth: number, worker: number, reserveKiB: number) =>
    `beatflow: ${call} in task '${task}', ${depth} tasks deep on worker ${worker}: less than ${reserveKiB} KiB of the ` +
    "worker thread's stack is left (a joined child runs on its joiner's stack, so each level of fork-join nesting " +
    'costs stack). Nest less deeply (a loop, or plain recursion below a cutoff), or raise ' +
    'Executor.create({ resourceLimits: { stackSizeMb } })',

  // ---- dependent async tasks, task groups, corun ----
  // `who` is 'executor' (on the host) or 'this' (inside a task).
  notAnAsyncTask: (who: string, i: number, got: unknown) =>
    `beatflow: ${who}.dependentAsync(fn, ...deps): dependency ${i} must be an AsyncTask that ${who}.dependentAsync() ` +
    `returned (got ${describe(got)}); to wait for a promise, await it before submitting`,
  /** `what`: "executor.dependentAsync(fn, ...deps): dependency 2", "this.join(handle)". */
  foreignAsyncTask: (what: string) =>
    `beatflow: ${what} is an AsyncTask of another executor: depend only on tasks of the same executor`,
  taskAsyncTaskOnHost: (i: number) =>
    `beatflow: executor.dependentAsync(fn, ...deps): dependency ${i} is an AsyncTask made inside a task ` +
    '(this.dependentAsync): it serves only tasks that run while the task that made it runs; on the host, depend on ' +
    'handles of executor.dependentAsync, or await the task that made it and pass its value',
  /** `what`: "this.dependentAsync(fn, ...deps): dependency 2", "this.join(handle)". */
  expiredAsyncTask: (what: string) =>
    `beatflow: ${what}: this AsyncTask was made inside a task that has ended (its result went with it): a handle from ` +
    'this.dependentAsync serves that task and the tasks that run while it does (its children, subflows, task groups); ' +
    'to use a result later, return it from that task',
  hostOnly: (call: string, instead: string) =>
    `beatflow: ${call} runs only inside a task, on a worker (write the task as a function and call this.${call.replace(/^executor\./, '')}); ` +
    `on the host, ${instead}`,
  tooManyGroups: 'beatflow: this.taskGroup(): every subflow slot is in use (a task group takes one until its task ends): ' +
    'raise options.maxSubflows, or reuse one group in a task',
  corunSubflow: (name: string) =>
    `beatflow: ctx.corun(tf): '${name}' is a subflow: join it with sf.join() (corun runs a Taskflow built in the task)`,
  foreignGroup: 'beatflow: a task group can only be used by the task that made it (this.taskGroup()), while it runs',
  foreignSubflow: (name: string) =>
    `beatflow: subflow '${name}' can only be joined by the task that built it, while it runs`,
  subflowJoined: (name: string) =>
    `beatflow: subflow '${name}' was already joined: a subflow runs once (sf.join() at most once; the task that built ` +
    'it joins it when it returns); build another with ctx.subflow() to run more',
  subflowStopped: (name: string) => `beatflow: subflow '${name}' stopped: its run failed or was cancelled`,
  cancelled: (graph: string) => `beatflow: the run of taskflow '${graph}' was cancelled`,
  stale: (graph: string) =>
    `beatflow: results of this run of '${graph}' are gone: the taskflow has run again since (read results before re-running)`,
  edited: (graph: string) =>
    `beatflow: results of this run of '${graph}' are gone: the taskflow was edited since (read results before editing it)`,
  notInRun: (task: string) => `beatflow: task '${task}' is not part of this run's taskflow`,
  runOptions: (call: string, got: unknown) =>
    `beatflow: ${call}: options must be an object like { signal, deadline, priority, resume } (got ${describe(got)})`,
  runCount: (got: unknown) => `beatflow: executor.runN(tf, n): n must be a non-negative integer (got ${describe(got)})`,
  mapItems: (got: unknown) => `beatflow: executor.map(fn, items): items must be an array, a typed array or an iterable (got ${describe(got)})`,
  mapCancelled: (n: number) => `beatflow: executor.map() over ${n} items was cancelled`,
  mapFailed: (failed: number, n: number, first: number, error: unknown) =>
    `beatflow: executor.map(): ${failed} of ${n} items failed (item ${first}: ${error instanceof Error ? error.message : String(error)})`,

  // ---- cancellation tokens ----
  tokenOptions: (got: unknown) =>
    `beatflow: new CancellationToken(options): options must be an object like { signal } (got ${describe(got)})`,
  tokenSignal: (got: unknown) =>
    `beatflow: new CancellationToken({ signal }): signal must be an AbortSignal (got ${describe(got)})`,
  tokenAfter: (got: unknown) =>
    `beatflow: token.cancelAfter(ms): ms must be a non-negative number of milliseconds (got ${describe(got)})`,
  tokenAt: (got: unknown) =>
    `beatflow: token.cancelAt(time): time must be a Date or epoch milliseconds (got ${describe(got)})`,
  tokenCancelled: (reason: string) => `beatflow: the task was cancelled${reason ? `: ${reason}` : ''}`,
  /** Reasons a token is cancelled with when the caller gave none. */
  cancelledAfter: (ms: number) => `cancelled after ${ms} ms`,
  cancelledAt: (iso: string) => `cancelled at ${iso}`,
  timedOutAfter: (ms: number) => `timed out after ${ms} ms`,
} as const;
