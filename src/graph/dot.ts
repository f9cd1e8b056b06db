// A task graph in GraphViz DOT (taskflow.dump()). Sees each task through the fields it draws, so this
// file needs nothing of Task or Taskflow (taskflow.ts imports it).

/** @internal What the drawing reads of a task (a Task, taskflow.ts). */
export interface DotNode {
  readonly _index: number;
  readonly _condition: boolean;
  readonly _module: unknown;
  readonly _succ: readonly DotNode[];
  name(): string;
}

/**
 * @internal Graph `name` of `nodes` in DOT: condition tasks are diamonds, their (weak) edges dashed and
 * labelled with the index the condition returns to take them; module tasks are 3-D boxes.
 */
export function toDot(name: string, nodes: readonly DotNode[]): string {
  const q = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [`digraph ${q(name)} {`];
  for (const t of nodes) {
    const shape = t._condition ? ', shape=diamond' : t._module ? ', shape=box3d' : '';
    lines.push(`  t${t._index} [label=${q(t.name())}${shape}];`);
  }
  for (const t of nodes) {
    t._succ.forEach((s, i) => {
      lines.push(`  t${t._index} -> t${s._index}${t._condition ? ` [style=dashed, label="${i}"]` : ''};`);
    });
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
