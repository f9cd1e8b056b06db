// Jobs waiting for a task slot (tasks.ts): one FIFO queue per priority level. Tasks drains it, most
// urgent level first, whenever slots come back. Host thread only.
import type { Job } from './jobs.js';

export class Backlog {
  readonly #levels: Job[][] = [[], [], [], []];
  #size = 0;

  /** Jobs waiting, all levels together. */
  get size(): number { return this.#size; }

  /** Jobs waiting at priority level l. */
  countAt(l: number): number { return this.#levels[l].length; }

  /** Queues job behind the others of its level. */
  push(job: Job): void {
    this.#levels[job.level].push(job);
    this.#size++;
  }

  /** The first job of level l, taken out (the level must have one). */
  take(l: number): Job {
    this.#size--;
    return this.#levels[l].shift()!;
  }

  /** Takes job out if it waits here; true if so. */
  remove(job: Job): boolean {
    const q = this.#levels[job.level];
    const i = q.indexOf(job);
    if (i < 0) return false;
    q.splice(i, 1);
    this.#size--;
    return true;
  }

  /** Gives job priority level `level`, moving it to the back of that level's queue if it waits here. */
  move(job: Job, level: number): void {
    if (this.remove(job)) { this.#levels[level].push(job); this.#size++; }
    job.level = level;
  }

  /** Every job waiting, most urgent level first, taken out. */
  takeAll(): Job[] {
    const all = this.#levels.flatMap((q) => q.splice(0));
    this.#size = 0;
    return all;
  }
}
