// The stack of tasks a worker runs. Tasks nest when one helps inside ctx.join by running others:
// th.frameTask[d] is the task at depth d, th.frameKids[d] the children it spawned and has not joined,
// th.frameSubs[d] the subflows it built and has not joined, its task groups (group.ts) and dependent
// tasks' scope (dependent.ts): a lone subflow as itself, more than that as a list (thread.ts Joinables),
// each created on first use,
// th.frameSignal[d] the controller of its `this.signal` once it asked (cancel.ts), th.frameLevel[d] its
// fork-join level (forecast.ts) and th.frameBase[d] where the outcomes of its inline children start
// (lazy.ts). A child run inline is a frame of its own whose task is its spawner's. Plain arrays
// in the thread state, not an object per task: the loop must not allocate.
//
// The frames block (assembly/layout.ts Frames, named by WorkerSlot.frames) shows the host, after a
// crash, the tasks *below* the running one (the running one is WorkerSlot.current): a top-level task,
// the common case, writes nothing there; neither does a child run inline (its frame's task is its
// spawner's, already listed or current). Owner-written plainly; the host reads it only after the thread
// died (src/engine/memory.ts runningOn).
import type { Thread } from './thread.js';

/** Entries in the frames block: a deeper stack of tasks runs on, and the host then sees its bottom FRAME_CAP tasks. */
export const FRAME_CAP = 1024;

export interface Frames {
  /** Task t (record p, its flags read) starts running on top of the stack. */
  enter(t: number, p: number, flags: number): void;
  /** The task on top of the stack finished, or was suspended. */
  leave(): void;
  /** A child of the top frame's task starts running inline on top of the stack (lazy.ts), at fork-join `level`. */
  enterInline(level: number): void;
  /** That child returned or threw. */
  leaveInline(): void;
  /** Shutdown: takes the block out of the slot (so the host never frees it too), then frees it. */
  close(): void;
}

/** Start-up: allocates the frames block, names it in the worker's slot; the stack's operations. */
export function openFrames(th: Thread): Frames {
  const { core } = th, L = core.L;
  const block = core.alloc(L.Fr_tasks + FRAME_CAP * L.size_FrameEntry);
  const countAt = (block + L.Fr_count) >> 2, entry0 = (block + L.Fr_tasks) >> 2, stride = L.size_FrameEntry >> 2;
  const slotAt = th.slotWord(L.W_frames);
  core.u32[countAt] = 0;
  core.u32[slotAt] = block;
  const { frameTask, frameKids, frameSubs, frameSignal, frameLevel, frameBase, frameStop } = th;
  /** Pushes a frame of task t on the JS arrays (its children, subflows and signal: none, pop() cleared them). */
  function push(t: number, level: number, stop: number): void {
    const d = th.depth;
    frameTask[d] = t; frameLevel[d] = level; frameBase[d] = th.inTop; frameStop[d] = stop;
    th.depth = d + 1;
  }
  /**
   * Pops the top frame; its children, subflows and signal were joined, dropped or kept by now (suspend.ts),
   * and so were its inline children's outcomes (lazy.ts). Cleared now rather than at the next push to
   * that depth: what they hold is garbage from here on, and a deep stack reached once would keep it.
   */
  function pop(): void {
    const d = --th.depth;
    frameKids[d] = undefined; frameSubs[d] = undefined; frameSignal[d] = undefined;
    if (th.inTop !== frameBase[d]) dropOutcomes(frameBase[d]);
  }

  /**
   * pop() of a frame that kept outcomes of inline children it never joined (a call: pop is inlined into
   * every inline child's frame, lazy.ts run, whose inlining budget the task function needs).
   */
  function dropOutcomes(base: number): void {
    const vals = th.inVals;
    for (let k = base; k < th.inTop; k++) vals[k] = undefined;
    th.inTop = base;
  }
  // The block lists real tasks only, indexed by how many are below: an inline child's frame is its
  // spawner's task again, so it adds nothing there (and costs no store to shared memory).
  return {
    enter(t, p, flags) {
      const r = th.tasksDeep;
      if (r > 0 && r <= FRAME_CAP) {
        const u32 = core.u32;
        u32[entry0 + (r - 1) * stride] = frameTask[th.depth - 1];
        u32[countAt] = r;
      }
      th.tasksDeep = r + 1;
      push(t, th.levelOf(p, flags), th.stopRunAt(p, flags));
    },
    leave() {
      const r = --th.tasksDeep;
      if (r > 0 && r <= FRAME_CAP) core.u32[countAt] = r - 1;
      pop();
    },
    enterInline(level) {
      const d = th.depth - 1;
      push(frameTask[d], level, frameStop[d]);   // its spawner's task, token and run
    },
    leaveInline: pop,
    close() {
      core.u32[slotAt] = 0;
      core.x.heapFree(block);
    },
  };
}
