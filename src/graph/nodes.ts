// A taskflow's list of tasks (taskflow.ts), in insertion order: a task's `_index` is its place in the list,
// -1 once it left (erased, cleared, or its subflow joined), so a handle kept on a removed task is refused.
// Module tasks are in a second list as well (modules.ts); initTaskflow starts a taskflow with empty
// lists. These functions see a taskflow through its lists and a task through its index and edges, so
// this file needs nothing of Task or Taskflow (which import it).
import { GraphError, messages } from '../errors.js';
import { bump, unlink, type EdgeEnd } from './edges.js';
import { modulesKey } from './modules.js';

/** @internal The key of a Taskflow's list of tasks. */
export const nodesKey = Symbol('nodes');

/**
 * @internal The empty list every taskflow's lists and every task's edges start as, shared. Not frozen: a
 * frozen array has another elements kind, and loops over _succ/_pred that meet both kinds go polymorphic
 * (3× slower placement). Nothing writes into it: whatever adds to a list (link() in edges.ts, the
 * taskflow's emplace and composedOf) replaces it first.
 */
export const NO_TASKS: never[] = [];

/** @internal A task as the list sees it (a Task, taskflow.ts). */
export interface Listed<T> extends EdgeEnd<T> {
  readonly _module: unknown;
}

/** @internal A taskflow as the list sees it (a Taskflow, taskflow.ts). */
export interface Lists<T> {
  readonly name: string;
  [nodesKey]: T[];
  [modulesKey]: T[];
  [bump](): void;
}

/** @internal The tasks of a taskflow, in insertion order. */
export function nodesOf<T>(tf: { readonly [nodesKey]: readonly T[] }): readonly T[] {
  return tf[nodesKey];
}

/** @internal Adds module task t (composedOf) to tf's lists, at the place its index names: the end. */
export function addModule<T>(tf: Lists<T>, t: T): void {
  if (tf[nodesKey] === NO_TASKS) tf[nodesKey] = [];
  tf[nodesKey].push(t);
  if (tf[modulesKey] === NO_TASKS) tf[modulesKey] = [];
  tf[modulesKey].push(t);
  tf[bump]();
}

/** @internal Taskflow.erase: removes t, one of tf's tasks, and every edge to or from it; the tasks after it move up. */
export function removeTask<T extends Listed<T>>(tf: Lists<T>, t: T): void {
  if (t._graph !== tf) throw new GraphError(messages.foreignTask(tf.name, t.name()));
  const nodes = tf[nodesKey];
  if (nodes[t._index] !== t) throw new GraphError(messages.erased(t.name()));
  for (const p of t._pred.slice()) unlink(p, t);
  for (const s of t._succ.slice()) unlink(t, s);
  nodes.splice(t._index, 1);
  if (t._module) tf[modulesKey].splice(tf[modulesKey].indexOf(t), 1);
  for (let i = t._index; i < nodes.length; i++) (nodes[i] as { _index: number })._index = i;
  (t as { _index: number })._index = -1;
  tf[bump]();
}

/** @internal Taskflow.clear: removes every task of tf. */
export function removeAll<T extends { _index: number }>(tf: Lists<T>): void {
  const nodes = tf[nodesKey];
  // pop(), not `length = 0` (a runtime call): a joined subflow of a recursion is cleared on every call
  while (nodes.length > 0) nodes.pop()!._index = -1;
  tf[modulesKey] = NO_TASKS;
  tf[bump]();
}

/**
 * @internal Taskflow.clear of a subflow just joined, whose node list nothing else holds (a subflow of
 * independent tasks is never flattened; a laid-out one was released by now): the list is dropped
 * rather than emptied, which pop() would do one task at a time.
 */
export function clearJoined<T extends { _index: number }>(tf: Lists<T>): void {
  const nodes = tf[nodesKey];
  for (let i = 0; i < nodes.length; i++) nodes[i]._index = -1;
  tf[nodesKey] = NO_TASKS;
  tf[modulesKey] = NO_TASKS;
  tf[bump]();
}

/**
 * @internal clearJoined before the run, for a subflow of independent tasks joined and not retained,
 * whose node list nothing else holds (taskflow.ts makes each list its own array and never hands it
 * out): returns the list, which the run then fills with the tasks' results (each read before its
 * result is written over it), so that a subflow's join makes no array of its own.
 */
export function takeNodes<T extends { _index: number }>(tf: Lists<T>): T[] {
  const nodes = tf[nodesKey];
  clearJoined(tf);
  return nodes;
}

/**
 * @internal Sets the fields the Taskflow constructor (taskflow.ts) sets: an empty taskflow named `name`
 * (already checked). graph/subflow.ts makeSubflow, which makes a Subflow without that constructor, sets
 * them too.
 */
export function initTaskflow<T>(tf: Lists<T> & { version: number }, name: string): void {
  (tf as { name: string }).name = name;
  tf.version = 0;
  tf[nodesKey] = NO_TASKS;
  tf[modulesKey] = NO_TASKS;
}
