// Semaphores on the host: each Semaphore a placed taskflow uses gets a Sem block in this executor's
// memory (its units and its parked tasks; assembly/semaphores.ts), and each placed taskflow whose tasks
// use one gets a semaphore block: a SemLedger with a SemHold per semaphore (the units its run holds),
// then a SemList per task that uses one (assembly/layout.ts). Placement (placement.ts) plans the block
// before it takes any slot, so a bad graph is refused with nothing to give back, and writes it beside
// the task records; the push of a run's seed publishes both. The core does the rest.
import type { SharedCore } from './memory.js';
import { FlatKind, flatName, type FlatGraph } from '../graph/flatten.js';
import type { Semaphore, SemaphoreHome } from '../graph/semaphore.js';
import { GraphError, messages } from '../errors.js';

/** What placement needs: the Sem block of a Semaphore in this executor's memory. */
export interface SemBinder {
  /** The Sem block of `sem`, set up on first use; a GraphError naming `user` if another executor uses it. */
  bind(sem: Semaphore, user: string): number;
}

/** A semaphore's units in one executor's memory. */
class Home implements SemaphoreHome {
  constructor(readonly owner: Semaphores, readonly ptr: number) {}
  live(): boolean { return this.owner.running(); }
  value(): number { return this.owner.valueAt(this.ptr); }
  adjust(k: number): void { this.owner.adjustAt(this.ptr, k); }
}

/**
 * The Sem blocks of one executor. A Semaphore is used by one executor at a time: the first that places
 * a taskflow using it sets its block up (every unit free), and another executor that places one while the
 * first still runs gets a GraphError naming the semaphore and the task. Once the first has stopped (close,
 * destroy), the next executor to use it sets up a block of its own. Host thread only.
 */
export class Semaphores implements SemBinder {
  readonly #core: SharedCore;
  /**
   * Frees a Sem block once its Semaphore is collected: every layout that names the block holds the
   * Semaphore (Layout.semaphores) until it is released, which waits for its runs, so none is in flight.
   */
  readonly #collected = new FinalizationRegistry<number>((ptr) => { if (this.running()) this.#core.x.heapFree(ptr); });
  readonly running: () => boolean;

  constructor(core: SharedCore, running: () => boolean) {
    this.#core = core;
    this.running = running;
  }

  bind(sem: Semaphore, user: string): number {
    const home = sem._home;
    if (home instanceof Home && home.owner === this) return home.ptr;
    if (home !== undefined && home.live()) throw new GraphError(messages.semaphoreElsewhere(sem.name, user));
    const core = this.#core;
    const ptr = core.alloc(core.L.size_Sem);
    core.x.semInit(ptr, sem.maxValue());
    sem._home = new Home(this, ptr);
    this.#collected.register(sem, ptr);
    return ptr;
  }

  /** @internal Units free in the Sem block at ptr (atomic: workers take and give them). */
  valueAt(ptr: number): number {
    const core = this.#core;
    core.ensure(ptr, core.L.size_Sem);
    return Atomics.load(core.i32, (ptr + core.L.S_value) >> 2);
  }

  /** @internal Moves the free units of the block at ptr by k, waking parked tasks if some are free. */
  adjustAt(ptr: number, k: number): void {
    this.#core.x.semAdjust(ptr, k);
  }
}

/** A taskflow's semaphore block as planned from its flat graph (flatten.ts). */
export interface SemPlan {
  /** The semaphores the graph acquires, in first-use order; the layout keeps them (so their blocks stay). */
  readonly semaphores: readonly Semaphore[];
  /** The Sem block of each (SemHold k names sems[k]). */
  readonly sems: readonly number[];
  /** Flat nodes that acquire or release, with the SemHold indices of each: acquired (by Sem address), released. */
  readonly nodes: readonly { node: number; acq: number[]; rel: number[] }[];
  /** Bytes of the block. */
  readonly bytes: number;
}

/** What flat node i acquires and releases: a module's entry acquires for it, its exit releases. */
function usesOf(g: FlatGraph, i: number): [readonly Semaphore[], readonly Semaphore[]] {
  const t = g.tasks[i], k = g.kind[i];
  return [k === FlatKind.Exit ? [] : t._acquire, k === FlatKind.Entry ? [] : t._release];
}

/**
 * Plans the semaphore block of flat graph g (named `graph`), binding each semaphore to this executor;
 * undefined when no task uses one. GraphErrors: a task releases a semaphore that no task of the graph
 * acquires; semaphores where there is no binder (a subflow laid out by a worker: each thread has its own
 * objects, so a Semaphore cannot be shared with one); a semaphore another executor uses.
 */
export function planSems(g: FlatGraph, graph: string, core: SharedCore, binder: SemBinder | undefined): SemPlan | undefined {
  const n = g.tasks.length;
  let first = -1;
  for (let i = 0; i < n && first < 0; i++) if (g.tasks[i]._acquire.length + g.tasks[i]._release.length > 0) first = i;
  if (first < 0) return undefined;
  if (binder === undefined) throw new GraphError(messages.semaphoreInSubflow(flatName(g, first), graph));
  const index = new Map<Semaphore, number>();
  const sems: number[] = [];
  for (let i = first; i < n; i++) {
    for (const s of usesOf(g, i)[0]) {
      if (!index.has(s)) { index.set(s, sems.length); sems.push(binder.bind(s, `task '${flatName(g, i)}' of taskflow '${graph}'`)); }
    }
  }
  const semaphores = [...index.keys()];
  const nodes: { node: number; acq: number[]; rel: number[] }[] = [];
  let bytes = core.L.size_SemLedger + sems.length * core.L.size_SemHold;
  for (let i = first; i < n; i++) {
    const [a, r] = usesOf(g, i);
    if (a.length + r.length === 0) continue;
    const rel = r.map((s) => {
      const k = index.get(s);
      if (k === undefined) throw new GraphError(messages.semaphoreNotAcquired(s.name, flatName(g, i), graph));
      return k;
    });
    const acq = a.map((s) => index.get(s)!).sort((x, y) => sems[x] - sems[y]);   // one order for every task
    nodes.push({ node: i, acq, rel });
    bytes += core.L.size_SemList + 4 * (acq.length + rel.length);
  }
  return { semaphores, sems, nodes, bytes };
}

/**
 * Writes plan's block for a graph laid out in `slots` (records written): the ledger, each task's list, and
 * each such task's flag and list pointer. Returns the block; the caller names it in the run slot.
 */
export function writeSems(core: SharedCore, plan: SemPlan, slots: Int32Array): number {
  const L = core.L;
  const block = core.alloc(plan.bytes);
  const u32 = core.u32;
  u32[(block + L.SL_count) >> 2] = plan.sems.length;
  const holds = block + L.size_SemLedger;
  plan.sems.forEach((sem, k) => {
    const h = holds + k * L.size_SemHold;
    u32[(h + L.SH_sem) >> 2] = sem;
    u32[(h + L.SH_held) >> 2] = 0;
  });
  let at = holds + plan.sems.length * L.size_SemHold;
  for (const { node, acq, rel } of plan.nodes) {
    u32[(at + L.SN_nAcq) >> 2] = acq.length;
    u32[(at + L.SN_nRel) >> 2] = rel.length;
    let e = (at + L.size_SemList) >> 2;
    for (const k of acq) u32[e++] = holds + k * L.size_SemHold;
    for (const k of rel) u32[e++] = holds + k * L.size_SemHold;
    const p = core.taskPtr(slots[node]);
    u32[(p + L.T_flags) >> 2] |= L.flag_Semaphores;
    u32[(p + L.T_sems) >> 2] = at;
    at = e << 2;
  }
  return block;
}
