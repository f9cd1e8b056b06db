// Task code crosses threads by identity, never by closure (DESIGN Principle 2).
//  - module exports: every worker imports the task module; the host maps the function objects it
//    imported from the same URL to their export names;
//  - inline functions: sent once, as source, through the shared function table, and compiled once per
//    worker; identical sources share one id.
// The table lives in shared memory (FnEntry, assembly/layout.ts): the host writes an entry before the
// first task that names it is submitted, and the atomic store of `kind` publishes ptr/len.
import type { SharedCore } from './memory.js';
import { messages } from './errors.js';

export const enum FnKind { Empty = 0, Export = 1, Inline = 2 }

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** FNV-1a over a string's UTF-16 units: the source hash kept in the table for diagnostics. */
export function hashSource(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Host side: function object → id. */
export class FunctionTable {
  readonly #core: SharedCore;
  readonly #cap: number;
  readonly #ids = new WeakMap<Function, number>();
  readonly #bySource = new Map<string, number>();
  readonly #exports: Map<Function, string>;
  readonly names: string[] = [];
  readonly kinds: FnKind[] = [];

  /** `exports`: the task module's namespace as the host imported it (empty when there is none). */
  constructor(core: SharedCore, cap: number, exports: Record<string, unknown>) {
    this.#core = core;
    this.#cap = cap;
    this.#exports = new Map();
    for (const [name, v] of Object.entries(exports)) {
      if (typeof v === 'function' && !this.#exports.has(v)) this.#exports.set(v, name);
    }
  }

  /** The id of fn, registering it on first use. Throws for values that cannot be sent. */
  idOf(fn: unknown, what = 'a task'): number {
    if (fn === this.#lastFn) return this.#lastId;   // bursts repeat one function: skip the WeakMap
    if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(what, fn));
    const known = this.#ids.get(fn);
    if (known !== undefined) { this.#lastFn = fn; this.#lastId = known; return known; }
    const exported = this.#exports.get(fn);
    let id: number;
    if (exported !== undefined) {
      id = this.#add(FnKind.Export, exported, exported);
    } else {
      const src = Function.prototype.toString.call(fn);
      if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) throw new TypeError(messages.nativeFunction(fn.name || 'anonymous'));
      id = this.#bySource.get(src) ?? this.#add(FnKind.Inline, src, fn.name || 'anonymous');
      this.#bySource.set(src, id);
    }
    this.#ids.set(fn, id);
    this.#lastFn = fn;
    this.#lastId = id;
    return id;
  }

  #lastFn: unknown = undefined;
  #lastId = 0;

  #add(kind: FnKind, text: string, display: string): number {
    const id = this.names.length;
    if (id >= this.#cap) throw new RangeError(messages.tooManyFunctions(this.#cap));
    const bytes = utf8.encode(text);
    const core = this.#core;
    const ptr = core.alloc(bytes.length || 1);
    core.u8.set(bytes, ptr);
    const e = core.fnPtr(id);
    core.u32[(e + core.L.F_ptr) >> 2] = ptr;
    core.u32[(e + core.L.F_len) >> 2] = bytes.length;
    core.u32[(e + core.L.F_hash) >> 2] = hashSource(text);
    Atomics.store(core.u32, (e + core.L.F_kind) >> 2, kind);   // publishes ptr, len, hash
    this.names.push(display);
    this.kinds.push(kind);
    return id;
  }
}

/** Worker side: id → callable, resolved on first use from the shared table. */
export class FunctionCache {
  readonly #core: SharedCore;
  readonly #ns: Record<string, unknown>;
  readonly #fns: Function[] = [];

  constructor(core: SharedCore, ns: Record<string, unknown>) {
    this.#core = core;
    this.#ns = ns;
  }

  get(id: number): Function {
    return this.#fns[id] ?? this.#resolve(id);
  }

  #resolve(id: number): Function {
    const core = this.#core;
    const e = core.fnPtr(id);
    const kind = Atomics.load(core.u32, (e + core.L.F_kind) >> 2);
    const ptr = core.u32[(e + core.L.F_ptr) >> 2];
    const len = core.u32[(e + core.L.F_len) >> 2];
    core.ensure(ptr, len);
    const text = utf8d.decode(core.u8.slice(ptr, ptr + len));
    let fn: unknown;
    if (kind === FnKind.Export) {
      fn = this.#ns[text];
      if (typeof fn !== 'function') throw new TypeError(`beatflow: the task module has no function export '${text}' in this worker`);
    } else if (kind === FnKind.Inline) {
      fn = compileInline(text);
    } else {
      throw new Error(`beatflow: function ${id} was used before it was registered`);
    }
    this.#fns[id] = fn as Function;
    return fn as Function;
  }
}

/** Compiles the source of a function expression, arrow, or method shorthand (`name(x) { … }`). */
export function compileInline(src: string): Function {
  try {
    return new Function(`return (${src}\n);`)();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const holder = new Function(`return ({ ${src}\n });`)();   // method shorthand, async/generator methods
    return Object.values(holder)[0] as Function;
  }
}
