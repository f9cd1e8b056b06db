// Task groups (Taskflow's tf::TaskGroup): tasks a running task spawns as a set and coruns, with a
// cancellation scope of their own. Members are spawned children (context-object.ts spawnChild), joined
// like any child; what a group adds is a subflow run slot (assembly/subflows.ts groupRunOpen) that every
// member names as the run that stops it, so cancel() skips the members not started yet.
import { messages } from '../errors.js';
import type { TaskGroup } from './context.js';
import type { Thread } from './thread.js';

/** What a group needs from its worker's task context. */
export interface GroupParts {
  spawnChild(parent: number, fn: unknown, args: readonly unknown[], stopRun: number, call: string): number;
  joinChildren(kids: number[], list: readonly number[], skippedAsUndefined?: boolean): unknown[];
}

/**
 * One task group, made by this.taskGroup() for the task at depth `d` of this worker's stack (record
 * `task`). It sits in the task's frame with its subflows: when the task returns it is corun (its error
 * becomes the task's), when the task fails its members are waited for and it is dropped; either way its
 * run slot is freed then, after its last member retired.
 */
export class Group implements TaskGroup {
  readonly #th: Thread;
  readonly #parts: GroupParts;
  readonly #d: number;
  readonly #task: number;
  readonly #run: number;
  /** Members spawned since the last corun, in spawn order. */
  #members: number[] = [];
  #cancelled = false;
  #open = true;

  constructor(th: Thread, parts: GroupParts, d: number, task: number, parentRun: number) {
    const r = th.core.x.subRunAlloc();
    if (r < 0) throw new RangeError(messages.tooManyGroups);
    th.core.x.groupRunOpen(r, parentRun);
    this.#th = th;
    this.#parts = parts;
    this.#d = d;
    this.#task = task;
    this.#run = r;
  }

  /** Throws unless the task that made the group is the one running on top of this worker's stack. */
  #check(): void {
    const th = this.#th;
    if (!this.#open || th.depth - 1 !== this.#d || th.frameTask[this.#d] !== this.#task) throw new Error(messages.foreignGroup);
  }

  async(fn: (...a: any[]) => unknown, ...args: unknown[]): number {
    this.#check();
    this.#parts.spawnChild(this.#task, fn, args, this.#run, 'taskGroup.async()');
    // spawnChild appended the member to the frame's children; it is the last one.
    const kids = this.#th.frameKids[this.#d]!;
    this.#members.push(kids[kids.length - 1]);
    return this.#members.length - 1;
  }

  corun(): unknown[] {
    this.#check();
    const list = this.#members;
    if (list.length === 0) return [];
    this.#members = [];
    return this.#parts.joinChildren(this.#th.frameKids[this.#d]!, list, this.#cancelled);
  }

  cancel(): void {
    this.#check();
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#th.core.x.runCancel(this.#run);
  }

  isCancelled(): boolean { return this.#cancelled; }

  /** @internal The task that made it returns: corun what is left, then free the slot. */
  join(): unknown[] {
    try { return this.corun(); } finally { this.drop(); }
  }

  /** @internal The task failed and its children were waited for (join.ts abandon): free the slot. */
  drop(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#members = [];
    this.#th.core.x.subRunFree(this.#run);
  }
}
