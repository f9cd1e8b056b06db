// The single-threaded mode's worker (docs/platforms.md, "Single-threaded mode"): the worker of start.ts,
// run on the host thread instead of a thread of its own, behind the ThreadHandle the pool knows. Its
// start-up messages are delivered as the pool's 'message' events, and its end as 'exit' (0 after
// SHUTDOWN). It never blocks: it runs tasks in slices that yield to the event loop, and sleeps on
// Atomics.waitAsync. terminate() stops it at its next yield: a task running now cannot be interrupted
// on the thread that runs it, so a forced cancellation settles the task's promise but not its code.
import { ensurePlatform } from '../platform/current.js';
import type { SpawnOptions, ThreadHandle } from '../platform/types.js';
import type { WorkerData } from '../engine/thread-protocol.js';
import { startWorker, type Stop } from './start.js';

type Event = 'message' | 'error' | 'exit' | 'online';

class InlineThread implements ThreadHandle {
  readonly threadId = 0;
  readonly #listeners: Record<Event, ((arg: any) => void)[]> = { message: [], error: [], exit: [], online: [] };
  readonly #stop: Stop = { stopped: false };
  #exited = false;
  readonly #inbox: ((m: unknown) => void)[] = [];

  constructor(opts: SpawnOptions) {
    // The recycling and idle-exit options concern threads: the host thread is neither replaced nor left.
    const data = { ...(opts.workerData as WorkerData), lifecycle: undefined };
    const port = {
      data, post: (m: unknown): void => this.#emit('message', m), close(): void {},
      listen: (fn: (m: unknown) => void): void => { this.#inbox.push(fn); },
    };
    // After the pool's listeners (added right after spawn returns): a microtask later.
    void Promise.resolve()
      .then(async () => startWorker(await ensurePlatform(), port, this.#stop))
      .then(() => this.#exit(0), (e: unknown) => { this.#emit('error', e); this.#exit(1); });
  }

  #emit(event: Event, arg: unknown): void {
    if (this.#exited) return;
    for (const fn of this.#listeners[event]) fn(arg);
  }

  #exit(code: number): void {
    if (this.#exited) return;
    this.#emit('exit', code);
    this.#exited = true;
  }

  on(event: Event, fn: (arg: any) => void): void { this.#listeners[event].push(fn); }

  /** The host's messages after start-up (a GPU task's answer): delivered a turn later, as a port would. */
  postMessage(m: unknown): void {
    queueMicrotask(() => { if (!this.#exited) for (const fn of this.#inbox) fn(m); });
  }

  terminate(): Promise<number> {
    this.#stop.stopped = true;
    this.#exit(1);
    return Promise.resolve(1);
  }

  ref(): void {}

  unref(): void {}
}

/** Starts the single-threaded mode's worker on this thread (the pool's spawn, engine.ts InlineSpawner). */
export function spawnInline(opts: SpawnOptions): ThreadHandle {
  return new InlineThread(opts);
}
