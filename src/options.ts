// Validation of Executor options at the boundary: every message names the option (errors.ts: messages).
import { messages } from './errors.js';
import { AGING_TICK } from './policy/scheduling.js';
import type { ResourceLimits } from 'node:worker_threads';
import { resolveLifecycle, LIFECYCLE_OPTIONS, type LifecycleOptions } from './engine/lifecycle.js';

export interface ExecutorOptions {
  // -- worker lifecycle (src/engine/lifecycle.ts; README "Worker lifecycle") --
  /** Threads always kept (1 … workers); slots above it start under load and leave when idle. Default: workers. */
  minWorkers?: number;
  /** Milliseconds a thread above minWorkers stays without work before it leaves. Default 5000. */
  idleTimeout?: number;
  /** Replace a worker's thread after it ran this many tasks (between tasks, holding none). 0 = never (default). */
  recycleAfterTasks?: number;
  /** Replace a worker's thread once its heap passes this many MB (checked every 64 tasks). 0 = never (default). */
  recycleAboveHeapMb?: number;
  /** Most tasks submitted and not yet started; beyond it async/submit/run reject with QueueFullError. 0 = no bound (default). */
  maxQueue?: number;
  /** Worker threads: a positive integer, or 'auto' for one per logical CPU. Default 'auto'. */
  workers?: number | 'auto';
  /** The task module every worker imports: a URL, a file: URL string, or a path. */
  module?: string | URL;
  /** Task slots (async tasks in flight plus laid-out graph tasks); rounded up to a power of two. Default 2^20. */
  maxTasks?: number;
  /** Distinct task functions (module exports plus inline sources). Default 4096. */
  maxFunctions?: number;
  /** Graph runs in flight at once (each laid-out taskflow holds one). Default 1024. */
  maxRuns?: number;
  /** Subflows being joined at once, over all workers (each nesting level of each worker holds one). Default 4096. */
  maxSubflows?: number;
  /** Passed to each worker thread (Node): heap limits in MB. */
  resourceLimits?: ResourceLimits;
  /** Microseconds a searching worker keeps looking for work before it parks. Default 100. */
  spinMicroseconds?: number;
  /**
   * Microseconds the workers of a parallel algorithm (transform, reduce, …) keep looking for work after a
   * call, so that the next call finds them awake (waking a parked thread can cost as much as the call on
   * a VM; OpenMP runtimes do the same). 0: park after spinMicroseconds as usual. Default 2000.
   */
  lingerMicroseconds?: number;
  /** Milliseconds close() waits for workers to exit before terminating them. Default 5000. */
  closeTimeout?: number;
  /**
   * Milliseconds a running task may ignore its cancellation (token, signal, timeout) before its worker is
   * terminated and replaced. Default 1000.
   */
  cancelGrace?: number;
  /** Priority aging: every n-th pop of a worker from the submission queues serves a lower level first; 0 = strict priority. Default 16. */
  priorityAging?: number;
}

export interface ResolvedOptions {
  lifecycle: LifecycleOptions;
  workers: number | 'auto';
  module?: URL;
  maxTasks: number;
  maxFunctions: number;
  maxRuns: number;
  maxSubflows: number;
  resourceLimits?: ResourceLimits;
  spinMicroseconds: number;
  lingerMicroseconds: number;
  closeTimeout: number;
  cancelGrace: number;
  priorityAging: number;
}

const known = ['workers', 'module', 'maxTasks', 'maxFunctions', 'maxRuns', 'maxSubflows', 'resourceLimits', 'spinMicroseconds', 'lingerMicroseconds', 'closeTimeout', 'cancelGrace', 'priorityAging', ...LIFECYCLE_OPTIONS] as const;

function positiveInt(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new TypeError(messages.optionType(name, `an integer from 1 to ${max}`, v));
  }
  return v;
}

/** Turns a module option into an absolute URL (relative paths resolve against the working directory). */
export function moduleUrl(v: unknown, cwdUrl: URL): URL {
  if (v instanceof URL) return v;
  if (typeof v === 'string' && v.length > 0) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^[a-z]:[\\/]/i.test(v)) return new URL(v);
    return new URL(v, cwdUrl);
  }
  throw new TypeError(messages.optionType('module', 'a URL, a file: URL string or a path', v));
}

export function resolveOptions(opts: ExecutorOptions | undefined, cwdUrl: URL): ResolvedOptions {
  if (opts === undefined) opts = {};
  if (typeof opts !== 'object' || opts === null) throw new TypeError(messages.optionsObject(opts));
  for (const k of Object.keys(opts)) {
    if (!(known as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(k, known));
  }
  const workers = opts.workers === undefined || opts.workers === 'auto' ? 'auto' : positiveInt('workers', opts.workers, 256);
  if (opts.resourceLimits !== undefined && (typeof opts.resourceLimits !== 'object' || opts.resourceLimits === null)) {
    throw new TypeError(messages.optionType('resourceLimits', 'an object like { maxOldGenerationSizeMb: 64 }', opts.resourceLimits));
  }
  return {
    lifecycle: resolveLifecycle(opts as Record<string, unknown>),
    workers,
    module: opts.module === undefined ? undefined : moduleUrl(opts.module, cwdUrl),
    maxTasks: opts.maxTasks === undefined ? 1 << 20 : positiveInt('maxTasks', opts.maxTasks, 1 << 24),
    maxFunctions: opts.maxFunctions === undefined ? 4096 : positiveInt('maxFunctions', opts.maxFunctions, 1 << 20),
    maxRuns: opts.maxRuns === undefined ? 1024 : positiveInt('maxRuns', opts.maxRuns, 1 << 16),
    maxSubflows: opts.maxSubflows === undefined ? 4096 : positiveInt('maxSubflows', opts.maxSubflows, 1 << 20),
    resourceLimits: opts.resourceLimits,
    spinMicroseconds: opts.spinMicroseconds === undefined ? 100 : positiveInt('spinMicroseconds', opts.spinMicroseconds, 1_000_000),
    lingerMicroseconds: opts.lingerMicroseconds === undefined ? 2000 : opts.lingerMicroseconds === 0 ? 0 : positiveInt('lingerMicroseconds', opts.lingerMicroseconds, 1_000_000),
    closeTimeout: opts.closeTimeout === undefined ? 5000 : positiveInt('closeTimeout', opts.closeTimeout, 3_600_000),
    cancelGrace: opts.cancelGrace === undefined ? 1000 : positiveInt('cancelGrace', opts.cancelGrace, 3_600_000),
    priorityAging: opts.priorityAging === undefined ? AGING_TICK : opts.priorityAging === 0 ? 0 : positiveInt('priorityAging', opts.priorityAging, 1 << 20),
  };
}
