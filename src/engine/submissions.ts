// Pushing one-off tasks (tasks.ts) on the submission queues, and the wake-up after them: submissions
// wake nobody one by one; the wake-up check runs once per WAKE_BATCH submissions and once after the
// current synchronous burst (a microtask), not per task: see assembly/README.md#sleep. Host thread only.
import type { EngineParts } from './parts.js';
import type { SharedCore } from './memory.js';
import { soon, throwSoon } from '../platform/microtask.js';

/** Host submissions between two wake-up checks during a synchronous burst. */
const WAKE_BATCH = 64;
/** The normal priority level: its queue takes the quiet push. */
export const NORMAL = 2;

/** Host thread only. */
export class Submissions {
  readonly #h: Pick<EngineParts, 'demand'>;
  readonly #core: SharedCore;
  #unwoken = 0;
  #wakeQueued = false;

  constructor(host: Pick<EngineParts, 'core' | 'demand'>) {
    this.#h = host;
    this.#core = host.core;
  }

  /** Pushes t on its level's queue; `wake`: counts it towards the wake-up checks. */
  push(t: number, level: number, wake: boolean): void {
    if (level === NORMAL) this.#core.x.submitQuiet(t); else this.#core.x.submitAt(t, level);
    if (!wake) return;
    if (++this.#unwoken >= WAKE_BATCH) { this.#unwoken = 0; this.#core.x.wakeIfBacklog(WAKE_BATCH); }
    if (!this.#wakeQueued) { this.#wakeQueued = true; soon(this.#wakeTask); }
  }

  /**
   * After the synchronous burst: wake a sleeper if anything submitted is still waiting. Run by soon(), so
   * an error (the platform's spawnThread can throw when demand() starts a thread) goes to throwSoon.
   */
  readonly #wakeTask = (): void => {
    this.#wakeQueued = false;
    this.#unwoken = 0;
    try {
      this.#core.x.wakeIfBacklog(0);
      this.#h.demand();
    } catch (e) {
      throwSoon(e);
    }
  };
}
