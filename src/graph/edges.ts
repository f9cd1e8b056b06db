// The edges of a task graph (taskflow.ts): each task keeps its successors and predecessors in insertion
// order, as a multiset. These functions see a task through the fields edges touch, so this file needs
// nothing of Task or Taskflow (which import it).
import { GraphError, messages } from '../errors.js';

/** @internal The method of a Taskflow that counts one structural change (its version). */
export const bump = Symbol('bump');

/** @internal What an edge joins: a Task (taskflow.ts) as edges see it. */
export interface EdgeEnd<T> {
  readonly _graph: { readonly name: string; [bump](): void };
  readonly _index: number;
  _succ: T[];
  _pred: T[];
  name(): string;
}

/** @internal Adds an edge from → to (one more, if there is one already). */
export function link<T extends EdgeEnd<T>>(from: T, to: T): void {
  if (from._graph !== to._graph) throw new GraphError(messages.foreignTask(from._graph.name, to.name()));
  if (from._index < 0 || to._index < 0) throw new GraphError(messages.erased((from._index < 0 ? from : to).name()));
  // Edges form a multiset, as in Taskflow: a.precede(b, b) adds two edges, so b waits for both (placement
  // counts deps per edge and a finishing task releases each), receives a's result twice, and a condition
  // task's choices 0 and 1 both lead to b.
  if (from._succ.length === 0) from._succ = [];
  if (to._pred.length === 0) to._pred = [];
  from._succ.push(to);
  to._pred.push(from);
  from._graph[bump]();
}

/** @internal Removes every edge from → to (Taskflow's remove_successors removes duplicates too). */
export function unlink<T extends EdgeEnd<T>>(from: T, to: T): void {
  if (!from._succ.includes(to)) return;
  from._succ = from._succ.filter((t) => t !== to);
  to._pred = to._pred.filter((t) => t !== from);
  from._graph[bump]();
}
