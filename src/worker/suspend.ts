// Async tasks. A task that returns a promise is suspended: its record stays out of the deques, listed
// in this worker's await list (AwaitEntry blocks, assembly/layout.ts, named by WorkerSlot.awaitList, so
// the host can settle it if this thread dies), and the worker runs other tasks meanwhile. When the
// promise settles the task is resumed on this worker (run.ts resume): its unjoined children and
// subflows are joined, its result recorded, and it retires. While any task is suspended the worker never
// parks in a blocking wait (the promise could not settle): it looks for work without blocking, and
// sleeps on its `parked` word (Platform.waitAsync), raced against the next settlement; and when busy
// it yields to the event loop about once a millisecond (main.ts).
import { EMPTY, RETRY } from '../engine/memory.js';
import type { Thread, Suspended, InlineOutcomes } from './thread.js';

/** Suspended tasks one worker holds at most; beyond it the worker waits for one to settle first. */
export const AWAIT_CAP = 256;
/** While tasks are suspended, the worker yields to the event loop after running tasks for this long (ms). */
export const BUSY_YIELD_MS = 1;

export interface AwaitList {
  /**
   * The task t on top of the stack returned promise r: list it (the caller then leaves its frame), with the
   * outcomes of its inline children not joined yet (lazy.ts park).
   */
  suspend(t: number, r: PromiseLike<unknown>, inline: InlineOutcomes | undefined): void;
  /** A settled task leaves the list and becomes the worker's current task again (run.ts resume). */
  unlist(s: Suspended): void;
  /**
   * With suspended tasks and nothing to run: sleep until work arrives (a waker claims our `parked` word
   * and notifies it) or a promise settles. Same steps as the blocking park (assembly/sleep.ts, W1–W4),
   * with the platform's waitAsync; afterwards every waiter left on our word is woken, so a stale one never
   * swallows a later wake-up. Returns what the re-check found when it found work or a settlement was
   * already waiting (a task, RETRY, …), else EMPTY.
   */
  sleepAsync(): Promise<number>;
  /**
   * The list is full: no work is taken until a task settles. Tasks still queued must not wait for that
   * while another worker sleeps (the host's wake at the end of its burst may have seen us searching and
   * woken nobody): wakes one if nobody else is searching, then waits.
   */
  awaitSettlement(): Promise<void>;
}

/**
 * Awaits p with the thread's event loop held open. A pending waitAsync does not keep it alive, nor does a
 * task awaiting only a cancellation signal: without this the thread would end with our tasks pending.
 */
async function keptAlive<T>(p: Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 1 << 30);
  try { return await p; } finally { clearInterval(alive); }
}

/** Start-up: allocates the await list, every entry free, and names it (and its capacity) in the worker's slot. */
export function openAwaitList(th: Thread): AwaitList {
  const { core, x, w } = th, L = core.L;
  const list = core.alloc(AWAIT_CAP * L.size_AwaitEntry);
  const at = list >> 2, stride = L.size_AwaitEntry >> 2;
  core.u32.fill(0, at, at + AWAIT_CAP * stride);
  core.u32[th.slotWord(L.W_awaitCap)] = AWAIT_CAP;
  Atomics.store(core.u32, th.slotWord(L.W_awaitList), list);
  const free: number[] = [];
  for (let i = AWAIT_CAP - 1; i >= 0; i--) free.push(i);
  /** Wakes the loop when it waits for a settlement. */
  let kick: (() => void) | undefined;
  const nextSettlement = (): Promise<void> => new Promise<void>((r) => { kick = r; });

  return {
    suspend(t, r, inline) {
      const entry = free.pop()!;
      core.u32[at + entry * stride] = t + 1;
      core.i32[th.currentAt] = -1;   // t is in the await list now: a crash must not report it twice
      const d = th.depth - 1;
      const s: Suspended = { t, entry, kids: th.frameKids[d], subs: th.frameSubs[d], signal: th.frameSignal[d], inline, ok: true, value: undefined };
      th.suspended++;
      const settled = (ok: boolean, value: unknown): void => {
        s.ok = ok;
        s.value = value;
        th.resumable.push(s);
        const k = kick;
        kick = undefined;
        k?.();
      };
      Promise.resolve(r).then((v) => settled(true, v), (e) => settled(false, e));
    },
    unlist(s) {
      core.u32[at + s.entry * stride] = 0;   // off the list before it is current: a crash reports it once
      free.push(s.entry);
      th.suspended--;
      core.i32[th.currentAt] = s.t;
    },
    async sleepAsync() {
      x.announceSleep(w);                                          // W1
      const t = x.tryNext(w);                                      // W2
      if (t >= 0 || t === RETRY || th.resumable.length > 0) { x.cancelSleep(w); return t; }   // RETRY: work is there
      const settled = nextSettlement();
      const stop = new AbortController();   // a polling wait (platform/wait.ts) ends with it; a waitAsync at cancelSleep's notify
      const woken = th.wait(core.i32, th.parkedAt, 1, stop.signal);
      // The single-threaded mode holds nothing: the host holds the process while it is owed a settlement.
      await (th.single ? Promise.race([woken, settled]) : keptAlive(Promise.race([woken, settled])));
      stop.abort();
      kick = undefined;
      x.cancelSleep(w);                                            // W3/W4: withdraw, whoever woke us
      Atomics.notify(core.i32, th.parkedAt);
      return EMPTY;
    },
    async awaitSettlement() {
      x.wakeIfBacklog(0);
      await (th.single ? nextSettlement() : keptAlive(nextSettlement()));
    },
  };
}
