// The types of what a task runs and yields (Task<R>, taskflow.ts).

/**
 * A function a task can run: a task-module export or a self-contained function (see the README); any
 * parameters (`never[]` admits every parameter list). A task that uses its context declares
 * `this: TaskContext`.
 */
export type TaskFunction = (...args: never[]) => unknown;

/**
 * What a task of function `F` yields: its return type, awaited. A run awaits a task that returns a
 * promise before its successors start, so successors and `run.result(task)` see the settled value.
 */
export type TaskResult<F> = F extends (...args: never[]) => infer R ? Awaited<R> : unknown;
