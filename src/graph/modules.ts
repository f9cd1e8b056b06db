// Module tasks (taskflow.composedOf): a taskflow keeps its module tasks in a list of their own, so the
// version that covers every taskflow it is composed of walks modules only, not every task.

/** @internal The key of a Taskflow's list of module tasks. */
export const modulesKey = Symbol('modules');

/** @internal What the walk reads of a taskflow (a Taskflow, taskflow.ts). */
export interface Composed {
  readonly version: number;
  readonly [modulesKey]: readonly { readonly _module: Composed | undefined }[];
}

/**
 * @internal A version of tf that changes whenever tf or any taskflow it is composed of changes: each
 * taskflow reached counts once (versions only grow, so the sum does too).
 */
export function compositeVersion(tf: Composed): number {
  let v = tf.version;
  const seen = new Set<Composed>([tf]);
  const stack: Composed[] = [tf];
  while (stack.length) {
    for (const t of stack.pop()![modulesKey]) {
      const m = t._module!;
      if (!seen.has(m)) { seen.add(m); v += m.version + 1; stack.push(m); }
    }
  }
  return v;
}

/** @internal True if the taskflow has module tasks (composedOf). */
export function hasModules(tf: { readonly [modulesKey]: readonly unknown[] }): boolean {
  return tf[modulesKey].length > 0;
}
