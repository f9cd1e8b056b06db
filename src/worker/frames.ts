// The stack of tasks a worker runs. Tasks nest when one helps inside ctx.join by running others:
// th.frameTask[d] is the task at depth d, th.frameKids[d] the children it spawned and has not joined,
// th.frameSubs[d] the subflows it built and has not joined and its task groups (group.ts), each created on first use, and
// th.frameSignal[d] the controller of its `this.signal` once it asked (cancel.ts). Plain arrays
// in the thread state, not an object per task: the loop must not allocate.
//
// The frames block (assembly/layout.ts Frames, named by WorkerSlot.frames) shows the host, after a
// crash, the tasks *below* the running one (the running one is WorkerSlot.current): a top-level task,
// the common case, writes nothing there. Owner-written plainly; the host reads it only after the thread
// died (src/engine/memory.ts runningOn).
import type { Thread } from './thread.js';

/** Entries in the frames block: a deeper stack runs on, and the host then sees its bottom FRAME_CAP tasks. */
export const FRAME_CAP = 1024;

export interface Frames {
  /** Task t starts running on top of the stack. */
  enter(t: number): void;
  /** The task on top of the stack finished, or was suspended. */
  leave(): void;
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
  const { frameTask, frameKids, frameSubs, frameSignal } = th;
  return {
    enter(t) {
      const d = th.depth;
      frameTask[d] = t; frameKids[d] = undefined; frameSubs[d] = undefined; frameSignal[d] = undefined;
      if (d > 0 && d <= FRAME_CAP) {
        const u32 = core.u32;
        u32[entry0 + (d - 1) * stride] = frameTask[d - 1];
        u32[countAt] = d;
      }
      th.depth = d + 1;
    },
    leave() {
      const d = --th.depth;
      if (d > 0 && d <= FRAME_CAP) core.u32[countAt] = d - 1;
    },
    close() {
      core.u32[slotAt] = 0;
      core.x.heapFree(block);
    },
  };
}
