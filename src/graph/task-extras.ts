// What a Task holds beyond its function, its place, its arguments and its edges: the settings most tasks
// never change (name, condition, module, priority, retries, semaphores). A Task makes this object the
// first time one of them is set (taskflow.ts, Task's accessors), so that the tasks of a recursion through
// subflows, two a call, stay small: fewer fields to write when one is made, fewer bytes to scavenge.
import { NO_SEMAPHORES, type Semaphore } from './semaphore.js';

/** @internal The priority level of a task nobody gave one: 'normal' (src/policy/scheduling.ts PRIORITIES). */
export const NORMAL_LEVEL = 2;

/** @internal The settings of a Task that has any; a new one holds the defaults. */
export class TaskExtras {
  /** Its name, once given (task.name(name); a module task: its taskflow's). */
  declare label: string | undefined;
  /** A condition task: returns the index (or indices) of the successors to run; its edges out are weak. */
  declare condition: boolean;
  /** For a module task (composedOf): the taskflow it runs. */
  declare module: unknown;
  /** Priority level (0 critical … 3 low). */
  declare level: number;
  /** Times a failing run of the task is retried (task.retries). */
  declare retries: number;
  /** Semaphores it acquires before it runs (each once). */
  declare acquire: readonly Semaphore[];
  /** Semaphores it releases when it ends. */
  declare release: readonly Semaphore[];

  constructor() {
    this.label = undefined;
    this.condition = false;
    this.module = undefined;
    this.level = NORMAL_LEVEL;
    this.retries = 0;
    this.acquire = NO_SEMAPHORES;
    this.release = NO_SEMAPHORES;
  }
}
