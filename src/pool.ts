// The worker pool: starts one thread per worker slot, replaces a thread that dies, and stops them all
// within a bounded time. It knows nothing of tasks beyond reading a dead worker's `current` task.
import type { ResourceLimits } from 'node:worker_threads';
import { spawnThread, type ThreadHandle } from './platform.js';
import type { SharedCore } from './memory.js';
import type { WorkerData } from './worker.js';
import { messages } from './errors.js';

export interface CrashInfo {
  worker: number;
  /** The task the worker was running when it died, if any. */
  task: number | undefined;
  /** Its async tasks that were awaiting a promise (src/worker.ts suspend). */
  awaiting: number[];
  exitCode: number;
  /** The error the thread raised before it exited (uncaught exception, ERR_WORKER_OUT_OF_MEMORY, …). */
  error?: unknown;
}

export interface PoolOptions {
  moduleUrl?: URL;
  resourceLimits?: ResourceLimits;
  onCrash(info: CrashInfo): void;
  /** A worker slot could not be restarted (its replacement died before it was ready, 3 times in a row). */
  onBroken(worker: number, error: Error): void;
}

/** Consecutive replacements that may die during start-up before a slot is given up. */
const MAX_RESTARTS = 3;

export class Pool {
  readonly #core: SharedCore;
  readonly #opts: PoolOptions;
  readonly #threads: (ThreadHandle | undefined)[];
  readonly #exits: Promise<void>[];
  #closing = false;

  constructor(core: SharedCore, opts: PoolOptions) {
    this.#core = core;
    this.#opts = opts;
    this.#threads = new Array(core.nWorkers).fill(undefined);
    this.#exits = new Array(core.nWorkers).fill(Promise.resolve());
  }

  get size(): number { return this.#threads.length; }

  /** Starts every worker; rejects (after stopping the others) if one cannot load the task module. */
  async start(): Promise<void> {
    try {
      await Promise.all(this.#threads.map((_, w) => this.#spawn(w, 0)));
    } catch (e) {
      await this.destroy();
      throw e;
    }
  }

  #spawn(w: number, attempt: number): Promise<void> {
    const core = this.#core;
    const data: WorkerData = { module: core.module, memory: core.memory, worker: w, moduleUrl: this.#opts.moduleUrl?.href };
    const th = spawnThread({ workerData: data, resourceLimits: this.#opts.resourceLimits, name: `beatflow-${w}` });
    this.#threads[w] = th;
    let ready = false;
    let lastError: unknown;
    let resolveExit!: () => void;
    this.#exits[w] = new Promise<void>((r) => (resolveExit = r));
    return new Promise<void>((resolve, reject) => {
      th.on('message', (m: { type?: string }) => {
        if (m?.type === 'ready') { ready = true; resolve(); }
      });
      th.on('error', (e: unknown) => { lastError = e; });
      // Idle workers never keep the process alive; the executor holds a handle while work is in flight.
      // After the listeners: adding a 'message' listener refs the worker's port again.
      th.unref();
      th.on('exit', (code: number) => {
        resolveExit();
        if (this.#threads[w] === th) this.#threads[w] = undefined;
        if (!ready) {
          const why = lastError instanceof Error ? lastError.message : `the thread exited with code ${code}`;
          const url = this.#opts.moduleUrl?.href;
          const err = new Error(url ? messages.moduleLoad(url, why) : messages.workerStart(w, why), { cause: lastError });
          if (attempt === 0 || this.#closing) { reject(err); return; }
          if (attempt >= MAX_RESTARTS) { this.#opts.onBroken(w, err); reject(err); return; }
          this.#spawn(w, attempt + 1).then(resolve, reject);
          return;
        }
        if (this.#closing) return;
        this.#crashed(w, code, lastError);
      });
    });
  }

  /** A running worker died: report its task, then start a replacement on the same slot (and deque). */
  #crashed(w: number, exitCode: number, error: unknown): void {
    const current = this.#core.x.recoverWorker(w);   // undo what the dead thread held (assembly/worker.ts)
    const awaiting = this.#core.takeAwaiting(w);
    this.#opts.onCrash({ worker: w, task: current >= 0 ? current : undefined, awaiting, exitCode, error });
    this.#spawn(w, 1).catch(() => { /* reported through onBroken */ });
  }

  /** Terminates worker w from outside (tests, forced cancellation): it is reported and replaced like a crash. */
  async kill(w: number): Promise<void> {
    await this.#threads[w]?.terminate();
  }

  /**
   * Asks every worker to exit once the queues are empty, waits up to timeoutMs, then terminates the
   * stragglers. Returns the slots that had to be terminated.
   */
  async close(timeoutMs: number): Promise<number[]> {
    this.#closing = true;
    this.#core.x.wakeAllForShutdown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    const all = Promise.all(this.#exits).then(() => 'done' as const);
    const outcome = await Promise.race([all, timedOut]);
    clearTimeout(timer);
    const stuck: number[] = [];
    if (outcome === 'timeout') {
      this.#threads.forEach((t, w) => { if (t) stuck.push(w); });
      await this.destroy();
    }
    return stuck;
  }

  /** Terminates every worker now. */
  async destroy(): Promise<void> {
    this.#closing = true;
    this.#core.x.wakeAllForShutdown();
    await Promise.all(this.#threads.map((t) => t?.terminate()));
    await Promise.all(this.#exits);
  }
}
