// Messages about the executor: its options, the platforms and the embedded core, workers that crash, observers. Part of the one table, src/messages.ts `messages`.
import { describe, causeText } from './describe.js';

export const executorMessages = {
  // ---- options and executor ----
  optionsObject: (got: unknown) => `beatflow: Executor.create(options): options must be an object (got ${describe(got)})`,
  /** An executor option (Executor.create): `options.${name}`. */
  optionType: (name: string, expected: string, got: unknown) =>
    `beatflow: options.${name} must be ${expected} (got ${describe(got)})`,
  unknownOption: (where: string, name: string, known: readonly string[]) =>
    `beatflow: ${where}: unknown option '${name}' (known options: ${known.join(', ')})`,
  /** An option of one call: `call` is its signature ("executor.run(tf, options)"). */
  callOption: (call: string, name: string, expected: string, got: unknown) =>
    `beatflow: ${call}: options.${name} must be ${expected} (got ${describe(got)})`,
  /** An argument (or a part of one): `what` says where ("executor.asyncAt(priority, fn, ...args): priority"). */
  argType: (what: string, expected: string, got: unknown) => `beatflow: ${what} must be ${expected} (got ${describe(got)})`,
  notAFunction: (what: string, got: unknown) =>
    `beatflow: ${what} must be a function (got ${describe(got)})`,
  notATaskflow: (what: string, got: unknown) =>
    `beatflow: ${what} must be a Taskflow (new Taskflow(name)) (got ${describe(got)})`,
  resourceLimit: (key: string, got: unknown) =>
    `beatflow: options.resourceLimits.${key} must be a positive number of MB (got ${describe(got)})`,
  notAnExecutor: (what: string, got: unknown) =>
    `beatflow: ${what}: executor must be an Executor from Executor.create() (got ${describe(got)})`,
  retryIfThrew: (task: string, cause: unknown) =>
    `beatflow: executor.submit(fn, args, { retryIf }): retryIf threw deciding whether to retry task '${task}': ${causeText(cause)}`,
  closed: (op: string) => `beatflow: executor.${op}() called after close() or destroy()`,
  closedFor: (what: string) => `beatflow: ${what} called after executor.close() or destroy()`,
  destroyed: 'beatflow: the executor was destroyed before this task finished',
  closeTimedOut: (ms: number, inFlight: number, busy: string) =>
    `beatflow: close() timed out after ${ms} ms with ${inFlight} task(s) or run(s) still in flight (closeTimeout); ${busy}`,
  queueFull: (op: string, max: number, queued: number) =>
    `beatflow: executor.${op}(): ${queued} tasks are queued and not yet started, the bound set by options.maxQueue ` +
    `(${max}): check executor.needsDrain and await executor.drained() before submitting more, or raise maxQueue`,
  tooManyTasks: (cap: number) =>
    `beatflow: all ${cap} task slots are in use: raise options.maxTasks, or await results before submitting more`,
  tooManyFunctions: (cap: number) => `beatflow: more than ${cap} distinct task functions: raise options.maxFunctions`,
  nativeFunction: (name: string) =>
    `beatflow: '${name}' is a native or bound function, which cannot be sent to a worker: export it from the ` +
    `task module (Executor.create({ module })) or pass a plain function written in your source`,
  captured: (task: string, variable: string) =>
    `${variable} is not defined in the worker: inline task '${task}' cannot capture variables from the ` +
    `scope it was written in (it is sent to the workers as source). Pass the value as an argument ` +
    `(executor.async(fn, value) or task.args(value)), or export the function from the task module`,
  missingExport: (name: string) =>
    `beatflow: the task module has no function export '${name}' in this worker, though the host found one: ` +
    'a task module must export the same functions in every thread that loads it',
  missingBuiltin: (name: string) =>
    `beatflow: the runtime task function '${name}' is not registered in this worker (build/src out of date? run npm run build)`,
  workerStart: (worker: number, message: string) => `beatflow: worker ${worker} failed to start: ${message}`,
  moduleLoad: (url: string, message: string, where = 'in a worker') => `beatflow: the task module ${url} failed to load ${where}: ${message}`,
  workerEntry: (url: string, message: string) =>
    `beatflow: the worker entry ${url} could not be started: ${message}. It is part of the package's build and must ` +
    'ship beside it: when bundling, mark beatflow as external, copy build/src/ (with build/core.wasm) unchanged, ' +
    "or bundle 'beatflow/worker' as an entry point of its own and pass its URL as options.workerUrl",
  notInWorker: 'beatflow: src/worker/main.ts is the entry of the executor\'s worker threads and must run in one: ' +
    'do not import it yourself (Executor.create() starts the workers)',
  hopOffWorker: 'beatflow internal error: a task that hops to the host (a GPU task, a pipeline task) ran where no worker channel to the host exists — please report',
  hostJobMissing: (id: number) => `beatflow internal error: a graph task named host job ${id}, which is not registered — please report`,
  noPlatform: 'beatflow internal error: no platform adapter is installed (Executor.create() loads one first) — please report',
  workerScript: (detail: string | undefined) =>
    `the worker script failed to load or run${detail ? ` (${detail})` : ' (the browser gives no detail, and the server answers it ' +
    'with 200 and the isolation headers: a syntax error, or a network error)'}`,
  noCoep: 'its response has no Cross-Origin-Embedder-Policy header, which a cross-origin isolated page requires of its workers',
  singleThreaded: (why: string) =>
    `beatflow: running single-threaded: ${why}. Tasks run on this thread in slices that yield to the event loop ` +
    '(docs/platforms.md, "Single-threaded mode"); pass workers: 0 to choose this mode and silence this line',
  notIsolatedSingle: (missing: readonly string[]) =>
    'this page is not cross-origin isolated, so it cannot share memory with worker threads (serve it, its scripts and ' +
    `core.wasm with ${(missing.length ? missing : ['Cross-Origin-Opener-Policy: same-origin', 'Cross-Origin-Embedder-Policy: require-corp']).join(' and ')} for all cores)`,
  noThreads: (where: string) => `${where} has no worker threads`,
  noFiles: (where: string) => `${where} reads no files`,
  joinWouldBlock: (child: string | undefined) =>
    `beatflow: ${child === undefined ? 'a subflow' : `the child task '${child}'`} cannot finish while this task waits for it in the single-threaded mode: it awaits a promise, and ` +
    'nothing else runs while a task blocks the only thread. Await it outside the join, or use workers ≥ 1',
  noWaitAsync: (where: string) =>
    `beatflow: ${where} has no Atomics.waitAsync: the host thread polls for finished work instead, which sees it up to ` +
    '8 ms late after an idle spell (docs/platforms.md, "Without Atomics.waitAsync")',
  httpStatus: (status: number, text: string) => `HTTP ${status}${text ? ` ${text}` : ''}`,
  plannedExit: 'beatflow: the worker thread has exited (a planned exit unwinding its stack)',
  unsupportedOption: (option: string, platform: string) =>
    `beatflow: the ${option} option is not supported on ${platform}: the runtime gives no way to honour it ` +
    '(docs/platforms.md lists what each platform supports); leave it out there',
  coreMismatch: (what: string) =>
    `beatflow: build/core.wasm and the JavaScript build disagree on ${what}: they come from different builds; rebuild with \`npm run build\``,
  coreMissing: (url: string, message: string) =>
    `beatflow: the WebAssembly core ${url} could not be read: ${message}. core.wasm must ship beside the package's ` +
    'build (build/core.wasm, next to build/src/): when bundling, mark beatflow as external, or copy build/core.wasm to that URL, ' +
    "or pass it as options.wasm (import it as 'beatflow/core.wasm'; docs/platforms.md, \"Bundlers\")",

  // ---- embedding: options.wasm, options.module as a namespace, the workerd entry ----
  noModuleUrl: 'this bundle has no import.meta.url to find it by',
  notCore: (missing: readonly string[]) =>
    `beatflow: options.wasm is not beatflow's WebAssembly core: it lacks ${missing.slice(0, 5).join(', ')}` +
    `${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}. Pass build/core.wasm of this beatflow version ('beatflow/core.wasm')`,
  wasmCompile: (message: string, refused: boolean) =>
    `beatflow: options.wasm could not be compiled: ${message}` + (refused
      ? '. This runtime compiles no WebAssembly at run time: pass a WebAssembly.Module compiled ahead of time ' +
        "(workerd: import core from 'beatflow/core.wasm', embedded as a wasm module)" : ''),
  moduleNamespaceThreads: 'beatflow: options.module is a module namespace, which worker threads cannot import: pass the ' +
    "module's URL (new URL('./tasks.js', import.meta.url)), or workers: 0 for the single-threaded mode",
  wrongEntry: (runtime: string, entry: string) =>
    `beatflow: this is ${runtime}, but beatflow was loaded through its ${entry} entry: bundle with the '${runtime}' ` +
    "export condition first (wrangler does; esbuild: conditions: ['workerd', 'worker', 'browser'])",
  crashed: (worker: number, cause: string, task: string | undefined) =>
    `beatflow: worker ${worker} ${cause}` + (task !== undefined ? ` while running task '${task}'` : ''),
  /** Causes for `crashed` and `workerStart`: how a worker thread ended. */
  terminated: 'was terminated from outside (worker.terminate())',
  died: (message: string) => `died (${message})`,
  exited: (code: number | undefined) => `exited with code ${code}`,
  threadExited: (code: number) => `the thread exited with code ${code}`,
  restartsFailed: (message: string) => `beatflow: every worker failed to restart: ${message.replace(/^beatflow: /, '')}`,

  // ---- observers (src/observe/observers.ts) ----
  observerEmpty: (what: string) =>
    `beatflow: ${what}: observer needs at least one of onEntry, onExit, prologue, epilogue (functions)`,
  observerData: (what: string, got: unknown) =>
    `beatflow: ${what}: data must be an array from executor.shared() (got ${describe(got)})`,
  observersFull: (what: string, max: number) =>
    `beatflow: ${what}: ${max} observers are installed already; remove one with executor.removeObserver(handle)`,
  notAnObserver: (what: string, got: unknown) =>
    `beatflow: ${what}: handle must be what executor.makeObserver() returned, not yet removed (got ${describe(got)})`,
} as const;
