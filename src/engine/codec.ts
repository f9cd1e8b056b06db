// How values cross threads: inline in the task record when they are numbers (or small tuples of them),
// by reference when they are views on the runtime's shared memory, and through one codec (msgpackr in
// structured-clone mode: Map, Set, Date, typed arrays, BigInt, cycles) into the shared heap otherwise.
//
// A task record has six 8-byte argument words and two result words (assembly/layout.ts, Task).
//   argInfo = argc (bits 0–3) | kind of argument i (4 bits at 4 + 4i), i < 6
//             argc == SPILLED: the arguments did not fit; word 0 points at a heap block (writeArgs)
//   resInfo = result kind (bits 0–7)
// A word holds a float64, or (ptr u32, len u32) for encoded blocks and shared arrays.
// 'msgpackr/pack' is the plain-JS build (the same one browsers get); the package's Node entry also loads
// node:stream and the native msgpackr-extract addon in every worker: ~2.7 MiB of RSS per worker.
//
// What may cross, and what is refused (`uncloneable`, before anything is encoded; docs/api.md "Arguments
// and results"). The rule is structured clone's (postMessage), where the codec can keep it:
//   - refused with a DataCloneError, as structured clone refuses them: functions, symbols, WeakMap, WeakSet,
//     WeakRef, FinalizationRegistry, Promise;
//   - refused because the codec would change them: boxed primitives (new Number(1)), strings with a lone
//     surrogate (written as UTF-8), objects with an own '__proto__' key (msgpackr renames it), values
//     nested more than MAX_DEPTH levels deep;
//   - refused because a copy would lose the writes: a SharedArrayBuffer, and any view on one that does not
//     travel by reference (a view on a SharedArrayBuffer the executor did not allocate, a DataView or a
//     Uint8ClampedArray … on the executor's memory); and a shared array that was freed;
//   - by reference: executor.shared() arrays (Int8Array … Float64Array on the executor's memory), as an
//     argument or result of their own (a word of the task record) and inside another value too (a
//     SharedRef in the encoded block: the value is copied with each such view replaced, `withRefs`);
//   - copied: plain objects, arrays, Map, Set, Date, RegExp, BigInt, ArrayBuffer, typed arrays and
//     DataView on ordinary buffers, Error (name, message, cause), and class instances, which arrive as
//     plain objects of their own enumerable properties (as structured clone does; toJSON is not used).
//   Known differences from structured clone that stay: -0 inside an encoded value arrives as 0; holes in
//   sparse arrays arrive as undefined; properties of arrays other than their elements are dropped; an
//   Error's stack and other properties are dropped (a thrown error keeps them: errorToPlain).
import { Packr, addExtension } from 'msgpackr/pack';
import type { SharedCore } from './memory.js';
import { messages, describe, DataCloneError, type PlainError } from '../errors.js';

export type { PlainError };

export const enum Kind {
  Undefined = 0, Number = 1, False = 2, True = 3, Null = 4,
  Encoded = 5,       // (ptr, len) of a codec block
  Pair = 6,          // two numbers in two words
  Triple = 7,        // three numbers in three words
  Shared = 8,        // 8..15: a view on shared memory, dtype = kind - 8 (DTYPES), (ptr, length) in one word
  Error = 16,        // result only: an encoded error
  Skipped = 32,      // result only: the task did not run because its run failed (assembly RESULT_SKIPPED)
  NotReached = 64,   // result only: no condition led to the task this run (host-written at the start of a
                     // run of a taskflow with condition tasks; running the task overwrites it)
}

export const ARG_WORDS = 6;
/** putWord's answer for a shared array that was freed (not a kind: nothing is written). */
export const FREED = -2;
const SPILLED = 15;   // argc field value: the arguments live in a heap block (word 0 points at it)

/** Bytes before the words of a spilled argument block: argc, one kind byte per argument, padding to 8. */
function spillWords(n: number): number {
  return (4 + n + 7) & ~7;
}

/** Typed-array constructors that travel by reference, in dtype order. */
export const DTYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array] as const;
export type SharedArrayCtor = (typeof DTYPES)[number];
export type SharedTypedArray = InstanceType<SharedArrayCtor>;

// Records stay on (useRecords: false would turn Maps into objects); with no shared structures each message
// carries its own record definitions, so any thread's Packr decodes any other's output. useToJSON: false:
// a class instance crosses as its own properties, as structured clone sends it, not as its toJSON().
const packr = new Packr({ structuredClone: true, moreTypes: true, useToJSON: false });

// msgpackr writes an Error value as [name, message, cause] and reads it back by looking the name up in a
// plain object of constructors: a name like 'toString' calls Object.prototype.toString and returns a
// string, '__proto__' throws, and AggregateError is called with the message as its list of errors. This
// reader (msgpackr's extension 0x65, registered for the whole process: it changes nothing msgpackr read
// right) looks names up among own keys only and keeps any name.
const ERROR_CLASSES: Record<string, ErrorConstructor> = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
addExtension({
  type: 0x65,
  read(data: unknown): Error {
    const [name, message, cause] = Array.isArray(data) ? data as unknown[] : [];
    const text = typeof message === 'string' ? message : '';
    const options = cause === undefined ? undefined : { cause };
    const e = typeof name === 'string' && Object.hasOwn(ERROR_CLASSES, name) ? new ERROR_CLASSES[name](text, options)
      : name === 'AggregateError' ? new AggregateError([], text, options) : new Error(text, options);
    if (e.name !== name) Object.defineProperty(e, 'name', { value: name, writable: true, enumerable: false, configurable: true });
    return e;
  },
});

/**
 * A view on the executor's shared memory inside an encoded value: written as msgpackr extension 0x53
 * [dtype, byteOffset, length] and read back as a view on the decoding thread's memory (`decoding`). Only
 * this private class is registered, so no other msgpackr user in the process is affected.
 */
class SharedRef {
  constructor(readonly dtype: number, readonly ptr: number, readonly length: number) {}
}
/** The codec decoding now (decodeBlock): extension 0x53 makes its views there, one per array (decodedViews). */
let decoding: Codec | undefined;
let decodedViews: Map<string, SharedTypedArray> | undefined;
addExtension({
  Class: SharedRef,
  type: 0x53,
  write(r: SharedRef): number[] { return [r.dtype, r.ptr, r.length]; },
  read(d: unknown): unknown {
    const [dtype, ptr, length] = d as number[];
    if (decoding === undefined) throw new TypeError(messages.corruptKind(0x53, ptr));
    const key = `${dtype}:${ptr}:${length}`;   // one array twice in a value is one view twice, as structured clone keeps it
    let v = decodedViews?.get(key);
    if (v === undefined) (decodedViews ??= new Map()).set(key, v = decoding.view(dtype, ptr, length));
    return v;
  },
});
/** Set by the last walk: the value holds views that travel by reference (SharedRef), so encode withRefs(v). */
let foundRefs = false;

/** DataCloneErrors refusing a task's return value (worker): errorToPlain marks their record `returned`. */
const refusedResults = new WeakSet<Error>();

/** Whether a buffer is the executor's shared memory (SharedCore.ownsBuffer). */
type Owns = (b: ArrayBufferLike) => boolean;

/** Deepest nesting a value may have: the walk below and msgpackr both recurse. */
export const MAX_DEPTH = 1000;

/**
 * Arrays a host freed with executor.free() (any executor's) are refused wherever an array is taken. The
 * mark is a non-enumerable symbol property on the view: for a live array the check is a missed property
 * lookup (a WeakSet lookup cost every shared argument ~15 ns); a view that cannot take a property
 * (Object.preventExtensions) goes in a WeakSet instead.
 */
const FREED_MARK = Symbol('beatflow.freed');
const freedUnmarkable = new WeakSet<object>();
let anyUnmarkable = false;

/** executor.free(v): v is refused from now on (host). */
export function markFreed(v: object): void {
  try {
    Object.defineProperty(v, FREED_MARK, { value: true });
  } catch {
    freedUnmarkable.add(v);
    anyUnmarkable = true;
  }
}

/** Whether v is an array freed by executor.free(). */
export function isFreed(v: unknown): boolean {
  return typeof v === 'object' && v !== null && ((v as { [FREED_MARK]?: boolean })[FREED_MARK] === true || (anyUnmarkable && freedUnmarkable.has(v)));
}

/** What in a value cannot cross (messages.cloneFault's kind), the thing itself, and where: path segments, innermost first. */
class Fault {
  readonly path: string[] = [];
  constructor(readonly kind: string, readonly value: unknown) {}
  /** Prepends a segment (the walk unwinds from the culprit outwards). */
  in(segment: string): Fault { this.path.push(segment); return this; }
  text(): string {
    const p = this.path.slice().reverse();
    return messages.cloneFault(this.kind, this.value, p.length <= 12 ? p.join('') : `${p.slice(0, 6).join('')}…${p.slice(-4).join('')}`);
  }
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const key = (k: string): string => (IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
const wellFormed = typeof ''.isWellFormed === 'function' ? (s: string): boolean => s.isWellFormed() : (): boolean => true;

/**
 * Why v cannot cross threads as it is, or undefined if it can: the first thing the walk meets that the
 * codec refuses (see the top of this file), with its path. `owns(buffer)`: the buffer is the executor's
 * shared memory (only for the message). Stops at the first fault; visits each object once (cycles).
 */
export function uncloneable(v: unknown, owns?: Owns): string | undefined {
  foundRefs = false;
  switch (typeof v) {
    case 'number': case 'boolean': case 'undefined': case 'bigint': return undefined;
  }
  budget = OPTIMISTIC_NODES;
  let f = walk(v, null, 0, owns);
  if (f === RESTART) {
    foundRefs = false;
    f = walk(v, new Set(), 0, owns);
  }
  return f === undefined ? undefined : f.text();
}

/**
 * The walk first runs without remembering what it visited (a tree, the common value, needs no set), within
 * a budget of objects and a depth; a value past either (a cycle, much shared substructure, deep nesting)
 * makes it start again with a set of the objects seen.
 */
const OPTIMISTIC_NODES = 10_000;
const OPTIMISTIC_DEPTH = 64;
let budget = 0;
/** The optimistic walk ran out: walk again with a set (never reported). */
const RESTART = new (class extends Fault { override in(): Fault { return this; } })('restart', undefined);

function walk(v: unknown, seen: Set<object> | null, depth: number, owns: Owns | undefined): Fault | undefined {
  switch (typeof v) {
    case 'number': case 'boolean': case 'undefined': case 'bigint': return undefined;
    case 'string': return wellFormed(v) ? undefined : new Fault('surrogate', v);
    case 'symbol': return new Fault('symbol', v);
    case 'function': return new Fault('function', v);
  }
  if (v === null) return undefined;
  const o = v as object;
  if (seen === null) {
    if (--budget < 0 || depth >= OPTIMISTIC_DEPTH) return RESTART;
  } else {
    if (seen.has(o)) return undefined;
    if (depth >= MAX_DEPTH) return new Fault('depth', MAX_DEPTH);
    seen.add(o);
  }
  const d = depth + 1;
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) return walkProps(o, seen, d, owns);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      if (typeof x === 'number') continue;
      const f = walk(x, seen, d, owns);
      if (f !== undefined) return f.in(`[${i}]`);
    }
    return undefined;
  }
  if (ArrayBuffer.isView(o)) {
    if (!(o.buffer instanceof SharedArrayBuffer)) return undefined;
    if (isFreed(o)) return new Fault('freed', o);
    if (!owns?.(o.buffer)) return new Fault('foreignShared', o);
    if (o instanceof DataView || !DTYPES.includes(o.constructor as SharedArrayCtor)) return new Fault('sharedView', o);
    foundRefs = true;   // an executor.shared() array inside the value: by reference (withRefs)
    return undefined;
  }
  if (o instanceof Map) {
    let i = 0;
    for (const [k, x] of o) {
      let f = walk(k, seen, d, owns);
      if (f !== undefined) return f.in(`<Map key ${i}>`);
      f = walk(x, seen, d, owns);
      if (f !== undefined) return f.in(`<Map value ${i}>`);
      i++;
    }
    return undefined;
  }
  if (o instanceof Set) {
    let i = 0;
    for (const x of o) {
      const f = walk(x, seen, d, owns);
      if (f !== undefined) return f.in(`<Set item ${i}>`);
      i++;
    }
    return undefined;
  }
  if (o instanceof Date || o instanceof RegExp || o instanceof ArrayBuffer) return undefined;
  if (o instanceof Error) {   // msgpackr writes [name, message, cause]
    const e = o as Error & { cause?: unknown };
    return walk(e.name, seen, d, owns)?.in('.name') ?? walk(e.message, seen, d, owns)?.in('.message') ??
      walk(e.cause, seen, d, owns)?.in('.cause');
  }
  if (o instanceof Promise) return new Fault('promise', o);
  if (o instanceof WeakMap || o instanceof WeakSet || o instanceof WeakRef || o instanceof FinalizationRegistry) return new Fault('weak', o);
  if (o instanceof SharedArrayBuffer) return new Fault('foreignShared', o);
  if (o instanceof Number || o instanceof String || o instanceof Boolean || o instanceof BigInt || o instanceof Symbol) {
    return new Fault('boxed', o);
  }
  return walkProps(o, seen, d, owns, true);   // a class instance: its own enumerable properties, as structured clone sends it
}

/** The enumerable properties of o (`ownOnly`: its own, for a class instance whose prototype may have enumerable methods). */
function walkProps(o: object, seen: Set<object> | null, d: number, owns: Owns | undefined, ownOnly = false): Fault | undefined {
  for (const k in o) {
    if (ownOnly && !Object.hasOwn(o, k)) continue;
    if (k === '__proto__') return new Fault('protoKey', o);
    if (!wellFormed(k)) return new Fault('surrogate', k).in(`[${JSON.stringify(k)}]`);
    const x: unknown = (o as Record<string, unknown>)[k];
    if (typeof x === 'number') continue;
    const f = walk(x, seen, d, owns);
    if (f !== undefined) return f.in(key(k));
  }
  return undefined;
}

/**
 * v as the codec sends it when the walk found shared arrays inside it: a copy of every container (plain
 * objects, arrays, Map, Set, Error, and class instances as plain objects, as msgpackr writes them) with
 * each view on the executor's memory replaced by a SharedRef. Cycles and shared substructure are kept.
 */
function withRefs(v: unknown, owns: Owns, copies = new Map<object, unknown>()): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const done = copies.get(v);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(v)) {
    if (!(v.buffer instanceof SharedArrayBuffer && owns(v.buffer))) return v;
    // A fresh ref each time (msgpackr's back-references cannot point at an extension's value); the reader
    // makes one view per array again.
    return new SharedRef(DTYPES.indexOf(v.constructor as SharedArrayCtor), v.byteOffset, (v as SharedTypedArray).length);
  }
  if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer) return v;
  const rec = (x: unknown): unknown => withRefs(x, owns, copies);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    copies.set(v, out);
    for (let i = 0; i < v.length; i++) out.push(rec(v[i]));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    copies.set(v, out);
    for (const [k, x] of v) out.set(rec(k), rec(x));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    copies.set(v, out);
    for (const x of v) out.add(rec(x));
    return out;
  }
  if (v instanceof Error) {
    const out = new Error(v.message);
    copies.set(v, out);
    Object.defineProperty(out, 'name', { value: rec(v.name), writable: true, enumerable: false, configurable: true });
    const cause = (v as { cause?: unknown }).cause;
    if (cause !== undefined) Object.defineProperty(out, 'cause', { value: rec(cause), writable: true, enumerable: false, configurable: true });
    return out;
  }
  const out: Record<string, unknown> = {};
  copies.set(v, out);
  for (const k of Object.keys(v)) out[k] = rec((v as Record<string, unknown>)[k]);
  return out;
}

/** Encoder/decoder bound to one thread's SharedCore. */
export class Codec {
  readonly core: SharedCore;
  readonly #ta: number;
  readonly #tr: number;
  readonly #tinfo: number;
  readonly #rinfo: number;

  constructor(core: SharedCore) {
    const L = core.L;
    if (L.flag_ResultEncoded !== Kind.Encoded || L.flag_ResultError !== Kind.Error || L.flag_ResultSkipped !== Kind.Skipped) {
      throw new Error(messages.coreMismatch('result kinds'));
    }
    this.core = core;
    this.#ta = core.L.T_a0;
    this.#tr = core.L.T_r0;
    this.#tinfo = core.L.T_argInfo;
    this.#rinfo = core.L.T_resInfo;
  }

  /** True for a typed array that lives in the runtime's shared memory. */
  isShared(v: ArrayBufferView): boolean {
    return this.core.ownsBuffer(v.buffer);
  }

  /** A view of `length` elements of dtype at ptr (the worker side of pass-by-reference). */
  view(dtype: number, ptr: number, length: number): SharedTypedArray {
    const C = DTYPES[dtype];
    this.core.ensure(ptr, length * C.BYTES_PER_ELEMENT);
    return new C(this.core.u8.buffer as ArrayBuffer, ptr, length);
  }

  // ---- encoded blocks ----

  /** Encodes v into a fresh heap block; returns [ptr, len]. */
  encodeBlock(v: unknown): [number, number] {
    const bytes = packr.pack(v);
    const ptr = this.core.alloc(bytes.length);
    this.core.u8.set(bytes, ptr);
    return [ptr, bytes.length];
  }

  decodeBlock(ptr: number, len: number): unknown {
    this.core.ensure(ptr, len);
    // Copy out first: TextDecoder (used by the codec for strings) rejects views on shared memory in browsers.
    const bytes = this.core.u8.slice(ptr, ptr + len);
    const outer = decoding, outerViews = decodedViews;
    decoding = this;   // views inside the value (SharedRef) are made on this thread's memory
    decodedViews = undefined;
    try {
      return packr.unpack(bytes);
    } finally {
      decoding = outer;
      decodedViews = outerViews;
    }
  }

  // ---- one value into word(s) at byte address `at` ----

  /**
   * Writes v at address `at` and returns its kind. `room`: words free there (a tuple needs 2 or 3).
   * `arg`: which argument v is (-1: a task's return value), for the error when v cannot be sent.
   */
  #put(v: unknown, at: number, room: number, arg: number): number {
    switch (typeof v) {
      case 'number': this.core.f64[at >> 3] = v; return Kind.Number;
      case 'undefined': return Kind.Undefined;
      case 'boolean': return v ? Kind.True : Kind.False;
    }
    if (v === null) return Kind.Null;
    if (ArrayBuffer.isView(v)) {
      const kind = this.#shared(v);
      if (kind === FREED) throw this.#refuse(arg, messages.cloneFault('freed', v, ''));
      if (kind >= 0) {
        const u32 = this.core.u32;
        u32[at >> 2] = v.byteOffset;
        u32[(at >> 2) + 1] = (v as SharedTypedArray).length;
        return kind;
      }
    } else if (Array.isArray(v) && (v.length === 2 || v.length === 3) && room >= v.length &&
        typeof v[0] === 'number' && typeof v[1] === 'number' && (v.length === 2 || typeof v[2] === 'number')) {
      const f64 = this.core.f64;
      for (let i = 0; i < v.length; i++) f64[(at >> 3) + i] = v[i];
      return v.length === 2 ? Kind.Pair : Kind.Triple;
    }
    const fault = this.uncloneable(v);
    if (fault !== undefined) throw this.#refuse(arg, fault);
    const [ptr, len] = this.encodeBlock(this.prepared(v));
    const u32 = this.core.u32;
    u32[at >> 2] = ptr;
    u32[(at >> 2) + 1] = len;
    return Kind.Encoded;
  }

  /**
   * The kind of a view that travels by reference (Kind.Shared + dtype), -1 for a view the codec copies (or
   * refuses), FREED for a freed shared array, which would alias whatever the heap gives that memory next.
   */
  #shared(v: ArrayBufferView): number {
    if (!this.isShared(v) || v instanceof DataView) return -1;
    const dtype = DTYPES.indexOf(v.constructor as SharedArrayCtor);
    if (dtype < 0) return -1;
    return isFreed(v) ? FREED : Kind.Shared + dtype;
  }

  /** Why v cannot cross as it is (messages.cloneFault), or undefined: see `uncloneable`. */
  uncloneable(v: unknown): string | undefined {
    return uncloneable(v, this.#owns);
  }

  readonly #owns = (b: ArrayBufferLike): boolean => this.core.ownsBuffer(b);

  /**
   * What to encode for v, which `uncloneable` just passed (call it right after: it reads what that walk
   * found): v itself, or its copy with the shared arrays inside it as references (withRefs).
   */
  prepared(v: unknown): unknown {
    return foundRefs ? withRefs(v, this.#owns) : v;
  }

  /** A thrown value as a record every thread decodes (errorToPlain), shared arrays in it by reference. */
  toPlain(e: unknown): PlainError {
    return errorToPlain(e, this.#owns);
  }

  /** The refusal of argument `arg`, or of a task's return value (arg -1: marked, so the host can name the task). */
  #refuse(arg: number, fault: string): DataCloneError {
    if (arg >= 0) return this.refusal(messages.argument(arg), fault);
    const e = this.refusal(messages.returned(), fault);
    refusedResults.add(e);
    return e;
  }

  /** The DataCloneError for `what` (messages.argument, item, returned …) and fault. */
  refusal(what: string, fault: string): DataCloneError {
    return new DataCloneError(messages.notCloneable(what, fault), fault);
  }

  /**
   * Why argument list args cannot be written, as writeArgs would find it: the first argument at fault
   * (its index) and what in it; undefined if none. For naming the task in the error (error path only).
   */
  argFault(args: readonly unknown[]): { index: number; fault: string } | undefined {
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (ArrayBuffer.isView(v) && this.isShared(v) && isFreed(v)) return { index: i, fault: messages.cloneFault('freed', v, '') };
      if (ArrayBuffer.isView(v) && this.isShared(v) && !(v instanceof DataView) && DTYPES.includes(v.constructor as SharedArrayCtor)) continue;
      const fault = this.uncloneable(v);
      if (fault !== undefined) return { index: i, fault };
    }
    return undefined;
  }

  /**
   * Writes v in the one 8-byte word at `at` when it travels without the codec (a number, a boolean,
   * null, undefined, a view on shared memory) and returns its kind; -1 for anything else, which the
   * caller checks (uncloneable) and encodes itself (executor.map packs such values per block); FREED for
   * a shared array that was freed, which the caller refuses.
   */
  putWord(v: unknown, at: number): number {
    switch (typeof v) {
      case 'number': this.core.f64[at >> 3] = v; return Kind.Number;
      case 'undefined': return Kind.Undefined;
      case 'boolean': return v ? Kind.True : Kind.False;
      case 'object':
        if (v === null) return Kind.Null;
        if (ArrayBuffer.isView(v)) {
          const kind = this.#shared(v);
          if (kind === FREED) return FREED;
          if (kind >= 0) {
            this.core.u32[at >> 2] = v.byteOffset;
            this.core.u32[(at >> 2) + 1] = (v as SharedTypedArray).length;
            return kind;
          }
        }
    }
    return -1;
  }

  /** The value putWord wrote at `at` with `kind`. */
  getWord(kind: number, at: number): unknown {
    return kind === Kind.Number ? this.core.f64[at >> 3] : this.#get(kind, at);
  }

  #get(kind: number, at: number): unknown {
    switch (kind) {
      case Kind.Number: return this.core.f64[at >> 3];
      case Kind.Undefined: return undefined;
      case Kind.True: return true;
      case Kind.False: return false;
      case Kind.Null: return null;
      case Kind.Pair: { const f = this.core.f64, i = at >> 3; return [f[i], f[i + 1]]; }
      case Kind.Triple: { const f = this.core.f64, i = at >> 3; return [f[i], f[i + 1], f[i + 2]]; }
      case Kind.Encoded: case Kind.Error: {
        const u32 = this.core.u32;
        return this.decodeBlock(u32[at >> 2], u32[(at >> 2) + 1]);
      }
    }
    if (kind >= Kind.Shared && kind < Kind.Shared + 8) {
      const u32 = this.core.u32;
      return this.view(kind - Kind.Shared, u32[at >> 2], u32[(at >> 2) + 1]);
    }
    throw new TypeError(messages.corruptKind(kind, at));
  }

  static #words(kind: number): number {
    return kind === Kind.Pair ? 2 : kind === Kind.Triple ? 3 : 1;
  }

  // ---- arguments ----

  /**
   * Writes args into task record p (host, before submission). Up to six words fit in the record; a
   * longer list spills into a heap block with the same per-argument encoding (so shared arrays still
   * travel by reference): [argc u32][kind u8 × argc][pad to 8][words].
   */
  writeArgs(p: number, args: readonly unknown[]): void {
    const u32 = this.core.u32;
    if (args.length <= ARG_WORDS) {
      let info = 0, word = 0, i = 0;
      try {
        for (; i < args.length && word < ARG_WORDS; i++) {
          const kind = this.#put(args[i], p + this.#ta + 8 * word, ARG_WORDS - word, i);
          info |= kind << (4 + 4 * i);
          word += Codec.#words(kind);
        }
      } catch (e) {
        this.freeArgs(p, info | i);   // argument i could not be encoded: release the i before it
        throw e;
      }
      if (i === args.length) { u32[(p + this.#tinfo) >> 2] = info | args.length; return; }
      this.freeArgs(p, info | i);  // ran out of words part-way: release the i encoded so far, then spill
    }
    const n = args.length;
    const words = spillWords(n);
    const block = this.core.alloc(words + 8 * 3 * n);
    this.core.u32[block >> 2] = n;
    let word = 0;
    const owned: number[] = [];   // blocks of the arguments encoded so far, freed if a later one fails
    try {
      for (let i = 0; i < n; i++) {
        const at = block + words + 8 * word;
        const kind = this.#put(args[i], at, 3, i);
        if (kind === Kind.Encoded) owned.push(this.core.u32[at >> 2]);
        this.core.u8[block + 4 + i] = kind;
        word += Codec.#words(kind);
      }
    } catch (e) {
      for (const b of owned) this.core.x.heapFree(b);
      this.core.x.heapFree(block);
      throw e;
    }
    const at = (p + this.#ta) >> 2;
    this.core.u32[at] = block;
    this.core.u32[(p + this.#tinfo) >> 2] = SPILLED;
  }

  /** Reads the arguments of task record p into `out` (worker). */
  readArgs(p: number, out: unknown[]): void {
    const info = this.core.u32[(p + this.#tinfo) >> 2];
    const argc = info & 15;
    if (argc === SPILLED) {
      const block = this.core.u32[(p + this.#ta) >> 2];
      this.core.ensure(block, 8);
      const n = this.core.u32[block >> 2];
      const words = spillWords(n);
      this.core.ensure(block, words + 24 * n);
      let word = 0;
      for (let i = 0; i < n; i++) {
        const kind = this.core.u8[block + 4 + i];
        out.push(this.#get(kind, block + words + 8 * word));
        word += Codec.#words(kind);
      }
      return;
    }
    let word = 0;
    for (let i = 0; i < argc; i++) {
      const kind = (info >>> (4 + 4 * i)) & 15;
      out.push(this.#get(kind, p + this.#ta + 8 * word));
      word += Codec.#words(kind);
    }
  }

  /** Frees the heap blocks the arguments of p own (host, when an async task is done). */
  freeArgs(p: number, info = this.core.u32[(p + this.#tinfo) >> 2]): void {
    const u32 = this.core.u32;
    const argc = info & 15;
    if (argc === SPILLED) {
      this.#freeSpilled(u32[(p + this.#ta) >> 2]);
    } else {
      let word = 0;
      for (let i = 0; i < argc; i++) {
        const kind = (info >>> (4 + 4 * i)) & 15;
        if (kind === Kind.Encoded) this.core.x.heapFree(u32[(p + this.#ta + 8 * word) >> 2]);
        word += Codec.#words(kind);
      }
    }
    u32[(p + this.#tinfo) >> 2] = 0;
  }

  /** Frees a spilled argument block and the blocks of the arguments written into it. */
  #freeSpilled(block: number): void {
    const u32 = this.core.u32;
    const n = u32[block >> 2];
    const words = spillWords(n);
    let word = 0;
    for (let i = 0; i < n; i++) {
      const kind = this.core.u8[block + 4 + i];
      if (kind === Kind.Encoded) this.core.x.heapFree(u32[(block + words + 8 * word) >> 2]);
      word += Codec.#words(kind);
    }
    this.core.x.heapFree(block);
  }

  // ---- results ----

  /** Writes a task's return value (worker). Frees the block of a previous run's result first. */
  writeResult(p: number, v: unknown): void {
    this.freeResult(p);
    this.core.u32[(p + this.#rinfo) >> 2] = this.#put(v, p + this.#tr, 2, -1);
  }

  /** Writes a thrown value as an encoded error result (worker, or host for a crashed worker). */
  writeError(p: number, e: unknown): void {
    this.freeResult(p);
    const [ptr, len] = this.encodeBlock(this.toPlain(e));
    const u32 = this.core.u32;
    u32[(p + this.#tr) >> 2] = ptr;
    u32[((p + this.#tr) >> 2) + 1] = len;
    u32[(p + this.#rinfo) >> 2] = Kind.Error;
  }

  resultKind(p: number): number { return this.core.u32[(p + this.#rinfo) >> 2] & 0xff; }

  /** Reads task p's result. For an error result, returns the plain error record (see errors.ts). */
  readResult(p: number): unknown {
    const kind = this.resultKind(p);
    if (kind === Kind.Skipped || kind === Kind.NotReached) return undefined;
    return this.#get(kind, p + this.#tr);
  }

  /** Frees task p's result and marks it as from a task no condition led to (yet) this run. */
  clearNotReached(p: number): void {
    this.freeResult(p);
    this.core.u32[(p + this.#rinfo) >> 2] = Kind.NotReached;
  }

  /** Frees the heap block task p's result owns, if any, and clears it. */
  freeResult(p: number): void {
    const u32 = this.core.u32;
    const kind = u32[(p + this.#rinfo) >> 2] & 0xff;
    if (kind === Kind.Encoded || kind === Kind.Error) this.core.x.heapFree(u32[(p + this.#tr) >> 2]);
    u32[(p + this.#rinfo) >> 2] = 0;
  }
}

/**
 * v as it can cross threads (its shared arrays by reference, given `owns`), or undefined when it cannot (also when
 * looking at it throws: a getter, a revoked Proxy).
 */
function cloneable(v: unknown, owns: Owns | undefined): unknown {
  try {
    if (uncloneable(v, owns) !== undefined) return undefined;
    return foundRefs && owns !== undefined ? withRefs(v, owns) : v;
  } catch {
    return undefined;
  }
}

/** Reads o[k], undefined if the read throws (a getter, a Proxy). */
function read(o: object, k: string): unknown {
  try { return (o as Record<string, unknown>)[k]; } catch { return undefined; }
}

/**
 * A thrown value as a record every thread can decode: an Error's name, message, stack, code, cause and its
 * own enumerable properties that can cross (any other is left out); a non-Error value itself when it can
 * cross, else its description. Never throws, whatever was thrown (getters that throw, a Proxy, a revoked
 * one, an object with no prototype).
 */
export function errorToPlain(e: unknown, owns?: Owns): PlainError {
  let isError = false;
  try { isError = e instanceof Error; } catch { /* a revoked Proxy */ }
  if (isError) {
    const err = e as Error;
    const name = read(err, 'name'), message = read(err, 'message'), stack = read(err, 'stack');
    const props: [string, unknown][] = [];
    try {
      for (const k of Object.keys(err)) {
        const v = cloneable(read(err, k), owns);
        if (v !== undefined) props.push([k, v]);
      }
    } catch { /* a Proxy whose ownKeys throws */ }
    const texts = [typeof name === 'string' ? name : 'Error', typeof message === 'string' ? message : safeText(message),
      typeof stack === 'string' ? stack : undefined] as const;
    const plain: PlainError = { __error: true, name: texts[0], message: texts[1], stack: texts[2], props };
    // The codec writes strings as UTF-8, which has no lone surrogates: such a text also travels as its UTF-16 code units.
    if (!texts.every((t) => t === undefined || wellFormed(t))) plain.utf16 = texts.map((t) => (t === undefined ? undefined : utf16(t)));
    const code = cloneable(read(err, 'code'), owns);
    if (code !== undefined) plain.code = code;
    const cause = cloneable(read(err, 'cause'), owns);
    if (cause !== undefined) plain.cause = cause;
    if (refusedResults.has(err)) plain.returned = true;
    return plain;
  }
  return { __error: true, name: 'Error', message: messages.nonError(safeText(e)), thrown: cloneable(e, owns) };
}

/** The UTF-16 code units of s. */
function utf16(s: string): Uint16Array {
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** String(v), or describe(v) where String throws (a Symbol is fine; an object with no prototype is not). */
function safeText(v: unknown): string {
  try { return String(v); } catch { return describe(v); }
}
