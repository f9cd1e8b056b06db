// The Q-learned spin policy's host side (option spinPolicy: 'q-learning'; the core: assembly/learn/
// spin.ts): one Q-table per worker slot, laid out before the workers start, and a view of them for
// inspection. Nothing here is on a worker's path.
import type { SharedCore } from '../engine/memory.js';

/** Q-learning's tunables for the spin policy, each with its reason. */
export const SPIN_Q = Object.freeze({
  /** Learning rate: the reward of one search is noisy (a producer's timing); 0.1 averages over ~10. */
  alpha: 0.1,
  /** Discount: the next search's state matters a little (a park now makes the next search start parked). */
  gamma: 0.5,
  /** Exploration: 1 search in 20 tries another budget, so a change in the workload is noticed. */
  epsilon: 0.05,
});

/** Bytes of each worker's block: the Q-table rounded up to whole cache lines (no two workers share one). */
const BLOCK_ALIGN = 64;

/** One worker's table: its updates and Q[state][action] (states: found soon, found, found late, parked; actions: ¼, 1, 4 × spinIters). */
export interface SpinTable { updates: number; q: number[][] }
/** executor.models.spinPolicy(): the policy in force, and each worker's table (q-learning only). */
export interface SpinPolicyView { policy: 'heuristic' | 'q-learning'; workers: SpinTable[] }

export class SpinLearner {
  readonly #core: SharedCore;
  readonly #tables: number[];

  private constructor(core: SharedCore, tables: number[]) { this.#core = core; this.#tables = tables; }

  /** Host, before the workers start: a Q-table per worker slot when `on`, named in each slot (WorkerSlot.qspin). */
  static create(core: SharedCore, on: boolean): SpinLearner {
    const x = core.x, L = core.L;
    const tables: number[] = [];
    if (on) {
      const states = L.count_SpinStates, actions = L.count_SpinActions;
      const bytes = Math.ceil(x.qSize(states, actions) / BLOCK_ALIGN) * BLOCK_ALIGN;
      for (let w = 0; w < core.nWorkers; w++) {
        const q = core.alloc(bytes);
        x.qInit(q, states, actions, SPIN_Q.alpha, SPIN_Q.gamma, SPIN_Q.epsilon, w + 1);
        core.u32[(core.workerPtr(w) + L.W_qspin) >> 2] = q;   // published by the thread's creation
        tables.push(q);
      }
    }
    return new SpinLearner(core, tables);
  }

  /**
   * Each worker's table, read plainly while its owner may be updating it: every value is one aligned f32
   * or u32 word (never torn), but a row may mix two updates. For inspection only.
   */
  view(): SpinPolicyView {
    const c = this.#core, x = c.x, L = c.L;
    const workers = this.#tables.map((q) => {
      const states = L.count_SpinStates, actions = L.count_SpinActions;
      const rows = Array.from({ length: states }, (_, s) => Array.from({ length: actions }, (_, a) => x.qValue(q, s, a)));
      return { updates: c.u32[(q + c.L.Q_updates) >> 2], q: rows };
    });
    return { policy: this.#tables.length > 0 ? 'q-learning' : 'heuristic', workers };
  }
}
