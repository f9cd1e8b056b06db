// Where a finishing condition task lists the successors it chose, for finish() to release: a heap block
// of Choice entries (assembly/layout.ts) at th.choices, grown on demand. Its address is in the worker's
// slot too (WorkerSlot.choices), so the host frees it if the thread dies (src/engine/memory.ts
// reclaimWorker).
import type { Thread } from './thread.js';

/** Entries in the first block: a condition choosing more replaces it with one that fits. */
const FIRST_CAP = 64;

export interface Choices {
  /**
   * How many successors the task at record p releases: its condition's choices, written at th.choices
   * (read th.choices after this: it may move the block), else 0.
   */
  chosen(p: number, failed: number, r: unknown, flags: number): number;
  /** Shutdown: frees the block, taking it out of the worker slot first (the host must never free it a second time). */
  close(): void;
}

/** Start-up: the first block; the operations on it. */
export function openChoices(th: Thread): Choices {
  const { core } = th, L = core.L;
  const size = L.size_Choice, stride = size >> 2, slotAt = th.slotWord(L.W_choices);
  const CONDITION = th.CONDITION, T_nsucc = th.T_nsucc;
  let cap = FIRST_CAP;
  const place = (p: number): void => { th.choices = p; core.u32[slotAt] = p; };
  const drop = (): void => { const old = th.choices; place(0); core.x.heapFree(old); };
  place(core.alloc(cap * size));

  /**
   * A condition task returned r: the successor indices to release, checked against nsucc (other values
   * and out-of-range indices release nothing), each once. Written at th.choices; returns how many.
   */
  function write(r: unknown, nsucc: number): number {
    const picks = typeof r === 'number' ? [r] : Array.isArray(r) ? r : [];
    if (picks.length > cap) {
      drop();
      cap = picks.length;
      place(core.alloc(cap * size));
    }
    const u32 = core.u32, at = th.choices >> 2;
    let n = 0;
    for (const i of picks) {
      if (!Number.isInteger(i) || i < 0 || i >= nsucc) continue;
      let seen = false;
      for (let k = 0; k < n; k++) if (u32[at + k * stride] === i) { seen = true; break; }
      if (!seen) u32[at + n++ * stride] = i;
    }
    return n;
  }

  return {
    chosen: (p, failed, r, flags) => (failed === 0 && (flags & CONDITION) !== 0 ? write(r, core.u32[(p >> 2) + T_nsucc]) : 0),
    close: drop,
  };
}
