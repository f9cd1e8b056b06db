// The AsyncTask handles of dependent async tasks as values: the handle a task gets from
// this.dependentAsync (WorkerAsyncTask), which crosses threads by reference as (executor, slot, serial)
// (packer.ts, msgpackr extension 0x41), and the mark that keeps the host's AsyncTask from crossing at all
// (clone-rules.ts). A leaf: the codec, the clone rules, the host's and the workers' dependents import it.

/** What a handle asks of the core it was made or read on (assembly/dependent.ts depState), and that core's executor. */
export interface HandleCore {
  readonly execId: number;
  depState(t: number, serial: number): number;
}

/** Set on the host's AsyncTask class: clone-rules refuses it as a value sent to a task. */
export const HOST_HANDLE: unique symbol = Symbol('beatflow.hostAsyncTask');

/**
 * A dependent async task made inside a task (`this.dependentAsync`): pass it as a dependency to later
 * `this.dependentAsync` calls, of this task or of any task that runs while this one does (its children,
 * its subflows' tasks, its task groups' members: send it to them as an argument), and wait for it with
 * `this.join(handle)`, which returns its result. It belongs to the task that made it: that task waits for
 * it before it ends, and from then on the handle only says `isDone()` (true); using it is an error.
 * Worker thread only: on the host, `executor.dependentAsync` returns an {@link AsyncTask}.
 *
 * @example
 * export function pipeline(rows) {            // a task
 *   const parsed = this.dependentAsync(parse, { args: [rows] });
 *   const total = this.dependentAsync(sum, parsed);
 *   return this.join(total);
 * }
 */
export class WorkerAsyncTask<R = unknown> {
  // Private fields: not enumerable, so the clone walk and msgpackr see none of them (the codec's extension
  // writes the three numbers).
  readonly #core: HandleCore;
  readonly #exec: number;
  readonly #slot: number;
  readonly #serial: number;
  declare readonly _result?: R;   // types join()'s result; never set

  /** @internal Made by this.dependentAsync, or read from a value (packer.ts). */
  constructor(core: HandleCore, exec: number, slot: number, serial: number) {
    this.#core = core;
    this.#exec = exec;
    this.#slot = slot;
    this.#serial = serial;
  }

  /**
   * True once the task finished: it ran (returned or threw), or failed because a dependency failed. A handle
   * of another executor's task is done: it can only have got here through the host, after its maker ended.
   */
  isDone(): boolean {
    return this.#exec !== this.#core.execId || this.#core.depState(this.#slot, this.#serial) !== 0;
  }

  /** @internal The executor (Header.execId), task slot and serial it names. */
  static parts(h: WorkerAsyncTask): [exec: number, slot: number, serial: number] { return [h.#exec, h.#slot, h.#serial]; }
  /** @internal The same, one at a time (no array per dependency on the hot path). */
  static execOf(h: WorkerAsyncTask): number { return h.#exec; }
  static slotOf(h: WorkerAsyncTask): number { return h.#slot; }
  static serialOf(h: WorkerAsyncTask): number { return h.#serial; }
}
