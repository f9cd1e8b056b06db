// What a task of a graph (taskflow.ts) runs: the function of a module's own nodes (NO_FN), the one of a
// placeholder until it is given work (PLACEHOLDER), and the arguments bound to it as a task keeps them.
// These see a task through its bound arguments only, so this file needs nothing of Task or Taskflow
// (which import it).

/** @internal Bound arguments of a task without any, shared (not frozen, as NO_TASKS, nodes.ts): args() replaces it. */
export const NO_ARGS: readonly unknown[] = [];

/** @internal The arguments bound to task t, as a list (args(x) of one number keeps the number alone). */
export function boundArgs(t: { readonly _bound: readonly unknown[] | number }): readonly unknown[] {
  const b = t._bound;
  return typeof b === 'number' ? [b] : b;
}
/** The function of a module task and of a module's entry and exit nodes: they do nothing themselves. */
export const NO_FN = function module() { /* a module's own node does nothing */ };
/** @internal The function of a placeholder task (tf.placeholder) until task.work(fn) gives it one: runs as a no-op. */
export const PLACEHOLDER: Function = Object.defineProperty(function () { /* no work yet */ }, 'name', { value: '' });
