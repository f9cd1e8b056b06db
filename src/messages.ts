// Every user-facing message of the runtime, in one table, and how a value a caller passed is shown in one.

/**
 * Every message the runtime produces, in one place, grouped by what it is about. Each names the option,
 * argument, task or value at fault and says what to do; `describe()` writes the value a caller passed.
 * Messages that say "beatflow internal error" are invariants the runtime keeps, not misuse.
 */
export const messages = {
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

  // ---- tasks and runs ----
  /** An argument of a Task method: `call` is the method ("retries(n)"), `task` the task's name. */
  taskArg: (call: string, task: string, arg: string, expected: string, got: unknown) =>
    `beatflow: task.${call} on task '${task}': ${arg} must be ${expected} (got ${describe(got)})`,
  asyncWhileHelping:
    'beatflow: a task that returns a promise ran while its worker was helping inside ctx.join(), where it cannot ' +
    'be awaited: make tasks that use spawn/join (and tasks in the same graph) synchronous, or await outside join',
  runStopped: 'beatflow: the run of this task was cancelled or failed',
  notFinished: (task: string, tf: string) => `beatflow: task '${task}' did not finish in this run of taskflow '${tf}' (it failed or was skipped)`,
  resumeConditional: (tf: string) =>
    `beatflow: executor.run(tf, { resume: true }): taskflow '${tf}' has condition tasks, whose runs cannot be resumed part-way; run it again instead`,
  taskCancelled: (name: string, reason: unknown) => `beatflow: task '${name}' was cancelled before it started${
    reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' && reason ? `: ${reason}` : ''}`,
  tokenCancelledJob: (name: string, reason: unknown) => `beatflow: task '${name}' was cancelled${
    reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' && reason ? `: ${reason}` : ''} (its attempt failed after the ` +
    'cancellation; that error is in error.suppressed)',
  taskTimedOut: (name: string, ms: number) => `beatflow: task '${name}' ran past its timeout of ${ms} ms`,
  runDeadline: (name: string, ms: number) => `beatflow: the run of taskflow '${name}' passed its deadline (${ms} ms)`,
  forced: (name: string, grace: number, w: number) =>
    `beatflow: task '${name}' did not stop within ${grace} ms of being cancelled: worker ${w} was terminated and replaced`,
  tooManyRuns: (cap: number) =>
    `beatflow: more than ${cap} graph runs in flight: await some runs first, or raise options.maxRuns`,
  tooManySubflows: (name: string) =>
    `beatflow: subflow '${name}': every subflow slot is in use (subflows being joined at once, all workers and ` +
    'nesting levels together): raise the executor option maxSubflows',
  notRunning: (what: string) =>
    `beatflow: ${what} can only be called while a task runs, in its synchronous part (before an async task's first await)`,
  notAChild: (got: unknown) =>
    `beatflow: ctx.join(): ${describe(got)} is not a child this task spawned and has not joined yet: pass what ` +
    'ctx.spawn() returned in this task, and join each child once',
  tooDeep: (call: string, task: string, depth: number, worker: number, reserveKiB: number) =>
    `beatflow: ${call} in task '${task}', ${depth} tasks deep on worker ${worker}: less than ${reserveKiB} KiB of the ` +
    "worker thread's stack is left (a joined child runs on its joiner's stack, so each level of fork-join nesting " +
    'costs stack). Nest less deeply (a loop, or plain recursion below a cutoff), or raise ' +
    'Executor.create({ resourceLimits: { stackSizeMb } })',
  // ---- dependent async tasks, task groups, corun ----
  // `who` is 'executor' (on the host) or 'this' (inside a task).
  notAnAsyncTask: (who: string, i: number, got: unknown) =>
    `beatflow: ${who}.dependentAsync(fn, ...deps): dependency ${i} must be an AsyncTask that ${who}.dependentAsync() ` +
    `returned (got ${describe(got)}); to wait for a promise, await it before submitting`,
  /** `what`: "executor.dependentAsync(fn, ...deps): dependency 2", "this.join(handle)". */
  foreignAsyncTask: (what: string) =>
    `beatflow: ${what} is an AsyncTask of another executor: depend only on tasks of the same executor`,
  taskAsyncTaskOnHost: (i: number) =>
    `beatflow: executor.dependentAsync(fn, ...deps): dependency ${i} is an AsyncTask made inside a task ` +
    '(this.dependentAsync): it serves only tasks that run while the task that made it runs; on the host, depend on ' +
    'handles of executor.dependentAsync, or await the task that made it and pass its value',
  /** `what`: "this.dependentAsync(fn, ...deps): dependency 2", "this.join(handle)". */
  expiredAsyncTask: (what: string) =>
    `beatflow: ${what}: this AsyncTask was made inside a task that has ended (its result went with it): a handle from ` +
    'this.dependentAsync serves that task and the tasks that run while it does (its children, subflows, task groups); ' +
    'to use a result later, return it from that task',
  hostOnly: (call: string, instead: string) =>
    `beatflow: ${call} runs only inside a task, on a worker (write the task as a function and call this.${call.replace(/^executor\./, '')}); ` +
    `on the host, ${instead}`,
  tooManyGroups: 'beatflow: this.taskGroup(): every subflow slot is in use (a task group takes one until its task ends): ' +
    'raise options.maxSubflows, or reuse one group in a task',
  corunSubflow: (name: string) =>
    `beatflow: ctx.corun(tf): '${name}' is a subflow: join it with sf.join() (corun runs a Taskflow built in the task)`,
  foreignGroup: 'beatflow: a task group can only be used by the task that made it (this.taskGroup()), while it runs',
  foreignSubflow: (name: string) =>
    `beatflow: subflow '${name}' can only be joined by the task that built it, while it runs`,
  subflowJoined: (name: string) =>
    `beatflow: subflow '${name}' was already joined: a subflow runs once (sf.join() at most once; the task that built ` +
    'it joins it when it returns); build another with ctx.subflow() to run more',
  subflowStopped: (name: string) => `beatflow: subflow '${name}' stopped: its run failed or was cancelled`,
  cancelled: (graph: string) => `beatflow: the run of taskflow '${graph}' was cancelled`,
  stale: (graph: string) =>
    `beatflow: results of this run of '${graph}' are gone: the taskflow has run again since (read results before re-running)`,
  edited: (graph: string) =>
    `beatflow: results of this run of '${graph}' are gone: the taskflow was edited since (read results before editing it)`,
  notInRun: (task: string) => `beatflow: task '${task}' is not part of this run's taskflow`,
  runOptions: (call: string, got: unknown) =>
    `beatflow: ${call}: options must be an object like { signal, deadline, priority, resume } (got ${describe(got)})`,
  runCount: (got: unknown) => `beatflow: executor.runN(tf, n): n must be a non-negative integer (got ${describe(got)})`,
  mapItems: (got: unknown) => `beatflow: executor.map(fn, items): items must be an array, a typed array or an iterable (got ${describe(got)})`,
  mapCancelled: (n: number) => `beatflow: executor.map() over ${n} items was cancelled`,
  mapFailed: (failed: number, n: number, first: number, error: unknown) =>
    `beatflow: executor.map(): ${failed} of ${n} items failed (item ${first}: ${error instanceof Error ? error.message : String(error)})`,

  // ---- graphs ----
  notATask: (what: string, got: unknown) =>
    `beatflow: ${what} must be a Task from taskflow.emplace() (got ${describe(got)})`,
  cycle: (graph: string, names: string[]) =>
    `beatflow: taskflow '${graph}' has a cycle: ${names.map((n) => `'${n}'`).join(' → ')}: remove one of its edges, ` +
    'or close the loop through a condition task (taskflow.condition), whose edges out may form loops',
  selfComposed: (path: string[]) =>
    `beatflow: taskflow '${path[0]}' is composed of itself: ${path.map((n) => `'${n}'`).join(' → ')}`,
  noSource: (graph: string) =>
    `beatflow: taskflow '${graph}' has no task to start from: every task has a predecessor (edges out of a ` +
    `condition count too). Add a task that precedes the loop's first task`,
  moduleWork: (task: string) =>
    `beatflow: task.work(fn) on task '${task}': it is a module task (taskflow.composedOf), which runs its taskflow ` +
    'and has no work of its own to replace: emplace a task for fn instead',
  erased: (task: string) => `beatflow: task '${task}' was erased from its taskflow: its handle cannot be used any more`,
  semaphoreNotAcquired: (sem: string, task: string, graph: string) =>
    `beatflow: task '${task}' of taskflow '${graph}' releases semaphore '${sem}', which no task of the taskflow ` +
    'acquires: a release gives back a unit its run took, so acquire it first (task.acquire(semaphore))',
  semaphoreInSubflow: (task: string, graph: string) =>
    `beatflow: task '${task}' of '${graph}', a graph run inside a task (a subflow or ctx.corun), acquires or releases ` +
    'a semaphore: semaphores work on the tasks of a taskflow the executor runs (a graph built in a worker cannot share ' +
    'a Semaphore object with the host); acquire it on the task that builds the graph instead',
  semaphoreElsewhere: (sem: string, user: string) =>
    `beatflow: semaphore '${sem}' (used by ${user}) belongs to another executor that is still open: a Semaphore counts ` +
    'its units in one executor\'s memory; create one per executor, or close the other first',
  foreignTask: (graph: string, task: string) =>
    `beatflow: task '${task}' belongs to another taskflow than '${graph}': link tasks of one taskflow only ` +
    '(to run another taskflow as one step, add it with taskflow.composedOf(other))',

  // ---- shared memory and codec ----
  sharedCtor: (names: string[], got: unknown) =>
    `beatflow: executor.shared(ctor, length): ctor must be one of ${names.join(', ')} (got ${describe(got)})`,
  sharedLength: (got: unknown) => `beatflow: executor.shared(ctor, length): length must be a non-negative integer (got ${describe(got)})`,
  notShared: (got: unknown) =>
    `beatflow: executor.free(array): the array did not come from executor.shared() of this executor (got ${describe(got)})`,
  alreadyFreed: (what: string, got: unknown) =>
    `beatflow: ${what}: the ${describe(got)} from executor.shared() was already freed (executor.free()): allocate a new one`,
  heapExhausted: (n: number, bytes: number) =>
    `beatflow: the shared heap is exhausted (asked for ${n} bytes; the memory is ${bytes} bytes of at most 4 GiB): ` +
    'free shared arrays you no longer need',
  tableTooLarge: (bytes: number) =>
    `beatflow: the task table needs ${bytes} bytes, more than the 4 GiB a shared memory holds: lower options.maxTasks ` +
    '(or maxRuns, maxSubflows, maxFunctions)',

  // ---- values crossing threads (engine/codec.ts; DataCloneError) ----
  /** `what` names the value ("argument 2 of task 'fib'"); `fault` is cloneFault's text. */
  notCloneable: (what: string, fault: string) => `beatflow: ${what} cannot be sent to another thread: ${fault}`,
  /** What in a value cannot cross threads (`kind`, see codec.ts Fault) and where (`at`: a path in the value, '' for itself). */
  cloneFault: (kind: string, got: unknown, at: string) => {
    const where = at === '' ? '' : ` at ${at}`;
    const lose = 'a copy would lose the writes';
    switch (kind) {
      case 'function': return `${describe(got)}${where} cannot be cloned: functions never cross threads (pass data)`;
      case 'symbol': return `${describe(got)}${where} cannot be cloned: symbols never cross threads`;
      case 'promise': return `a Promise${where} cannot be cloned: await it and pass its value`;
      case 'hostHandle': return `an AsyncTask${where} of executor.dependentAsync cannot be cloned: it lives on the host ` +
        '(make the task depend on it with executor.dependentAsync(fn, handle), or await handle.done and pass the value)';
      case 'boxed': return `${an(describe(got))} object${where} (new ${describe(got)}(…)) cannot be cloned: pass the primitive`;
      case 'surrogate': return `a string${where} with a lone surrogate (not well-formed UTF-16) cannot be cloned`;
      case 'protoKey': return `an object${where} with an own property named '__proto__' cannot be cloned (the codec would rename it)`;
      case 'depth': return `the value is nested more than ${String(got)} levels deep${where}`;
      case 'freed': return `the ${describe(got)}${where} from executor.shared() was already freed (executor.free())`;
      case 'nestedShared': return `the ${describe(got)}${where} in the executor's shared memory is inside another value, where ${lose}: ` +
        'pass it as an argument (or return it) on its own, which travels by reference';
      case 'sharedView': return `${an(describe(got))}${where} on the executor's shared memory cannot be cloned (${lose}): only ` +
        'Int8Array … Float64Array views travel by reference';
      case 'foreignShared': return `${an(describe(got))}${where} on a SharedArrayBuffer the executor did not allocate cannot be cloned ` +
        `(${lose}): allocate it with executor.shared(Type, n), or adopt(executor, view)`;
      default: return `${an(describe(got))}${where} cannot be cloned`;
    }
  },
  argument: (i: number, task?: string) => `argument ${i + 1}${task === undefined ? '' : ` of task '${task}'`}`,
  mapItem: (i: number) => `item ${i} of executor.map(fn, items)`,
  returned: (task?: string) => (task === undefined ? 'the value a task returned' : `the value task '${task}' returned`),
  mapReturned: (i: number) => `the value executor.map()'s fn returned for item ${i}`,
  nonError: (text: string) => `a task threw a non-Error value: ${text}`,
  unreadable: (task: string, cause: unknown) =>
    `beatflow internal error: the outcome of task '${task}' could not be read on the host (${causeText(cause)}) — please report`,

  // ---- algorithms ----
  algoCallback: (what: string, label: string, got: unknown) =>
    `beatflow: ${what}: ${label} must be a function (a task-module export or a self-contained function; got ${describe(got)})`,
  algoArray: (what: string, label: string, ctors: readonly string[], got: unknown) =>
    `beatflow: ${what}: ${label} must be a typed array from executor.shared() (${ctors.join(', ')}; got ${describe(got)})`,
  algoLengths: (what: string, label: string, n: number, label0: string, n0: number) =>
    `beatflow: ${what}: ${label} has ${n} elements but ${label0} has ${n0}: they must be equal`,
  algoInputs: (what: string, most: number, got: number) =>
    `beatflow: ${what}: input must be an array or a list of 1 to ${most} arrays (got a list of ${got})`,
  algoOp: (what: string, form: string, names: readonly string[], got: unknown) =>
    `beatflow: ${what}: the operation must be ${form} or one of ${names.map((x) => `'${x}'`).join(', ')} (got ${describe(got)})`,
  algoArity: (what: string, op: string, n: number, got: number) =>
    `beatflow: ${what}: '${op}' takes ${n} input array${n > 1 ? 's' : ''} (got ${got})`,
  algoScalars: (what: string, op: string, s0: unknown, s1: unknown) =>
    `beatflow: ${what}: { op: '${op}', s0, s1 }: s0 and s1 must be numbers (got s0 ${describe(s0)}, s1 ${describe(s1)})`,
  algoMergeLength: (what: string, out: number, a: number, b: number) =>
    `beatflow: ${what}: out has ${out} elements but a and b have ${a} + ${b} = ${a + b}: they must be equal`,
  algoOverlap: (what: string, label: string) =>
    `beatflow: ${what}: out overlaps ${label}: the merge reads ${label} while it writes out, so give out memory of its own`,
  // ---- index ranges (algorithms/index-range.ts) ----
  rangeNumbers: (what: string, got: number) =>
    `beatflow: ${what}: a 1-D range takes exactly three numbers, begin, end and step (got ${got} arguments); ` +
    'for 2-D and 3-D pass one [begin, end, step] array per dimension',
  rangeRank: (what: string, got: number) =>
    `beatflow: ${what}: a range has 1, 2 or 3 dimensions, one [begin, end, step] array each (got ${got})`,
  rangeDimRank: (what: string, d: number, rank: number) =>
    `beatflow: ${what}: dim${d} must be a [begin, end, step] array or a 1-D IndexRange (got a ${rank}-D IndexRange)`,
  rangeDirection: (what: string, label: string, begin: number, end: number, step: number) =>
    `beatflow: ${what}: ${label}step ${step} never reaches ${label}end ${end} from ${label}begin ${begin}: ` +
    'a range counting up (begin < end) needs a positive step, one counting down a negative step',
  rangeUnsafe: (what: string, label: string, begin: number, end: number, step: number) =>
    `beatflow: ${what}: ${label}[${begin}, ${end}) by ${step} reaches past Number.MAX_SAFE_INTEGER: use smaller bounds or step`,
  rangeOneD: (method: string, rank: number) =>
    `beatflow: IndexRange.${method} is for 1-D ranges (this one has ${rank} dimensions): use range.dim(d), which is [begin, end, step]`,
  rangeTooLarge: (what: string, n: number, most: number) =>
    `beatflow: ${what}: range has ${n} elements, more than one call takes (${most}): split it into several calls`,
  adoptView: (ctors: readonly string[], got: unknown) =>
    `beatflow: adopt(executor, view): view must be one of ${ctors.join(', ')} (a view on your SharedArrayBuffer or ` +
    `ArrayBuffer; got ${describe(got)})`,
  adoptReleased: (what: string) =>
    `beatflow: adopted.${what}(): the adopted array was released (adopted.release() was called): adopt the view again to use it`,

  // ---- kernels (src/kernels.ts) ----
  kernelField: (field: string, expected: string, got: unknown) =>
    `beatflow: kernel ${field} must be ${expected} (got ${describe(got)})`,
  kernelFloatOnly: (op: string, dtype: string) =>
    `beatflow: kernel desc.op '${op}' is defined for dtype 'f32' and 'f64' only (got dtype '${dtype}'): convert the data to a float array first`,
  kernelScalars: (op: string, n: number, got: unknown) =>
    `beatflow: kernel desc.scalars must hold exactly ${n} number${n === 1 ? '' : 's'} for op '${op}' (got ${describe(got)})`,
  kernelClampOrder: (lo: number, hi: number) =>
    `beatflow: kernel desc.scalars of 'clamp' must be [lo, hi] with lo ≤ hi (got [${lo}, ${hi}])`,
  kernelKind: (fn: string, want: string, got: string) => `beatflow: ${fn}() takes a '${want}' kernel (got kind '${got}')`,
  kernelInputs: (fn: string, op: string, n: number, got: unknown) =>
    `beatflow: ${fn}(): op '${op}' reads ${n} input array${n === 1 ? '' : 's'}: pass ${n} pointer${n === 1 ? '' : 's'} in inputs (got ${describe(got)})`,
  kernelRange: (fn: string, begin: unknown, end: unknown) =>
    `beatflow: ${fn}(): begin and end must be integers with 0 ≤ begin ≤ end < 2^31 (got begin ${describe(begin)}, end ${describe(end)})`,
  kernelPointer: (fn: string, name: string, got: unknown) =>
    `beatflow: ${fn}(): ${name} must be a byte offset in the shared memory, a non-negative integer (got ${describe(got)})`,
  kernelOutside: (fn: string, name: string, last: number, size: number) =>
    `beatflow: ${fn}(): ${name} up to the range's end reaches byte ${last}, past the shared memory's ${size} bytes: ` +
    `pass the byteOffset of an array in the executor's shared memory and a range within its length`,
  kernelCarry: (dtype: string, got: unknown) =>
    `beatflow: scanChunk(): carry must be ${dtype === 'i32' ? 'an i32 integer' : dtype === 'u32' ? 'a u32 integer' : 'a number'} for dtype '${dtype}' (got ${describe(got)})`,

  // ---- pipelines (src/pipeline/) ----
  pipelineOptions: (got: unknown) =>
    `beatflow: new Pipeline(options, ...pipes): options must be an object like { lines: 4 } (got ${describe(got)})`,
  pipelineLines: (what: string, got: unknown, max: number) =>
    `beatflow: ${what} must be an integer from 1 to ${max}, the most tokens ` +
    `in flight at once (got ${describe(got)})`,
  noPipes: 'beatflow: new Pipeline(options, ...pipes): give at least one pipe, e.g. new Pipeline({ lines: 4 }, Pipe.serial(fn))',
  notAPipe: (call: string, i: number, got: unknown) =>
    `beatflow: ${call}: pipe ${i + 1} must be made by Pipe.serial(fn) or Pipe.parallel(fn) ` +
    `(got ${describe(got)})`,
  noPipesToRun: (pipeline: string) =>
    `beatflow: pipeline '${pipeline}' has no pipes to run: give them with scalablePipeline.reset(pipes)`,
  resetDuringRun: (pipeline: string, running: number) =>
    `beatflow: pipeline '${pipeline}'.reset(): ${running} run(s) of it are in flight (run, stream or graph task): ` +
    'reset it once they have settled',
  resetPipes: (got: unknown) =>
    `beatflow: scalablePipeline.reset(lines?, pipes): pipes must be an array of pipes (Pipe.serial(fn), Pipe.parallel(fn)) ` +
    `(got ${describe(got)})`,
  pipelineTaskSource: (got: unknown) =>
    `beatflow: pipeline.task(tf, source): source must be an iterable, an async iterable, or a function returning one ` +
    `(called at each run with the task's predecessors' results)` +
    (typeof got === 'string' ? '; a string would be split into characters: wrap it in an array' : '') + ` (got ${describe(got)})`,
  pipelineTaskSourceResult: (pipeline: string, got: unknown) =>
    `beatflow: pipeline.task(tf, source) of pipeline '${pipeline}': source() must return an iterable or an async iterable ` +
    `(got ${describe(got)})`,
  pipeFn: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): fn must be a function (a task-module export, a self-contained ` +
    `function, or any function with { on: 'host' }) (got ${describe(got)})`,
  pipeOptions: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): options must be a stage name or an object like { name, on, args } ` +
    `(got ${describe(got)})`,
  pipelineSource: (method: string, got: unknown) =>
    `beatflow: pipeline.${method}(executor, source): source must be an iterable or an async iterable ` +
    `(an array, a generator, a stream…)` + (typeof got === 'string' ? '; a string would be split into characters: wrap it in an array' : '') +
    ` (got ${describe(got)})`,
  stageFailed: (pipeline: string, stage: string, position: number, of: number, kind: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: stage '${stage}' (${position + 1} of ${of}, ${kind}) failed on token ` +
    `${token}: ${causeText(cause)}`,
  sourceFailed: (pipeline: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: its source failed producing token ${token}: ${causeText(cause)}`,
  sourceResult: (got: unknown) =>
    `the source's iterator returned ${describe(got)} from next() where an object like { value, done } was expected`,
  pipelineCancelled: (pipeline: string) => `beatflow: pipeline '${pipeline}' was cancelled`,
  pipelineRunStopped: (pipeline: string) =>
    `beatflow: pipeline '${pipeline}' was stopped: the graph run it is a task of was cancelled or failed`,
  deferNotFirst: (pipeline: string, stage: string, position: number) =>
    `pf.defer(token) in stage '${stage}' (${position + 1}) of pipeline '${pipeline}': only a serial first pipe can defer its token`,
  deferLate: (pipeline: string, stage: string) =>
    `pf.defer(token) in stage '${stage}' of pipeline '${pipeline}' came after the stage's call returned: defer before returning (or before its promise settles)`,
  deferToken: (got: unknown) => `pf.defer(token): token must be a token number, an integer from 0 (got ${describe(got)})`,
  deferSelf: (token: number) => `token ${token} deferred to itself: it would wait forever`,
  deferCycle: (path: readonly number[]) =>
    `token ${path[0]} deferred to ${path[1]}, which waits for it in turn (${path.join(' → ')}): a cycle of deferrals never resolves`,
  deferBeyond: (token: number, on: number, end: number) =>
    `token ${token} deferred to token ${on}, but the source produced only ${end} token(s) (0 to ${end - 1}): it would wait forever`,
  deferStuck: (n: number) => `${n} deferred token(s) can no longer be resolved: nothing left in the pipeline can pass the first pipe`,

  // ---- cancellation tokens ----
  tokenOptions: (got: unknown) =>
    `beatflow: new CancellationToken(options): options must be an object like { signal } (got ${describe(got)})`,
  tokenSignal: (got: unknown) =>
    `beatflow: new CancellationToken({ signal }): signal must be an AbortSignal (got ${describe(got)})`,
  tokenAfter: (got: unknown) =>
    `beatflow: token.cancelAfter(ms): ms must be a non-negative number of milliseconds (got ${describe(got)})`,
  tokenAt: (got: unknown) =>
    `beatflow: token.cancelAt(time): time must be a Date or epoch milliseconds (got ${describe(got)})`,
  tokenCancelled: (reason: string) => `beatflow: the task was cancelled${reason ? `: ${reason}` : ''}`,
  /** Reasons a token is cancelled with when the caller gave none. */
  cancelledAfter: (ms: number) => `cancelled after ${ms} ms`,
  cancelledAt: (iso: string) => `cancelled at ${iso}`,
  timedOutAfter: (ms: number) => `timed out after ${ms} ms`,

  // ---- the GPU lane (src/gpu/) ----
  /** Reasons executor.gpu gives for having no device (one line each, no prefix: they are quoted in other messages). */
  gpuNotRequested: 'no GPU was asked for: pass Executor.create({ gpu: true })',
  gpuNoPackage: (pkg: string, version: string) =>
    `the optional package '${pkg}' is not installed (npm install ${pkg}@${version}); GPU work is unavailable and the CPU runs everything`,
  gpuLoadFailed: (pkg: string, message: string) => `the package '${pkg}' failed to load: ${message}`,
  gpuNoAdapter: (tried: readonly string[]) => `no WebGPU adapter (${tried.join('; ') || 'nothing to try'})`,
  gpuUnavailable: (call: string, reason: string) => `beatflow: ${call}: no GPU device: ${reason}`,
  gpuShader: (call: string, errors: readonly { line: number; column: number; message: string }[]) =>
    `beatflow: ${call}: the WGSL did not compile: ${errors.map((e) => `line ${e.line}:${e.column}: ${e.message}`).join('; ')}`,
  gpuPipeline: (call: string, message: string) => `beatflow: ${call}: the compute pipeline was refused: ${message}`,
  gpuValidation: (call: string, message: string) => `beatflow: ${call}: the device refused the dispatch: ${message}`,
  gpuLost: (reason: string, message: string) =>
    `beatflow: the GPU device was lost (${reason}${message ? `: ${message}` : ''}): GPU work in flight did not finish and no more is accepted`,
  gpuBindingUnknown: (call: string, name: string, declared: readonly string[]) =>
    `beatflow: ${call}: bindings.${name} is not declared by the WGSL (it declares: ${declared.join(', ') || 'no bindings'})`,
  gpuBindingMissing: (call: string, name: string, kind: string) =>
    `beatflow: ${call}: bindings.${name} is missing: the WGSL declares '${name}' (${kind}), so it must be bound`,
  gpuBindingType: (call: string, name: string, expected: string, got: unknown) =>
    `beatflow: ${call}: bindings.${name} must be ${expected} (got ${describe(got)})`,
  gpuBindingTooBig: (call: string, name: string, bytes: number, max: number, limit: string) =>
    `beatflow: ${call}: bindings.${name} is ${bytes} bytes, more than the device binds at once (${limit} = ${max})`,
  gpuReadName: (call: string, name: unknown, why: string) =>
    `beatflow: ${call}: read lists ${describe(name)}, which is ${why}: only var<storage, read_write> bindings are read back`,
  gpuUploadName: (call: string, name: unknown, why: string) =>
    `beatflow: ${call}: upload lists ${describe(name)}, which is ${why}: only storage bindings are uploaded`,
  gpuTuningVersion: (what: string, got: unknown, want: number) =>
    `beatflow: ${what}: tuning.version is ${describe(got)}, but this beatflow reads version ${want}: tune again and store the new record`,
  gpuTuningFileIgnored: (path: string, why: string) =>
    `beatflow: the GPU tuning file ${path} was not used (${why}); the next autotune writes it again`,
  gpuTuningFileUnwritten: (path: string, why: string) =>
    `beatflow: the GPU tuning file ${path} could not be written (${why}); the next run tunes again`,
  gpuTuningDirNoFiles: (platform: string) =>
    `beatflow: options.gpu.tuningDir needs a file system, which ${platform} does not give: store executor.gpu.tuning() yourself and pass it to executor.gpu.useTuning()`,

  // ---- built-in GPU kernels and device placement (src/gpu/kernels/, src/policy/placement.ts) ----
  /** Why a call has no GPU kernel (phrases, quoted in gpuNoKernel). */
  gpuKernelDtype: (ctor: string) =>
    `no GPU kernel takes ${ctor} (only Float32Array, Int32Array and Uint32Array: WGSL has no f64 and no 8- or 16-bit storage)`,
  gpuKernelMixed: (ctors: readonly string[]) => `the GPU kernels take arrays of one type (got ${ctors.join(', ')})`,
  gpuKernelFloatOnly: (op: string, ctor: string) => `the GPU kernel of '${op}' takes Float32Array only (got ${ctor})`,
  gpuKernelScalars: (op: string, scalars: readonly number[], dtype: string) => `the scalars of '${op}' (${scalars.join(', ')}) are not ${dtype} values`,
  gpuKernelClamp: (s0: number, s1: number) => `'clamp' needs s0 <= s1 on the GPU (got ${s0}, ${s1})`,
  gpuKernelInit: (init: number, dtype: string) => `the init value ${init} is not a ${dtype} value`,
  gpuKernelNone: 'only transform, reduce, transformReduce and the scans with a built-in op, and sort without a comparator, have GPU kernels (a callback, a comparator, find and the others run on the CPU)',
  gpuNoKernel: (call: string, why: string) => `beatflow: ${call}: device 'gpu': ${why}; use device: 'cpu' or 'auto'`,
  gpuTooBig: (call: string, name: string, bytes: number, max: number) =>
    `beatflow: ${call}: ${name} is ${bytes} bytes, more than the GPU binds at once (maxStorageBufferBindingSize = ${max}); use device: 'cpu' or 'auto'`,
  gpuSortTooBig: (call: string, bytes: number, padded: number, max: number) =>
    `beatflow: ${call}: array is ${bytes} bytes; the GPU sort pads it to a power of two, ${padded} bytes, more than the GPU binds at once (maxStorageBufferBindingSize = ${max}); use device: 'cpu' or 'auto'`,
  gpuMatmulLength: (call: string, name: string, length: number, dims: string, want: number) =>
    `beatflow: ${call}: ${name} has ${length} elements, but ${dims} = ${want}`,
  matmulOverlap: (call: string, name: string) =>
    `beatflow: ${call}: out overlaps ${name}: the product reads ${name} while it writes out, so give out memory of its own`,
  gpuMatmulGrid: (call: string, m: number, n: number, tile: number, max: number) =>
    `beatflow: ${call}: a ${m}×${n} result needs more than ${max} workgroups of ${tile}×${tile} along one dimension (maxComputeWorkgroupsPerDimension)`,
  gpuMatmulNoShape: (limits: string) => `beatflow: executor.gpu.matmul(): no matmul kernel shape fits this device's limits (${limits})`,
  gpuNotResident: (call: string, got: unknown) =>
    `beatflow: ${call}: the array is not resident (got ${describe(got)}); executor.gpu.resident(array) keeps one on the device`,
  gpuTaskBinding: (call: string, name: string) =>
    `beatflow: ${call}: bindings.${name} must be an executor.shared() array: a graph task's arguments are copied to its worker, so the results would not come back`,
  deviceInGraph: (call: string, device: unknown) =>
    `beatflow: ${call}: options.device ${describe(device)} is for the direct form; a graph task runs on the CPU workers (device: 'cpu')`,
  parallelInGraph: (call: string, parallel: unknown) =>
    `beatflow: ${call}: options.parallel ${describe(parallel)} is for the direct form; a graph task is driven by a worker, which picks its helpers (leave parallel out)`,

  // ---- internal: invariants the runtime keeps; seeing one is a bug in beatflow ----
  corruptKind: (kind: number, at: number) =>
    `beatflow internal error: corrupt value kind ${kind} at byte ${at} of the shared memory — please report`,
  unregistered: (id: number) =>
    `beatflow internal error: function ${id} was used before it was registered — please report`,
  noError: (task: string) =>
    `beatflow internal error: task '${task}' failed and left no error to report — please report`,
  handBackNotNumber: (got: unknown) =>
    `beatflow internal error: the partial a helper hands back to the calling thread must be a number (got ${describe(got)}) — please report`,
  stealDomainBroken: (worker: number) =>
    `beatflow internal error: the steal domain of worker ${worker} is not a range of worker slots that contains it — please report`,

  // ---- algorithms (workers) ----
  algorithmsUnbound: 'beatflow: algorithm tasks run only in executor workers (their builtin module was not bound)',
  algorithmArraysNotShared:
    'beatflow: the arrays of a parallel algorithm must live in the executor\'s shared memory: ' +
    'allocate them with executor.shared(Type, n) (or adopt() a SharedArrayBuffer view)',
  capturedInCallback: (variable: string) =>
    `${variable} is not defined in the worker: an inline callback cannot use variables from the scope it was ` +
    `written in (it is sent to the workers as source). Pass the value in options.args (it arrives after the ` +
    `callback's own arguments), or export the callback from the task module`,
} as const;

/** The most characters `describe` writes: a hostile or huge value is not copied whole into a message. */
const SHOWN = 80;

function clip(s: string): string {
  return s.length <= SHOWN ? s : `${s.slice(0, SHOWN - 1)}…`;
}

/**
 * How a value looks in a message, at most SHOWN characters: a string quoted, a function by name, an
 * array by its first elements, another object by its constructor's name. Never throws: a getter that
 * throws, a Proxy or a `constructor.name` that is not a string shows as "an object".
 */
export function describe(v: unknown): string {
  return clip(shape(v, 0));
}

function shape(v: unknown, depth: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length > SHOWN ? v.slice(0, SHOWN) : v);
  if (typeof v === 'bigint') return `${clip(String(v))}n`;
  if (typeof v === 'symbol') return clip(String(v));
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  try {
    if (typeof v === 'function') {
      const name: unknown = v.name;
      return `function ${typeof name === 'string' && name ? clip(name) : '(anonymous)'}`;
    }
    if (Array.isArray(v)) {
      if (depth > 1) return v.length === 0 ? '[]' : '[…]';
      let out = '[';
      for (let i = 0; i < v.length; i++) {
        if (out.length > SHOWN) return `${out}…]`;
        out += (i > 0 ? ', ' : '') + shape(v[i], depth + 1);
      }
      return `${out}]`;
    }
    const ctor: unknown = (v as { constructor?: unknown }).constructor;
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    return typeof name === 'string' && name ? clip(name) : 'an object';
  } catch {
    return typeof v === 'function' ? 'a function' : 'an object';
  }
}

/** "a WeakMap", "an Int32Array". */
const an = (s: string): string => `${/^[aeiou]/i.test(s) ? 'an' : 'a'} ${s}`;

const causeText = (e: unknown): string => (e instanceof Error ? e.message : describe(e));
