// What the pool (pool.ts) and a worker thread (src/worker/) say to each other, outside shared memory:
// the data a thread starts with, the messages it posts while it starts, and the values of its slot's
// exit word (assembly/layout.ts WorkerSlot.exit), which say why a thread left. The host side of the
// protocol owns these; the worker implements them (src/README.md, "Start-up").
import type { CoreModule, CoreMemory } from './memory.js';

/** What the pool passes a worker thread (structured-cloned; the module and the memory are shared). */
export interface WorkerData {
  module: CoreModule;
  memory: CoreMemory;
  worker: number;
  moduleUrl?: string;
  /** The task module's namespace instead (the single-threaded mode, whose data is not cloned). */
  moduleNamespace?: Readonly<Record<string, unknown>>;
  /** Recycling and idle exit (src/worker/lifecycle.ts). */
  lifecycle?: LifecycleData;
}

/** Messages a worker posts to the pool while it starts (src/engine/pool.ts names the stage a failure reached). */
export type StartMessage =
  | { type: 'started' }                       // its own code is loaded and the core attached
  | { type: 'loaded' }                        // the task module (if any) is imported
  | { type: 'ready'; builtins: string[] };    // it runs tasks; the built-in modules it bound, in order

/** What the pool passes each thread (structured-cloned). */
export interface LifecycleData {
  recycleAfterTasks: number;
  recycleAboveHeapMb: number;
  /** Elastic slot: leave after this many ms without work; 0 on permanent slots. */
  idleTimeout: number;
}

/** Values of WorkerSlot.exit: why the slot's thread is leaving (RUNNING while it is not). */
export const RUNNING = 0;
/** Leaving to be replaced on the same slot (recycleAfterTasks / recycleAboveHeapMb). */
export const RECYCLING = 1;
/** Leaving because it found no work for idleTimeout ms (elastic slots); not replaced until demand. */
export const IDLE_EXIT = 2;
