// Lays a Taskflow into the shared task table once, so every later run only writes a run counter and
// pushes the sources: the successor lists, dependency counts and bound arguments stay in shared memory.
import type { SharedCore } from './memory.js';
import type { Codec } from './codec.js';
import { withFnIds } from './functions.js';
import type { Taskflow } from '../graph/taskflow.js';
import { NO_FN, boundArgs } from '../graph/task-work.js';
import { flatten, flatName, checkAcyclic, FlatKind } from '../graph/flatten.js';
import { messages, GraphError } from '../errors.js';
import { priorityLevel } from '../policy/scheduling.js';
import { planSems, writeSems, type SemBinder } from './semaphores.js';
import type { Semaphore } from '../graph/semaphore.js';

/** Task.flags bits 16–23: how many times a failing graph task is retried (src/worker/retry.ts). */
export const RETRY_SHIFT = 16;
/** The level of a task without a priority of its own (graph nodes that are not tasks). */
const NORMAL = priorityLevel('normal');

/** A taskflow as it sits in the task table: its slots and heap block. */
export interface Layout {
  readonly version: number;
  /** Task slot of each node of the flattened graph (flatten.ts), by flat index. */
  readonly slots: Int32Array;
  /** Flat index of each top-level task, by its index in the taskflow. */
  readonly top: Int32Array;
  readonly runSlot: number;
  /** Heap block holding the sources list, then every successor and predecessor list. */
  readonly block: number;
  /** Heap block of its semaphores (semaphores.ts writeSems; the run slot's `sems` names it), or 0. */
  readonly sems: number;
  /** The semaphores it uses, held so that their Sem blocks outlive it (semaphores.ts Semaphores). */
  readonly semaphores: readonly Semaphore[];
  readonly nSources: number;
  /** Has condition tasks: a run may leave some tasks unrun, so results are cleared before each run. */
  readonly conditional: boolean;
  released: boolean;
}

/** A taskflow the host laid out for its runs (src/engine/runs.ts), and the state of those runs. */
export interface Placed extends Layout {
  /**
   * The taskflow, weakly: the executor keeps every Placed, and a strong reference (directly or through
   * its tasks) would keep the taskflow alive, so the FinalizationRegistry that returns its slots would
   * never fire. Used for task names on the error path only.
   */
  readonly tf: WeakRef<Taskflow>;
  /** Runs started so far; a RunResult is valid while this still equals its run number. */
  runs: number;
  /** The last run failed or was cancelled: a resume runs the tasks it did not finish. */
  lastFailed: boolean;
}

/** Resolves a task's function to its id in the shared function table (host FunctionTable, worker FunctionCache). */
export interface FunctionIds { idOf(fn: unknown, what: string): number }

/** place() for the host's runs: the layout, and the taskflow held weakly for the names in errors. */
export function place(tf: Taskflow, core: SharedCore, codec: Codec, fns: FunctionIds, runSlot: number, sems: SemBinder): Placed {
  const l = layOut(tf, core, codec, fns, runSlot, sems);
  return {
    version: l.version, slots: l.slots, top: l.top, runSlot, block: l.block, sems: l.sems, semaphores: l.semaphores,
    nSources: l.nSources, conditional: l.conditional, released: false, tf: new WeakRef(tf), runs: 0, lastFailed: false,
  };
}

/**
 * Writes tf into the task table. Throws GraphError for a cycle and RangeError when slots run out
 * (after releasing what it took). A worker lays its subflows out with this directly and keeps no
 * WeakRef to them: a WeakRef keeps its target alive until the job that made it ends, and a worker's
 * loop is one job that may never end, so each subflow joined would stay in its heap. A worker passes no
 * `sems`: a subflow's tasks cannot use semaphores (a GraphError names the task).
 */
export function layOut(tf: Taskflow, core: SharedCore, codec: Codec, fns: FunctionIds, runSlot: number, sems?: SemBinder): Layout {
  const flat = flatten(tf);
  checkAcyclic(tf.name, flat);
  const semPlan = planSems(flat, tf.name, core, sems);   // before any slot is taken: a refusal leaves nothing to undo
  const { succOff, succ, predOff, pred, inDegree, condition, tasks: nodes, kind } = flat;
  const n = nodes.length;
  const L = core.L;
  const x = core.x;
  const ids = new Uint32Array(n);
  let lastFn: Function | undefined;
  let lastId = 0;
  for (let i = 0; i < n; i++) {   // graphs repeat a function over many nodes: skip the lookup when it repeats
    const fn = kind[i] === FlatKind.Task ? nodes[i]._fn : NO_FN;
    if (fn !== lastFn) { lastId = fns.idOf(fn, `task '${flatName(flat, i)}' of taskflow '${tf.name}'`); lastFn = fn; }
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
  let nSources = 0;
  for (let i = 0; i < n; i++) if (inDegree[i] === 0) nSources++;
  if (n > 0 && nSources === 0) {
    for (let i = 0; i < n; i++) x.taskFree(slots[i]);
    throw new GraphError(messages.noSource(tf.name));
  }
  // One heap block: the sources, then each task's successor list and predecessor list (task slot ids).
  const fFn = L.T_fn >> 2, fDeps = L.T_deps >> 2, fPending = L.T_pending >> 2, fRun = L.T_run >> 2;
  const fFlags = L.T_flags >> 2, fRes = L.T_resInfo >> 2, fSucc = L.T_succ >> 2, fNsucc = L.T_nsucc >> 2;
  const fPred = L.T_pred >> 2, fNpred = L.T_npred >> 2, fArgs = L.T_argInfo >> 2, fToken = L.T_token >> 2;
  let block = 0;
  let semBlock = 0;
  let written = 0;   // records written so far: their bound arguments may own heap blocks
  try {
    block = core.alloc(4 * (nSources + succ.length + pred.length) || 4);
    const u32 = core.u32;
    const i32 = core.i32;
    let at = block >> 2;
    const level = (i: number): number => (kind[i] === FlatKind.Task ? nodes[i]._level : NORMAL);
    for (const i of byPriority(sourcesOf(inDegree), level, false)) u32[at++] = slots[i];
    for (let i = 0; i < n; i++) {
      const p = core.taskPtr(slots[i]);
      const w = p >> 2;
      const deps = predOff[i + 1] - predOff[i];
      u32[w + fFn] = ids[i];
      u32[w + fDeps] = deps;
      i32[w + fPending] = deps;
      u32[w + fRun] = runSlot;
      u32[w + fFlags] = (condition[i] ? L.flag_Condition : 0) | ((kind[i] === FlatKind.Task ? nodes[i]._retries : 0) << RETRY_SHIFT) |
        levelBits(level(i), L.flag_LevelShift);
      u32[w + fRes] = 0;
      u32[w + fSucc] = at << 2;
      u32[w + fNsucc] = succOff[i + 1] - succOff[i];
      if (condition[i]) for (let k = succOff[i]; k < succOff[i + 1]; k++) u32[at++] = slots[succ[k]];   // indices are the choices
      else for (const k of byPriority(range(succOff[i], succOff[i + 1]), (k) => level(succ[k]), true)) u32[at++] = slots[succ[k]];
      u32[w + fPred] = at << 2;
      // Predecessor results are arguments, but a module's entry is no task of the user's: a source of the
      // module's graph is called with its bound arguments only, as at the top level.
      u32[w + fNpred] = deps === 1 && kind[pred[predOff[i]]] === FlatKind.Entry ? 0 : deps;
      for (let k = predOff[i]; k < predOff[i + 1]; k++) u32[at++] = slots[pred[k]];
      u32[w + fArgs] = 0;
      u32[w + fToken] = 0;   // a slot used before by a submitted task must not keep its token
      written = i + 1;
      const bound = kind[i] === FlatKind.Task ? boundArgs(nodes[i]) : [];
      // Bound FnArg callbacks (parallel algorithms in graphs) are written as this executor's function ids.
      if (bound.length > 0) codec.writeArgs(p, withFnIds(bound, fns));   // frees its own partial blocks if it throws
    }
    if (semPlan !== undefined) semBlock = writeSems(core, semPlan, slots);
    core.u32[(core.runPtr(runSlot) + L.R_sems) >> 2] = semBlock;   // 0 clears what the slot's last taskflow left
  } catch (e) {
    // Give back everything taken so far (an argument the codec cannot encode, or the heap running out).
    for (let i = 0; i < written; i++) codec.freeArgs(core.taskPtr(slots[i]));
    for (let i = 0; i < n; i++) x.taskFree(slots[i]);
    if (block !== 0) x.heapFree(block);
    throw e;
  }
  const conditional = condition.includes(1);
  return {
    version: tf.compositeVersion, slots, top: flat.top, runSlot, block, sems: semBlock, semaphores: semPlan?.semaphores ?? [],
    nSources, conditional, released: false,
  };
}

/** Returns a laid-out taskflow's slots and heap blocks. The caller makes sure no run of it is in flight. */
export function release(pl: Layout, core: SharedCore, codec: Codec): void {
  if (pl.released) return;
  pl.released = true;
  for (const t of pl.slots) {
    const p = core.taskPtr(t);
    codec.freeResult(p);
    codec.freeArgs(p);
    core.x.taskFree(t);
  }
  core.x.heapFree(pl.block);
  if (pl.sems !== 0) core.x.heapFree(pl.sems);
}

/**
 * Task.flags bits for priority level `level` (0 critical … 3 low): the core keeps `level ^ NORMAL` there,
 * so 0 is normal (assembly/layout.ts LEVEL_SHIFT). A worker pushes a task it makes ready on its deque of
 * that level, and owner and thieves take the most urgent level first.
 */
export function levelBits(level: number, shift: number): number {
  return ((level ^ NORMAL) & 3) << shift;
}

/** The priority level written into Task.flags by levelBits. */
export function flagsLevel(flags: number, shift: number): number {
  return ((flags >>> shift) & 3) ^ NORMAL;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

function sourcesOf(inDegree: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < inDegree.length; i++) if (inDegree[i] === 0) out.push(i);
  return out;
}

/**
 * Orders items that become ready together so that the more urgent start first, on the worker that made
 * them ready and on thieves; unchanged when all have one level (the common case keeps insertion order).
 * The first item is run at once (a run's first source, a finishing task's first released successor):
 * the most urgent. The worker pushes each of the others on its deque of that item's level (assembly/
 * README.md, Priority levels); owner and thieves take the most urgent level first, the owner the last
 * pushed first within a level. So within a level the pushes go in reverse insertion order (the owner
 * runs them in insertion order), and the most urgent level is pushed first (a thief woken by the first
 * pushes finds urgent work, not the least urgent). A finishing task pushes its `released` list front
 * to back; a run's sources are pushed back to front (tasks.ts claimSources), so their list holds the
 * same pushes reversed: least urgent level first, insertion order within each. Either way the second
 * item is of the least urgent level present when the first is of the most urgent, which the core
 * reads as "more than one level" (claimSources then claims every source at once). Stable. Pure.
 */
export function byPriority(items: number[], level: (i: number) => number, released: boolean): number[] {
  if (items.length < 2 || items.every((i) => level(i) === level(items[0]))) return items;
  const sorted = items.slice().sort((a, b) => level(a) - level(b));
  const [first, ...rest] = sorted;
  const pushes: number[] = [];   // most urgent level first, reverse insertion order within each
  for (let a = 0; a < rest.length;) {
    let b = a;
    while (b < rest.length && level(rest[b]) === level(rest[a])) b++;
    for (let k = b - 1; k >= a; k--) pushes.push(rest[k]);
    a = b;
  }
  return released ? [first, ...pushes] : [first, ...pushes.reverse()];
}
