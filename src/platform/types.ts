// The platform interface: everything the runtime needs from its host that differs between Node, Bun,
// Deno, browsers and workerd. One adapter per runtime implements it (node.ts, bun.ts, web.ts, deno.ts,
// workerd.ts); current.ts holds the one in use. Nothing here imports a runtime-specific module.

/** Node's per-thread heap limits (worker_threads `resourceLimits`), honoured where the platform can. */
export interface ResourceLimits {
  maxYoungGenerationSizeMb?: number;
  maxOldGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

/** A thread running src/worker/main.ts, as the pool sees it (Node's Worker events, whatever the runtime). */
export interface ThreadHandle {
  readonly threadId: number;
  postMessage(msg: unknown): void;
  on(event: 'message' | 'error' | 'exit' | 'online', fn: (arg: any) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

export interface SpawnOptions {
  /** The worker script (options.workerUrl); undefined: the package's own, current.ts workerEntry(). */
  entry?: URL;
  workerData: unknown;
  resourceLimits?: ResourceLimits;
  name?: string;
}

/** What a worker thread sees of its host: the data it was started with, and a channel back. */
export interface WorkerContext<T> {
  data: T;
  post(msg: unknown): void;
  /** Calls fn with each message the host posts after start-up (listening keeps nothing alive). */
  listen(fn: (msg: unknown) => void): void;
  /** Ends the thread once its code returns (its loop is over). */
  close(): void;
}

/**
 * Keeps the process alive while the runtime owes the user a settlement (a task in flight, create(),
 * close()), and never otherwise. Reference-counted.
 */
export interface KeepAlive {
  hold(): void;
  release(): void;
  /** Holds while p is pending. */
  during<T>(p: Promise<T>): Promise<T>;
  dispose(): void;
}

/** Options a platform cannot honour: create() refuses them, naming the platform. */
export type UnsupportedOption = 'resourceLimits' | 'recycleAboveHeapMb';

export interface Platform {
  /** 'node', 'bun', 'deno', 'browser' or 'workerd': named in messages. */
  readonly name: string;
  /** Options create() refuses here, because the runtime gives no way to honour them. */
  readonly unsupported: readonly UnsupportedOption[];
  /**
   * Throws when this host cannot run an executor at all. Returns why when it can run one only
   * single-threaded (no worker threads, no shared memory between threads: a page that is not cross-origin
   * isolated, an edge function); create() then chooses the single-threaded mode with a console diagnostic.
   */
  check(): void | string | Promise<void | string>;
  /** Reads a file shipped with the package (the .wasm). */
  readBytes(url: URL): Promise<Uint8Array<ArrayBuffer>>;
  /** Logical CPUs the runtime may use. */
  cpuCount(): number;
  /** The URL relative module paths resolve against (the working directory, or the page). */
  baseUrl(): URL;
  /** Starts a worker thread on src/worker/main.ts. A failure to load it arrives as 'error', then 'exit'. */
  spawnThread(opts: SpawnOptions): ThreadHandle;
  /** The worker entry spawnThread starts when given none, where it is not current.ts workerEntry(); for messages. */
  entryUrl?(): URL;
  keepAlive(): KeepAlive;
  /** Resolves after the event loop had a turn (timers and I/O callbacks can run), not just the microtasks. */
  yieldToEventLoop(): Promise<void>;
  /**
   * Atomics.waitAsync without a timeout, as the host and a single-threaded worker wait (wait.ts): resolves
   * once i32[index] may no longer hold `value`. A wake-up may come early, so the caller re-checks. A wait
   * whose `cancel` is aborted may end without one (a poll stops; a waitAsync stays until its notify).
   */
  waitAsync(i32: Int32Array, index: number, value: number, cancel?: AbortSignal): Promise<void>;
  /** A Linux sysfs file as text; undefined where there is none (observe/topology.ts then assumes a flat model). */
  readSysfs(path: string): string | undefined;
  /** Inside a worker: its start-up data and a way to talk to the host (rare control messages only). */
  workerContext<T>(): Promise<WorkerContext<T>>;
  /** Inside a worker: ends the thread now, whatever handles are still open (a planned exit). */
  exitThread(): never;
  /** Bytes of this thread's heap in use (recycleAboveHeapMb), 0 where the runtime does not say. */
  heapUsedBytes(): number;
  /** Text files in a directory the program names (options.gpu.tuningDir); absent where there is no file system (browsers). */
  readonly files?: TextFiles;
}

/** Reading and writing small text files in a directory. */
export interface TextFiles {
  /** The file's text, or undefined when there is no such file. */
  read(dir: string, name: string): Promise<string | undefined>;
  /** Writes the file whole (the directory is made if missing): readers see the old text or the new, never a part. */
  write(dir: string, name: string, text: string): Promise<void>;
  /** The file's path, for messages. */
  path(dir: string, name: string): string;
}
