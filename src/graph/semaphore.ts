// Semaphores as data (Taskflow's tf::Semaphore): a count of units that graph tasks acquire before they
// run and release when they end (task.acquire / task.release, taskflow.ts). Nothing here is threaded:
// while an executor uses a Semaphore, its units live in that executor's shared memory
// (src/engine/semaphores.ts, assembly/semaphores.ts) and this object reads them through its home.
import { messages } from '../errors.js';

/** The largest maximum a Semaphore takes: its units are counted in a 32-bit signed word. */
export const MAX_UNITS = 0x7fffffff;

/** @internal Where a Semaphore's units live while one executor uses it (src/engine/semaphores.ts). */
export interface SemaphoreHome {
  /** The executor's semaphore table that set it up (compared by identity). */
  readonly owner: object;
  /** False once that executor stopped: the semaphore may move to another one. */
  live(): boolean;
  /** Units free now (below 0 only after reset(n) lowered the maximum under units still held). */
  value(): number;
  /** Moves the number of free units by k (reset(n)), waking tasks parked on it if units are free. */
  adjust(k: number): void;
}

function checkUnits(call: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_UNITS) {
    throw new TypeError(messages.argType(call, `a positive integer up to ${MAX_UNITS}`, n));
  }
  return n;
}

/**
 * A counting semaphore for graph tasks, as Taskflow's `tf::Semaphore`: a task that acquires it waits,
 * before it starts, for one of its `maxValue` units, and a task that releases it gives one back when it
 * ends. `new Semaphore(1)` makes the tasks that acquire and release it a critical section: at most one of
 * them runs at a time. A waiting task does not block its worker, which runs other tasks meanwhile.
 * Thread-safety: host thread only, like the graphs that use it; one executor at a time uses it (another
 * executor that runs a graph using it throws a GraphError until the first is closed).
 *
 * @example
 * const one = new Semaphore(1, 'disk');
 * for (const t of tf.emplace([save, save, save])) t.acquire(one).release(one);
 */
export class Semaphore {
  /** The name errors give it ('semaphore' unless set). */
  readonly name: string;
  #max: number;
  /** @internal Its units in an executor's memory, once a placed taskflow uses it. */
  _home: SemaphoreHome | undefined = undefined;

  /** A semaphore of `maxValue` units (a positive integer), all free. */
  constructor(maxValue: number, name = 'semaphore') {
    this.#max = checkUnits('new Semaphore(maxValue, name): maxValue', maxValue);
    if (typeof name !== 'string') throw new TypeError(messages.argType('new Semaphore(maxValue, name): name', 'a string', name));
    this.name = name;
  }

  /**
   * Units free now: maxValue() less the units tasks hold. Every run gives back what its tasks took, so it
   * reads maxValue() again once no run using the semaphore is in flight. 0 while a lowered maximum
   * (reset(n)) is still exceeded by units held.
   */
  value(): number {
    const home = this._home;
    return home !== undefined && home.live() ? Math.max(0, home.value()) : this.#max;
  }

  /** The number of units: how many tasks that acquire it may run at once. */
  maxValue(): number { return this.#max; }

  /**
   * Sets the number of units to `maxValue` (default: the current one). Units that running tasks hold stay
   * held and count against the new maximum, so lowering it under them lets no task start until enough
   * come back; raising it starts waiting tasks at once. Taskflow's reset() instead forgets held units and
   * drops the waiting tasks; here nothing a run holds is lost, so after runs end reset() changes nothing.
   */
  reset(maxValue?: number): void {
    const n = maxValue === undefined ? this.#max : checkUnits('semaphore.reset(maxValue): maxValue', maxValue);
    const home = this._home;
    if (home !== undefined && home.live() && n !== this.#max) home.adjust(n - this.#max);
    this.#max = n;
  }
}

/**
 * @internal A task's semaphores before task.acquire or task.release sets any: one shared empty array
 * (nothing writes into it; withSemaphores makes a new one).
 */
export const NO_SEMAPHORES: readonly Semaphore[] = [];

/**
 * @internal `have` plus each of `add` not in it yet (a task takes a unit of a semaphore once); a
 * TypeError naming `call`, the task and the argument for anything but a Semaphore, with nothing added.
 */
export function withSemaphores(have: readonly Semaphore[], add: readonly unknown[], call: string, task: string): readonly Semaphore[] {
  const out = have.slice();
  add.forEach((s, i) => {
    if (!(s instanceof Semaphore)) throw new TypeError(messages.taskArg(call, task, `semaphores[${i}]`, 'a Semaphore (new Semaphore(n))', s));
    if (!out.includes(s)) out.push(s);
  });
  return out;
}
