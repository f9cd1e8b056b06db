// Executor options: one frozen table of defaults (DEFAULTS), one table of bounds, and the validation at
// the boundary. Every message names the option (messages.ts). docs/api.md lists the same table;
// a test checks that the two agree.
import { messages } from './errors.js';
import type { ResourceLimits } from './platform/types.js';

/** A task module's namespace, as `import * as tasks from './tasks.js'` gives it. */
export type TaskModuleNamespace = Readonly<Record<string, unknown>>;

/**
 * Where the WebAssembly core comes from: a compiled WebAssembly.Module (typed `object`, as the core's
 * types are: TypeScript declares WebAssembly only in its DOM lib), its bytes, or its URL.
 */
export type CoreSource = object | ArrayBuffer | ArrayBufferView | URL | string;

export interface ExecutorOptions {
  /**
   * Worker threads: an integer, or 'auto' for one per logical CPU. 0: the single-threaded mode (no worker
   * threads; tasks run on this thread in slices that yield to the event loop), which hosts without
   * threads choose whatever this says. Default 'auto'.
   */
  workers?: number | 'auto';
  /**
   * The task module every worker imports: a URL, a file: URL string, or a path. In the single-threaded
   * mode also the module's namespace (`import * as tasks`): what a bundle, where modules have no URL, passes.
   */
  module?: string | URL | TaskModuleNamespace;
  /**
   * The WebAssembly core (build/core.wasm, exported as `beatflow/core.wasm`): a compiled
   * `WebAssembly.Module` (required on workerd, which compiles nothing at run time), its bytes, or its URL.
   * Default: read from beside the package's build. docs/platforms.md, "The embeddable core".
   */
  wasm?: CoreSource;
  /**
   * The worker threads' script when beatflow is bundled: the bundle of `beatflow/worker`, as a URL or a URL
   * string. Default: the package's own build/src/worker/main.js. docs/platforms.md, "Bundlers".
   */
  workerUrl?: string | URL;
  /** Task slots (async tasks in flight plus laid-out graph tasks): 1024 to 2^24, rounded up to a power of two. Default 2^20. */
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
  // -- worker lifecycle (src/engine/lifecycle.ts; docs/control.md "Worker lifecycle") --
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
  /**
   * Acquire a GPU device at create() (src/gpu/; docs/gpu.md): Dawn's `webgpu` package in Node, navigator.gpu
   * elsewhere. Without it (the default) nothing GPU-related loads, and executor.gpu says it was not asked for.
   * No package or no adapter is not an error: executor.gpu then says why. `{ tuningDir }` also asks for
   * one, and keeps the matmul autotune's results in a file in that directory (Node and Bun; docs/gpu.md
   * "Keeping the autotune"). Default false.
   */
  gpu?: boolean | GpuOptions;
  /**
   * The learners (docs/learning.md): per-fingerprint duration predictors fed by the tasks the metrics
   * sampler times, and the placement router of algorithm calls (serial, parallel or GPU). false turns
   * every learner off: the static rules everywhere. Default true.
   */
  learning?: boolean;
  /**
   * How long a searching worker spins before it parks (docs/learning.md "Q-learned spinning"):
   * 'heuristic', spinMicroseconds every time; 'q-learning', a budget of ¼, 1 or 4 × that chosen per search
   * by each worker's own Q-table (opt-in: it has not beaten the heuristic; needs learning). Default 'heuristic'.
   */
  spinPolicy?: 'heuristic' | 'q-learning';
}

/** options.gpu as an object: a device, with these settings. */
export interface GpuOptions {
  /** A directory for the matmul autotune's results (the file beatflow-gpu-tuning.json), read at create() and written after each autotune. */
  tuningDir?: string;
}

/**
 * Every option's default. `undefined`: none (module, resourceLimits), or derived at create() (minWorkers:
 * every slot is permanent, minWorkers = workers).
 */
export const DEFAULTS = Object.freeze({
  workers: 'auto' as number | 'auto',
  module: undefined as URL | undefined,
  wasm: undefined as CoreSource | undefined,
  workerUrl: undefined as URL | undefined,
  maxTasks: 1 << 20,
  maxFunctions: 4096,
  maxRuns: 1024,
  maxSubflows: 4096,
  resourceLimits: undefined as ResourceLimits | undefined,
  spinMicroseconds: 100,
  lingerMicroseconds: 2000,
  closeTimeout: 5000,
  cancelGrace: 1000,
  priorityAging: 16,
  minWorkers: undefined as number | undefined,
  idleTimeout: 5000,
  recycleAfterTasks: 0,
  recycleAboveHeapMb: 0,
  maxQueue: 0,
  gpu: false as boolean | GpuOptions,
  learning: true,
  spinPolicy: 'heuristic' as SpinPolicyName,
});

/** The spin policies of options.spinPolicy. */
export type SpinPolicyName = 'heuristic' | 'q-learning';
export const SPIN_POLICIES: readonly SpinPolicyName[] = ['heuristic', 'q-learning'];

type IntOption = Exclude<keyof typeof DEFAULTS, 'workers' | 'module' | 'wasm' | 'workerUrl' | 'resourceLimits' | 'gpu' | 'learning' | 'spinPolicy'>;

/** Bounds of the integer options, inclusive. A minimum of 0 means 0 is allowed (it turns the feature off). */
export const BOUNDS: Readonly<Record<IntOption, readonly [min: number, max: number]>> = Object.freeze({
  maxTasks: [1024, 1 << 24],   // the task table holds at least 2^10 slots (policy/scheduling.ts taskCapLog2): less is refused, not raised silently
  maxFunctions: [1, 1 << 20],
  maxRuns: [1, 1 << 16],
  maxSubflows: [1, 1 << 20],
  spinMicroseconds: [1, 1_000_000],
  lingerMicroseconds: [0, 1_000_000],
  closeTimeout: [1, 3_600_000],
  cancelGrace: [1, 3_600_000],
  priorityAging: [0, 1 << 20],
  minWorkers: [1, 256],
  idleTimeout: [1, 3_600_000],
  recycleAfterTasks: [0, 2 ** 31],
  recycleAboveHeapMb: [0, 1 << 20],
  maxQueue: [0, 2 ** 31],
});

/** Most worker slots an executor may have. */
export const MAX_WORKERS = 256;

/** What the executor options say about the lifecycle, resolved (see ExecutorOptions for each). */
export interface LifecycleOptions {
  /** undefined: every slot is permanent (minWorkers = workers). */
  minWorkers: number | undefined;
  idleTimeout: number;
  recycleAfterTasks: number;
  recycleAboveHeapMb: number;
  maxQueue: number;
}

export interface ResolvedOptions {
  lifecycle: LifecycleOptions;
  workers: number | 'auto';
  module?: URL | TaskModuleNamespace;
  wasm?: CoreSource;
  workerUrl?: URL;
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
  /** false, or the device's settings. */
  gpu: false | GpuOptions;
  learning: boolean;
  spinPolicy: SpinPolicyName;
}

const KNOWN = Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[];

function integer(name: IntOption, v: unknown): number {
  const [min, max] = BOUNDS[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(messages.optionType(name, `an integer from ${min} to ${max}`, v));
  }
  return v;
}

function boolean(name: 'learning', v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(messages.optionType(name, 'true or false', v));
  return v;
}

const GPU_KEYS = ['tuningDir'] as const;

/** options.gpu checked: false (no device), or the device's settings ({} for true). */
export function gpuOption(v: unknown): false | GpuOptions {
  if (v === undefined || v === false) return false;
  if (v === true) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(messages.optionType('gpu', 'true, false or { tuningDir }', v));
  for (const k of Object.keys(v)) {
    if (!(GPU_KEYS as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption('Executor.create(options): options.gpu', k, GPU_KEYS));
  }
  const dir = (v as GpuOptions).tuningDir;
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0)) throw new TypeError(messages.optionType('gpu.tuningDir', 'a directory path', dir));
  return Object.freeze({ ...(dir === undefined ? {} : { tuningDir: dir }) });
}

/** A URL option as an absolute URL (relative paths resolve against the working directory); undefined when it is neither. */
function asUrl(v: unknown, cwdUrl: URL): URL | undefined {
  if (v instanceof URL) return v;
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^[a-z]:[\\/]/i.test(v)) return new URL(v);
  return new URL(v, cwdUrl);
}

/** Turns a module option into an absolute URL, or keeps a module namespace (single-threaded only: engine.ts checks). */
export function moduleOption(v: unknown, cwdUrl: URL): URL | TaskModuleNamespace {
  if (typeof v === 'object' && v !== null && !(v instanceof URL) && !Array.isArray(v)) return v as TaskModuleNamespace;
  const url = asUrl(v, cwdUrl);
  if (url === undefined) throw new TypeError(messages.optionType('module', 'a URL, a file: URL string, a path, or a module namespace (import * as tasks)', v));
  return url;
}

/** The wasm option: a Module or bytes as given, a URL or path as an absolute URL. */
function wasmOption(v: unknown, cwdUrl: URL): CoreSource {
  if (v instanceof WebAssembly.Module || v instanceof ArrayBuffer || ArrayBuffer.isView(v) ||
      (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer)) return v;
  const url = asUrl(v, cwdUrl);
  if (url === undefined) {
    throw new TypeError(messages.optionType('wasm', "a WebAssembly.Module, the bytes of build/core.wasm (an ArrayBuffer or a typed array), or its URL ('beatflow/core.wasm')", v));
  }
  return url;
}

function workerUrlOption(v: unknown, cwdUrl: URL): URL {
  const url = asUrl(v, cwdUrl);
  if (url === undefined) throw new TypeError(messages.optionType('workerUrl', 'a URL or a URL string (the bundle of beatflow/worker)', v));
  return url;
}

/** Validates Executor.create's options over DEFAULTS; every error names the option. */
export function resolveOptions(opts: ExecutorOptions | undefined, cwdUrl: URL): ResolvedOptions {
  if (opts === undefined) opts = {};
  if (typeof opts !== 'object' || opts === null) throw new TypeError(messages.optionsObject(opts));
  for (const k of Object.keys(opts)) {
    if (!(KNOWN as string[]).includes(k)) throw new TypeError(messages.unknownOption('Executor.create(options)', k, KNOWN));
  }
  const o = opts as Record<string, unknown>;
  const int = (name: IntOption): number => (o[name] === undefined ? DEFAULTS[name] as number : integer(name, o[name]));
  const workers = opts.workers === undefined || opts.workers === 'auto' ? DEFAULTS.workers : workersOption(opts.workers);
  if (opts.resourceLimits !== undefined) checkResourceLimits(opts.resourceLimits);
  const learning = o.learning === undefined ? DEFAULTS.learning : boolean('learning', o.learning);
  return {
    lifecycle: {
      minWorkers: o.minWorkers === undefined ? DEFAULTS.minWorkers : integer('minWorkers', o.minWorkers),
      idleTimeout: int('idleTimeout'), recycleAfterTasks: int('recycleAfterTasks'),
      recycleAboveHeapMb: int('recycleAboveHeapMb'), maxQueue: int('maxQueue'),
    },
    workers,
    module: opts.module === undefined ? DEFAULTS.module : moduleOption(opts.module, cwdUrl),
    wasm: o.wasm === undefined ? DEFAULTS.wasm : wasmOption(o.wasm, cwdUrl),
    workerUrl: o.workerUrl === undefined ? DEFAULTS.workerUrl : workerUrlOption(o.workerUrl, cwdUrl),
    maxTasks: int('maxTasks'), maxFunctions: int('maxFunctions'), maxRuns: int('maxRuns'), maxSubflows: int('maxSubflows'),
    resourceLimits: opts.resourceLimits,
    spinMicroseconds: int('spinMicroseconds'), lingerMicroseconds: int('lingerMicroseconds'),
    closeTimeout: int('closeTimeout'), cancelGrace: int('cancelGrace'), priorityAging: int('priorityAging'),
    gpu: gpuOption(o.gpu),
    learning,
    spinPolicy: spinPolicyOption(o.spinPolicy, learning),
  };
}

function spinPolicyOption(v: unknown, learning: boolean): SpinPolicyName {
  if (v === undefined) return DEFAULTS.spinPolicy;
  if (!SPIN_POLICIES.includes(v as SpinPolicyName)) throw new TypeError(messages.optionType('spinPolicy', "'heuristic' or 'q-learning'", v));
  if (v === 'q-learning' && !learning) throw new TypeError(messages.optionType('spinPolicy', "'heuristic' with learning: false (q-learning is a learner)", v));
  return v as SpinPolicyName;
}

/** The keys of options.resourceLimits (Node's worker_threads ResourceLimits), each a positive number of MB. */
export const RESOURCE_LIMITS = ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

function checkResourceLimits(v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TypeError(messages.optionType('resourceLimits', 'an object like { maxOldGenerationSizeMb: 64 }', v));
  }
  for (const k of Object.keys(v)) {
    if (!(RESOURCE_LIMITS as readonly string[]).includes(k)) {
      throw new TypeError(messages.unknownOption('Executor.create(options): options.resourceLimits', k, RESOURCE_LIMITS));
    }
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && !(typeof x === 'number' && Number.isFinite(x) && x > 0)) throw new TypeError(messages.resourceLimit(k, x));
  }
}

function workersOption(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_WORKERS) {
    throw new TypeError(messages.optionType('workers', `an integer from 0 (single-threaded) to ${MAX_WORKERS}`, v));
  }
  return v;
}
