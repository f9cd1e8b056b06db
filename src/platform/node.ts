// The platform boundary: everything that differs between Node, browsers, Deno and Bun lives here.
// Today only Node's worker_threads is implemented; Web Workers and an inline single-thread mode plug in
// behind the same three functions.
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker, parentPort, workerData, type ResourceLimits } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export type { ResourceLimits };
import { getHeapStatistics } from 'node:v8';
import { messages } from '../errors.js';

/** Reads a file shipped with the package (the .wasm). */
export async function readBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(fileURLToPath(url)));
}

/** Logical CPUs the runtime may use. */
export function cpuCount(): number {
  return availableParallelism();
}

/** A thread running src/worker/main.ts, as the pool sees it. */
export interface ThreadHandle {
  readonly threadId: number;
  postMessage(msg: unknown): void;
  on(event: 'message' | 'error' | 'exit' | 'online', fn: (arg: any) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

export interface SpawnOptions {
  workerData: unknown;
  resourceLimits?: ResourceLimits;
  name?: string;
}

/**
 * Workers inherit the host's flags (execArgv left undefined), except that --input-type applies only to an
 * --eval/stdin entry point and makes a worker fail at start. An explicit list is checked more strictly
 * than inheritance (process-wide flags such as --expose-gc are refused), so one is passed only when
 * --input-type must be dropped, and then without the flags a worker cannot take.
 */
function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => a.startsWith('--input-type'))) return undefined;
  const processWide = /^--(input-type|expose[-_]gc|max[-_]old[-_]space[-_]size|inspect|title|prof|cpu-prof|heap-prof|trace[-_]|perf[-_])/;
  return argv.filter((a) => !processWide.test(a));
}

/** The worker entry, build/src/worker/main.js: part of the package's build, beside this file's. */
export const WORKER_ENTRY = new URL('../worker/main.js', import.meta.url);

/** Starts a worker thread on WORKER_ENTRY. A failure to load it arrives as the thread's 'error', then 'exit'. */
export function spawnThread(opts: SpawnOptions): ThreadHandle {
  return new Worker(WORKER_ENTRY, {
    workerData: opts.workerData,
    resourceLimits: opts.resourceLimits,
    name: opts.name,
    execArgv: workerExecArgv(),
    stdout: false,
    stderr: false,
  }) as unknown as ThreadHandle;
}

/** What a worker thread sees of its host: the data it was started with, and a channel back. */
export interface WorkerContext<T> {
  data: T;
  post(msg: unknown): void;
  /** Calls fn with each message the host posts (the port does not keep the thread alive for it). */
  listen(fn: (msg: unknown) => void): void;
  close(): void;
}

/** Bytes of this isolate's heap in use (a worker's recycleAboveHeapMb check; about a microsecond). */
export function heapUsedBytes(): number {
  return getHeapStatistics().used_heap_size;
}

/** Inside a worker: ends the thread now, whatever handles are still open (a planned exit). */
export function exitThread(): never {
  process.exit(0);
}

/** Inside a worker: its start-up data and a way to talk to the host (rare control messages only). */
export function workerContext<T>(): WorkerContext<T> {
  const port = parentPort;
  if (!port) throw new Error(messages.notInWorker);
  return {
    data: workerData as T, post: (m) => port.postMessage(m), close: () => port.close(),
    listen: (fn) => { port.on('message', fn); port.unref(); },
  };
}

/**
 * Keeps the process alive while the runtime owes the user a settlement (a task in flight, create(),
 * close()), and never otherwise: worker threads are unref'd, so an idle executor that is never closed
 * does not hold the process open. Reference-counted; one timer handle.
 */
export class KeepAlive {
  #holds = 0;
  readonly #timer = setInterval(() => {}, 1 << 30);

  constructor() { this.#timer.unref(); }

  hold(): void { if (this.#holds++ === 0) this.#timer.ref(); }

  release(): void { if (--this.#holds === 0) this.#timer.unref(); }

  /** Holds while p is pending. */
  async during<T>(p: Promise<T>): Promise<T> {
    this.hold();
    try { return await p; } finally { this.release(); }
  }

  dispose(): void { clearInterval(this.#timer); }
}

/** Resolves after the event loop had a turn (timers and I/O callbacks can run), not just the microtasks. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((r) => setTimeout(r, 0));
}

/** The working directory as a file: URL ending in '/', against which relative module paths resolve. */
export function cwdUrl(): URL {
  return pathToFileURL(process.cwd() + '/');
}

/**
 * The system's view of the CPU topology: reads a Linux sysfs file as text, undefined when it is missing
 * or this is not Linux (observe/topology.ts then falls back to a flat model).
 */
export function readSysfs(path: string): string | undefined {
  if (typeof process === 'undefined' || process.platform !== 'linux') return undefined;
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}
