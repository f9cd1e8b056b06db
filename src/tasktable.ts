// Lays a Taskflow into the shared task table once, so every later run only writes a run counter and
// pushes the sources: the successor lists, dependency counts and bound arguments stay in shared memory.
import type { SharedCore } from './memory.js';
import type { Codec } from './codec.js';
import type { FunctionTable } from './functions.js';
import { nodesOf, checkAcyclic, type Taskflow, type Node } from './graph.js';
import { messages } from './errors.js';

/** A taskflow as it sits in the task table. */
export interface Placed {
  readonly graph: string;
  readonly version: number;
  /** Task slot of each node, by node index. */
  readonly slots: Int32Array;
  /** The taskflow's nodes, by index (for task names on the error path). */
  readonly nodes: readonly Node[];
  readonly runSlot: number;
  /** Heap block holding the sources list, then every successor and predecessor list. */
  readonly block: number;
  readonly nSources: number;
  /** Runs started so far; a RunResult is valid while this still equals its run number. */
  runs: number;
  released: boolean;
}

/**
 * Writes tf into the task table. Throws GraphError for a cycle and RangeError when slots run out
 * (after releasing what it took).
 */
export function place(tf: Taskflow, core: SharedCore, codec: Codec, fns: FunctionTable, runSlot: number): Placed {
  checkAcyclic(tf);
  const nodes = nodesOf(tf);
  const n = nodes.length;
  const L = core.L;
  const x = core.x;
  const ids = new Uint32Array(n);
  let lastFn: Function | undefined;
  let lastId = 0;
  for (let i = 0; i < n; i++) {   // graphs repeat a function over many nodes: skip the lookup when it repeats
    const fn = nodes[i]._fn;
    if (fn !== lastFn) { lastId = fns.idOf(fn, `task ${i} of taskflow '${tf.name}'`); lastFn = fn; }
    ids[i] = lastId;
  }
  const slots = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = x.taskAlloc();
    if (t < 0) {
      for (let j = 0; j < i; j++) x.taskFree(slots[j]);
      throw new RangeError(messages.tooManyTasks(core.taskCap));
    }
    slots[i] = t;
  }
  let edges = 0;
  let nSources = 0;
  for (const node of nodes) { edges += node._succ.length; if (node._pred.length === 0) nSources++; }
  const block = core.alloc(4 * (nSources + 2 * edges) || 4);
  const u32 = core.u32;
  let at = block >> 2;
  for (const node of nodes) if (node._pred.length === 0) u32[at++] = slots[node._index];
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    const p = core.taskPtr(slots[i]);
    const w = p >> 2;
    u32[w + (L.T_fn >> 2)] = ids[i];
    u32[w + (L.T_deps >> 2)] = node._pred.length;
    core.i32[w + (L.T_pending >> 2)] = node._pred.length;
    u32[w + (L.T_run >> 2)] = runSlot;
    u32[w + (L.T_flags >> 2)] = 0;
    u32[w + (L.T_resInfo >> 2)] = 0;
    u32[w + (L.T_succ >> 2)] = at << 2;
    u32[w + (L.T_nsucc >> 2)] = node._succ.length;
    for (const s of node._succ) u32[at++] = slots[s._index];
    u32[w + (L.T_pred >> 2)] = at << 2;
    u32[w + (L.T_npred >> 2)] = node._pred.length;
    for (const s of node._pred) u32[at++] = slots[s._index];
    if (node._bound.length > 0) codec.writeArgs(p, node._bound);
    else u32[w + (L.T_argInfo >> 2)] = 0;
  }
  return {
    graph: tf.name, version: tf.version, slots, nodes: nodes.slice(), runSlot, block, nSources,
    runs: 0, released: false,
  };
}

/** Returns a placed taskflow's slots and heap blocks. The caller makes sure no run of it is in flight. */
export function release(pl: Placed, core: SharedCore, codec: Codec): void {
  if (pl.released) return;
  pl.released = true;
  for (const t of pl.slots) {
    const p = core.taskPtr(t);
    codec.freeResult(p);
    codec.freeArgs(p);
    core.x.taskFree(t);
  }
  core.x.heapFree(pl.block);
}
