// Flattening a taskflow for layout: composed taskflows (modules) are expanded in place, and the edges
// are read into typed arrays (compressed sparse rows) in one pass over the task objects, so everything
// after (the cycle check, writing task records) walks arrays, not a million JS objects. Pure: no
// threads, no Wasm.
//
// A module task `m = tf.composedOf(other)` becomes an *entry* node, the nodes of `other` (expanded
// again, so modules nest and one graph can be used several times), and an *exit* node. Edges into m go
// to its entry and edges out of m leave from its exit; the entry precedes the module's sources and the
// exit succeeds its sinks. Entry and exit are no-op tasks, so a condition task can choose a module like
// any other successor.
import { GraphError, messages } from '../errors.js';
import type { Task, Taskflow } from './taskflow.js';
import { nodesOf } from './nodes.js';
import { hasModules } from './modules.js';

export const enum FlatKind { Task = 0, Entry = 1, Exit = 2 }

/** A taskflow with its modules expanded, as arrays indexed by flat node. */
export interface FlatGraph {
  /** The task each flat node comes from (for an entry or exit node: the module task). */
  readonly tasks: readonly Task[];
  readonly kind: Uint8Array;
  /** Flat index of each top-level task of the taskflow (for a module task: its exit node). */
  readonly top: Int32Array;
  /** Successors of node i: succ[succOff[i] .. succOff[i+1]) in edge insertion order (a condition's choice indexes this list). */
  readonly succOff: Int32Array;
  readonly succ: Int32Array;
  /** Strong predecessors of node i (not condition tasks): pred[predOff[i] .. predOff[i+1]), in insertion order. */
  readonly predOff: Int32Array;
  readonly pred: Int32Array;
  /** Predecessors of node i, weak ones included (0: a source of the whole graph). */
  readonly inDegree: Int32Array;
  /** Node i is a condition task. */
  readonly condition: Uint8Array;
}

/** One expansion of a taskflow: where its nodes' edges arrive and leave, and the module node around it. */
interface Instance {
  readonly nodes: readonly Task[];
  /** Flat node that edges into node i arrive at (a module's entry), and that edges out of it leave from (its exit). */
  readonly into: Int32Array;
  readonly from: Int32Array;
  /** For a module's inner graph: the module's entry and exit nodes; -1 at the top level. */
  readonly entry: number;
  readonly exit: number;
}

/** Expands tf (and every module in it) and reads its edges into arrays. Throws GraphError for a module that contains itself. */
export function flatten(tf: Taskflow): FlatGraph {
  return hasModules(tf) ? expandModules(tf) : direct(tf);
}

/** A taskflow without modules: flat nodes are its tasks; one pass over them fills the arrays. */
function direct(tf: Taskflow): FlatGraph {
  const nodes = nodesOf(tf);
  const n = nodes.length;
  const succOff = new Int32Array(n + 1);
  const predOff = new Int32Array(n + 1);
  let edges = 0;
  for (let i = 0; i < n; i++) { edges += nodes[i]._succ.length; succOff[i + 1] = edges; }
  const succ = new Int32Array(edges);
  const pred = new Int32Array(edges);
  const inDegree = new Int32Array(n);
  const condition = new Uint8Array(n);
  const top = new Int32Array(n);
  let e = 0, f = 0;
  for (let i = 0; i < n; i++) {
    const t = nodes[i];
    const ss = t._succ, ps = t._pred;
    for (let k = 0; k < ss.length; k++) succ[e++] = ss[k]._index;
    for (let k = 0; k < ps.length; k++) if (!ps[k]._condition) pred[f++] = ps[k]._index;
    predOff[i + 1] = f;
    inDegree[i] = ps.length;
    condition[i] = t._condition ? 1 : 0;
    top[i] = i;
  }
  return { tasks: nodes, kind: new Uint8Array(n), top, succOff, succ, predOff, pred: pred.subarray(0, f), inDegree, condition };
}

/** The general case: expand every module instance, then read edges through each flat node's instance. */
function expandModules(tf: Taskflow): FlatGraph {
  // Pass 1: flat nodes. For each: the task it comes from, its kind, its instance and index there, and for
  // an entry node the instance of the module's graph.
  const tasks: Task[] = [];
  const kinds: number[] = [];
  const instOf: number[] = [];
  const idxOf: number[] = [];
  const innerOf: number[] = [];
  const instances: Instance[] = [];
  const expanding: Taskflow[] = [];
  const add = (t: Task, k: FlatKind, inst: number, i: number): number => {
    tasks.push(t); kinds.push(k); instOf.push(inst); idxOf.push(i); innerOf.push(-1);
    return tasks.length - 1;
  };
  function expand(g: Taskflow, entry: number, exit: number): number {
    if (expanding.includes(g)) throw new GraphError(messages.selfComposed([...expanding, g].map((x) => x.name)));
    expanding.push(g);
    const nodes = nodesOf(g);
    const me = instances.length;
    const inst: Instance = { nodes, into: new Int32Array(nodes.length), from: new Int32Array(nodes.length), entry, exit };
    instances.push(inst);
    for (let i = 0; i < nodes.length; i++) {
      const mod = nodes[i]._module;
      if (mod === undefined) { inst.into[i] = inst.from[i] = add(nodes[i], FlatKind.Task, me, i); continue; }
      const en = add(nodes[i], FlatKind.Entry, me, i);
      const ex = add(nodes[i], FlatKind.Exit, me, i);
      innerOf[en] = expand(mod, en, ex);
      inst.into[i] = en;
      inst.from[i] = ex;
    }
    expanding.pop();
    return me;
  }
  expand(tf, -1, -1);
  const n = tasks.length;

  // Pass 2: edges, read through each flat node's instance. The entry of a module precedes the sources of
  // its graph, and its exit succeeds the sinks (an empty graph: entry → exit).
  const eachSucc = (u: number, emit: (v: number) => void): void => {
    const I = instances[instOf[u]];
    if (kinds[u] === FlatKind.Entry) {
      const J = instances[innerOf[u]];
      if (J.nodes.length === 0) { emit(J.exit); return; }
      for (let k = 0; k < J.nodes.length; k++) if (J.nodes[k]._pred.length === 0) emit(J.into[k]);
      return;
    }
    const t = I.nodes[idxOf[u]];
    for (const s of t._succ) emit(I.into[s._index]);
    if (t._succ.length === 0 && I.exit >= 0) emit(I.exit);
  };
  /** Strong predecessors in insertion order; returns the in-degree, weak edges included. */
  const eachPred = (v: number, emit: (u: number) => void): number => {
    const I = instances[instOf[v]];
    if (kinds[v] === FlatKind.Exit) {
      const J = instances[innerOf[v - 1]];   // the entry was added just before its exit
      if (J.nodes.length === 0) { emit(J.entry); return 1; }
      let d = 0;
      for (let k = 0; k < J.nodes.length; k++) if (J.nodes[k]._succ.length === 0) { emit(J.from[k]); d++; }
      return d;
    }
    const t = I.nodes[idxOf[v]];
    for (const p of t._pred) if (!p._condition) emit(I.from[p._index]);
    if (t._pred.length === 0 && I.entry >= 0) { emit(I.entry); return 1; }
    return t._pred.length;
  };
  const succOff = new Int32Array(n + 1);
  const predOff = new Int32Array(n + 1);
  const inDegree = new Int32Array(n);
  let cs = 0, cp = 0;
  for (let u = 0; u < n; u++) {
    eachSucc(u, () => { cs++; });
    succOff[u + 1] = cs;
    inDegree[u] = eachPred(u, () => { cp++; });
    predOff[u + 1] = cp;
  }
  const succ = new Int32Array(cs);
  const pred = new Int32Array(cp);
  const condition = new Uint8Array(n);
  let fs = 0, fp = 0;
  for (let u = 0; u < n; u++) {
    eachSucc(u, (v) => { succ[fs++] = v; });
    eachPred(u, (w) => { pred[fp++] = w; });
    condition[u] = kinds[u] === FlatKind.Task && tasks[u]._condition ? 1 : 0;
  }
  return { tasks, kind: Uint8Array.from(kinds), top: instances[0].from, succOff, succ, predOff, pred, inDegree, condition };
}

/** The name of flat node i, for errors: a module's entry and exit carry the module task's name. */
export function flatName(g: FlatGraph, i: number): string {
  const name = g.tasks[i].name();
  return g.kind[i] === FlatKind.Entry ? `${name} (entry)` : name;
}

/**
 * Checks that the strong edges form no cycle (Kahn's algorithm over the arrays); weak edges, out of
 * condition tasks, may. A strong cycle would deadlock: each task on it waits for the previous. On one,
 * throws a GraphError naming its tasks in order, starting at the earliest. Pure.
 */
export function checkAcyclic(graphName: string, g: FlatGraph): void {
  const { succOff, succ, predOff, pred, condition } = g;
  const n = succOff.length - 1;
  const indeg = new Int32Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    indeg[i] = predOff[i + 1] - predOff[i];
    if (indeg[i] === 0) stack[top++] = i;
  }
  let seen = 0;
  while (top > 0) {
    const i = stack[--top];
    seen++;
    if (condition[i]) continue;   // weak edges do not count
    for (let k = succOff[i]; k < succOff[i + 1]; k++) if (--indeg[succ[k]] === 0) stack[top++] = succ[k];
  }
  if (seen === n) return;
  // Walk strong predecessors among the nodes Kahn could not remove until one repeats: that loop is a cycle.
  let at = indeg.findIndex((d) => d > 0);
  const pos = new Map<number, number>();
  const path: number[] = [];
  while (!pos.has(at)) {
    pos.set(at, path.length);
    path.push(at);
    for (let k = predOff[at]; k < predOff[at + 1]; k++) if (indeg[pred[k]] > 0) { at = pred[k]; break; }
  }
  const cycle = path.slice(pos.get(at)).reverse();
  const first = cycle.indexOf(Math.min(...cycle));
  const names = [...cycle.slice(first), ...cycle.slice(0, first)].map((i) => flatName(g, i));
  const err = new GraphError(messages.cycle(graphName, [...names, names[0]]));
  err.cycle = names;
  throw err;
}
