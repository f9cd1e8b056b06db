// Task code crosses threads by identity, never by closure (DESIGN Principle 2).
//  - module exports: every worker imports the task module; the host maps the function objects it
//    imported from the same URL to their export names;
//  - inline functions: sent once, as source, through the shared function table, and compiled once per
//    worker; identical sources share one id. Where the runtime compiles no source (workerd) the
//    single-threaded mode's worker, on the host's thread, takes the function object itself instead
//    (`sameThread`), and each function object has an id of its own: one source may close over
//    different values there.
//  - builtins: task functions the runtime itself provides (the modules listed in src/builtins.ts: the
//    parallel algorithms, executor.map's task), registered by name when that list is evaluated, in the
//    host and in every worker; they are resolved by that name, before module exports.
// The table lives in shared memory (FnEntry, assembly/layout.ts): the host writes an entry before the
// first task that names it is submitted, and the atomic store of `kind` publishes ptr/len.
import type { SharedCore } from './memory.js';
import { messages } from '../errors.js';

export const enum FnKind { Empty = 0, Export = 1, Inline = 2, Builtin = 3 }

/**
 * A module of built-in task functions.
 * Thread-safety: the list is evaluated once per thread; `bind` is called once per worker thread.
 */
export interface BuiltinModule {
  /** Its name, in diagnostics and in a worker's 'ready' message. */
  readonly name: string;
  /** Its task functions by the name the function table records and errors show (`beatflow.<name>`). */
  readonly functions: Readonly<Record<string, Function>>;
  /** Worker start-up, before the first task: what the functions need of the thread (its core, its function cache). */
  bind?(core: SharedCore, fns: FunctionCache): void;
}

/** Runtime-provided task functions by name, and their names: the same in every thread that imported them. */
const builtinByName = new Map<string, Function>();
const builtinNames = new Map<Function, string>();

/**
 * Registers runtime-provided task functions under their names (src/builtins.ts, when it is evaluated, in
 * the host and in each worker). Any thread; registering a name twice keeps the first.
 */
export function registerBuiltins(ns: Record<string, Function>): void {
  for (const [name, fn] of Object.entries(ns)) {
    if (builtinByName.has(name)) continue;
    builtinByName.set(name, fn);
    builtinNames.set(fn, name);
  }
}

/**
 * A task function passed as a *bound argument* of a graph task (the parallel algorithms' callbacks):
 * function ids are per executor, so placement (engine/placement.ts) writes the id, a number, for the executor
 * that lays the graph out. The task receives that number (a worker resolves it with FunctionCache.get).
 */
export class FnArg {
  constructor(readonly fn: Function, readonly what: string) {}
}

/** args with every FnArg replaced by its function id in `table` (args itself when there is none). */
export function withFnIds(args: readonly unknown[], table: { idOf(fn: unknown, what: string): number }): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof FnArg) (out ??= args.slice())[i] = table.idOf(a.fn, a.what);
  }
  return out ?? args;
}

let compiles: boolean | undefined;

/** Whether this realm compiles JavaScript source at run time (workerd refuses: "Code generation from strings disallowed"). */
export function compilesSource(): boolean {
  if (compiles === undefined) {
    try { compiles = typeof new Function('') === 'function'; } catch { compiles = false; }
  }
  return compiles;
}

/**
 * Inline functions by id, keyed by the executor's shared memory: filled by the host's FunctionTable and
 * read by the worker's FunctionCache when both run on one thread and source cannot be compiled.
 */
const sameThread = new WeakMap<object, Function[]>();

/** The initial `#lastFn` of FunctionTable.idOf's one-entry cache: matches no argument. */
const NO_FN: unique symbol = Symbol('no function yet');

const AsyncFunction = (async () => {}).constructor;
const AsyncGeneratorFunction = (async function* () {}).constructor;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** FNV-1a over a string's UTF-16 units: the source hash kept in the table for diagnostics. */
export function hashSource(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Claims a function table entry and writes it. Any thread: ids come from one atomic counter in the header,
 * so the host and workers (which register functions they spawn) never collide. The atomic store of
 * `kind` publishes ptr, len and hash.
 */
function writeEntry(core: SharedCore, cap: number, kind: FnKind, text: string): number {
  const L = core.L;
  const id = Atomics.add(core.u32, (L.header + L.H_fnCount) >> 2, 1);
  if (id >= cap) throw new RangeError(messages.tooManyFunctions(cap));
  const bytes = utf8.encode(text);
  const ptr = core.alloc(bytes.length || 1);
  core.u8.set(bytes, ptr);
  const e = core.fnPtr(id);
  core.u32[(e + L.F_ptr) >> 2] = ptr;
  core.u32[(e + L.F_len) >> 2] = bytes.length;
  core.u32[(e + L.F_hash) >> 2] = hashSource(text);
  Atomics.store(core.u32, (e + L.F_kind) >> 2, kind);
  return id;
}

/** Reads entry id: its kind (Empty while another thread is still writing it) and text. Any thread. */
function readEntry(core: SharedCore, id: number): { kind: FnKind; text: string; hash: number } {
  const L = core.L;
  const e = core.fnPtr(id);
  const kind = Atomics.load(core.u32, (e + L.F_kind) >> 2) as FnKind;
  if (kind === FnKind.Empty) return { kind, text: '', hash: 0 };
  const ptr = core.u32[(e + L.F_ptr) >> 2];
  const len = core.u32[(e + L.F_len) >> 2];
  core.ensure(ptr, len);
  return { kind, text: utf8d.decode(core.u8.slice(ptr, ptr + len)), hash: core.u32[(e + L.F_hash) >> 2] };
}

/** Registered functions (whoever registered them) with their kind, for resolving; the first match wins. */
function findEntry(core: SharedCore, kind: FnKind, text: string): number {
  const count = Math.min(Atomics.load(core.u32, (core.L.header + core.L.H_fnCount) >> 2), core.fnCap);
  const hash = hashSource(text);
  for (let id = 0; id < count; id++) {
    const e = core.fnPtr(id);
    if (core.u32[(e + core.L.F_hash) >> 2] !== hash) continue;
    const entry = readEntry(core, id);
    if (entry.kind === kind && entry.text === text) return id;
  }
  return -1;
}

/** The source of a function that can be sent by source, or a TypeError for one that cannot. */
function inlineSource(fn: Function): string {
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) throw new TypeError(messages.nativeFunction(fn.name || 'anonymous'));
  return src;
}

/** Host side: function object → id. */
export class FunctionTable {
  readonly #core: SharedCore;
  readonly #cap: number;
  readonly #ids = new WeakMap<Function, number>();
  readonly #bySource = new Map<string, number>();
  readonly #exports: Map<Function, string>;
  readonly #names: string[] = [];
  readonly #kinds: FnKind[] = [];

  /** Same-thread inline functions (the single-threaded mode where source cannot be compiled), by id. */
  readonly #here: Function[] | undefined;

  /**
   * `exports`: the task module's namespace as the host imported it (empty when there is none). `single`:
   * the executor's one worker runs on this thread (which, where source cannot be compiled, takes inline
   * functions from here).
   */
  constructor(core: SharedCore, cap: number, exports: Readonly<Record<string, unknown>>, single = false) {
    this.#core = core;
    this.#cap = cap;
    this.#exports = exportNames(exports);
    if (single && !compilesSource()) sameThread.set(core.memory, this.#here = []);
  }

  /**
   * The id of fn, registering it on first use. Throws for values that cannot be sent. Bursts repeat one
   * function: that case is this comparison, small enough for V8 to inline into every submitting call
   * (the whole lookup is over its bytecode limit for inlining, so it was a call per task); the rest is
   * #lookUp, out of line.
   */
  idOf(fn: unknown, what = 'a task'): number {
    return fn === this.#lastFn ? this.#lastId : this.#lookUp(fn, what);
  }

  /** idOf for a function other than the last one: the WeakMap, or a new entry. */
  #lookUp(fn: unknown, what: string): number {
    if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(what, fn));
    const known = this.#ids.get(fn);
    if (known !== undefined) { this.#lastFn = fn; this.#lastId = known; return known; }
    const builtin = builtinNames.get(fn);
    const exported = this.#exports.get(fn);
    let id: number;
    if (builtin !== undefined) {
      id = this.#add(FnKind.Builtin, builtin, builtin);
    } else if (exported !== undefined) {
      id = this.#add(FnKind.Export, exported, exported);
    } else if (this.#here !== undefined) {
      id = this.#add(FnKind.Inline, inlineSource(fn), fn.name || 'anonymous');
      this.#here[id] = fn;
    } else {
      const src = inlineSource(fn);
      id = this.#bySource.get(src) ?? this.#add(FnKind.Inline, src, fn.name || 'anonymous');
      this.#bySource.set(src, id);
    }
    this.#ids.set(fn, id);
    this.#lastFn = fn;
    this.#lastId = id;
    return id;
  }

  #lastFn: unknown = NO_FN;   // never a value a caller passes: undefined here made idOf(undefined) return id 0
  #lastId = 0;

  #add(kind: FnKind, text: string, display: string): number {
    const id = writeEntry(this.#core, this.#cap, kind, text);
    this.#names[id] = display;
    this.#kinds[id] = kind;
    return id;
  }

  /**
   * A stable key of function id, valid across executors over the same task module (model snapshots,
   * src/learn/models.ts): its kind and its export name, built-in name or source.
   */
  keyOf(id: number): { kind: number; text: string } {
    const { kind, text } = readEntry(this.#core, id);
    return { kind, text };
  }

  /**
   * The id of the function a key names, registering it if this executor's task module exports it (or it
   * is inline source); -1 when nothing here matches it.
   */
  idOfKey(kind: number, text: string): number {
    const found = findEntry(this.#core, kind as FnKind, text);
    if (found >= 0) return found;
    if (kind === FnKind.Export) {
      for (const [fn, name] of this.#exports) if (name === text) return this.idOf(fn);
      return -1;
    }
    if (kind === FnKind.Inline) {
      const id = this.#bySource.get(text) ?? this.#add(FnKind.Inline, text, 'anonymous');
      this.#bySource.set(text, id);
      return id;
    }
    return -1;
  }

  /** Display name of function id (also for functions a worker registered). */
  nameOf(id: number): string {
    this.#learn(id);
    return this.#names[id];
  }

  /** Kind of function id. */
  kindOf(id: number): FnKind {
    this.#learn(id);
    return this.#kinds[id];
  }

  #learn(id: number): void {
    if (this.#names[id] !== undefined) return;
    const e = readEntry(this.#core, id);
    this.#kinds[id] = e.kind;
    this.#names[id] = e.kind === FnKind.Export || e.kind === FnKind.Builtin ? e.text : /^(?:async\s+)?function\s*\*?\s*([\w$]+)/.exec(e.text)?.[1] ?? 'anonymous';
  }
}

function exportNames(ns: Readonly<Record<string, unknown>>): Map<Function, string> {
  const m = new Map<Function, string>();
  for (const [name, v] of Object.entries(ns)) if (typeof v === 'function' && !m.has(v)) m.set(v, name);
  return m;
}

/** Worker side: id → callable, resolved on first use from the shared table; and fn → id for ctx.spawn. */
export class FunctionCache {
  readonly #core: SharedCore;
  readonly #ns: Readonly<Record<string, unknown>>;
  readonly #exports: Map<Function, string>;
  readonly #fns: Function[] = [];
  /** Per id: the function a direct run may call (bare()), or null for one it may not. */
  readonly #bare: (Function | null)[] = [];
  readonly #ids = new WeakMap<Function, number>();   // weak: a fresh closure spawned per call must not stay
  /** Inline sources this worker has looked up: a fresh closure per call (spawn, dependentAsync) skips the table scan. */
  readonly #bySource = new Map<string, number>();
  readonly #receiver: object;

  /** `receiver`: what tasks that use `this` see as `this` (the task context). */
  constructor(core: SharedCore, ns: Readonly<Record<string, unknown>>, receiver: object) {
    this.#core = core;
    this.#ns = ns;
    this.#exports = exportNames(ns);
    this.#receiver = receiver;
  }

  /**
   * The callable for function id: the function itself, or bound to the task context when its source
   * mentions `this` (ctx.spawn, ctx.join, ctx.workerId). Most tasks never do, and a direct call is
   * cheaper than fn.call(ctx) on the hot path. Arrows never have their own `this`.
   */
  #install(id: number, fn: Function, kind: FnKind): Function {
    const src = Function.prototype.toString.call(fn);
    const arrow = !/^\s*(?:async\s+)?function\b/.test(src) && /^[^{]*=>/.test(src);
    const callable = !arrow && /\bthis\b/.test(src) ? fn.bind(this.#receiver) : fn;
    this.#fns[id] = callable;
    this.#bare[id] = callable === fn && kind !== FnKind.Builtin && !(fn instanceof AsyncFunction) && !(fn instanceof AsyncGeneratorFunction) ? fn : null;
    return callable;
  }

  get(id: number): Function {
    return this.#fns[id] ?? this.#resolve(id);
  }

  /**
   * Function id as a direct run calls it (src/worker/direct.ts), or undefined where only the worker loop
   * may: a function that uses `this` (bound to the task context, which only a running task has), an async
   * function (it always settles later), a built-in (bound to the thread's modules). Throws as get() does.
   */
  bare(id: number): Function | undefined {
    if (this.#fns[id] === undefined) this.#resolve(id);
    return this.#bare[id] ?? undefined;
  }

  /** The id of fn for a task this worker spawns: found in the shared table, or registered now. */
  idOf(fn: unknown, what = 'ctx.spawn(fn)'): number {
    // Recursion spawns one function over and over: skip the WeakMap. The rest is a call, #find: whole,
    // idOf was over V8's bytecode limit for inlining, and every spawn called it.
    return fn === this.#lastFn ? this.#lastId : this.#find(fn, what);
  }

  /** idOf of another function than the last one: the WeakMap, else the shared table, else registration. */
  #find(fn: unknown, what: string): number {
    if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(what, fn));
    const known = this.#ids.get(fn);
    if (known !== undefined) { this.#lastFn = fn; this.#lastId = known; return known; }
    const builtin = builtinNames.get(fn);
    const exported = this.#exports.get(fn);
    const kind = builtin !== undefined ? FnKind.Builtin : exported !== undefined ? FnKind.Export : FnKind.Inline;
    const text = builtin ?? exported ?? inlineSource(fn);
    // Same-thread inline functions (workerd's single-threaded mode) get an id each; elsewhere one source
    // has one id, which this worker remembers (a fresh closure per spawn or dependentAsync skips the scan).
    const here = kind === FnKind.Inline ? sameThread.get(this.#core.memory) : undefined;
    let id = kind === FnKind.Inline && here === undefined ? this.#bySource.get(text) ?? -1 : -1;
    if (id < 0 && here === undefined) id = findEntry(this.#core, kind, text);
    if (id < 0) id = writeEntry(this.#core, this.#core.fnCap, kind, text);
    if (here !== undefined) here[id] = fn;
    else if (kind === FnKind.Inline) this.#bySource.set(text, id);
    this.#ids.set(fn, id);
    // An inline function runs here as it runs on every other worker: compiled from its source, never as
    // the closure spawned. Closures of one source share an id, so the first one's captured variables
    // would otherwise answer for all of them; compiled, a captured variable is a ReferenceError that
    // says so (docs/api.md "Task code crosses threads by identity").
    if (this.#fns[id] === undefined) this.#install(id, kind === FnKind.Inline && here === undefined ? compileInline(text) : fn, kind);
    this.#lastFn = fn;
    this.#lastId = id;
    return id;
  }

  #lastFn: unknown = NO_FN;
  #lastId = 0;

  /** The name of function id, for errors (an export's name, a function's own name, or 'anonymous'). */
  nameOf(id: number): string {
    const fn = this.#fns[id];
    if (fn) return fn.name.replace(/^bound /, '') || 'anonymous';
    const { kind, text } = readEntry(this.#core, id);
    return kind === FnKind.Export || kind === FnKind.Builtin ? text : 'anonymous';
  }

  #resolve(id: number): Function {
    const { kind, text } = readEntry(this.#core, id);
    let fn: unknown;
    if (kind === FnKind.Export) {
      fn = this.#ns[text];
      if (typeof fn !== 'function') throw new TypeError(messages.missingExport(text));
    } else if (kind === FnKind.Inline) {
      fn = sameThread.get(this.#core.memory)?.[id] ?? compileInline(text);
    } else if (kind === FnKind.Builtin) {
      fn = builtinByName.get(text);
      if (fn === undefined) throw new Error(messages.missingBuiltin(text));
    } else {
      throw new Error(messages.unregistered(id));
    }
    return this.#install(id, fn as Function, kind);
  }
}

/**
 * What an inline task's source finds in scope besides globals: `__name(fn, name)`, which sets a
 * function's name and returns it. Bundlers that keep function names (esbuild `keepNames`) write calls
 * to such a module-level helper into function bodies; the worker compiles the source alone, where the
 * bundle's helper does not exist. Same definition as esbuild's.
 */
const INLINE_PRELUDE = 'const __name = (fn, name) => Object.defineProperty(fn, "name", { value: name, configurable: true });\n';

/** Compiles the source of a function expression, arrow, or method shorthand (`name(x) { … }`). */
export function compileInline(src: string): Function {
  try {
    return new Function(`${INLINE_PRELUDE}return (${src}\n);`)();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const holder = new Function(`${INLINE_PRELUDE}return ({ ${src}\n });`)();   // method shorthand, async/generator methods
    return Object.values(holder)[0] as Function;
  }
}
