// What may cross threads, and what is refused (`uncloneable`, before anything is encoded: codec.ts encodes
// what passes; docs/api.md "Arguments and results"), and a thrown value as a record every thread decodes
// (errorToPlain). The rule is structured clone's (postMessage), where the codec can keep it:
//   - refused with a DataCloneError, as structured clone refuses them: functions, symbols, WeakMap, WeakSet,
//     WeakRef, FinalizationRegistry, Promise;
//   - refused because the codec would change them: boxed primitives (new Number(1)), strings with a lone
//     surrogate (written as UTF-8), objects with an own '__proto__' key (msgpackr renames it), values
//     nested more than MAX_DEPTH levels deep;
//   - refused because a copy would lose the writes: a SharedArrayBuffer, and any view on one that does not
//     travel by reference (a view on a SharedArrayBuffer the executor did not allocate, a DataView or a
//     Uint8ClampedArray … on the executor's memory); and a shared array that was freed;
//   - refused because it lives on the host: an AsyncTask of executor.dependentAsync;
//   - by reference: a WorkerAsyncTask (a handle this.dependentAsync made: packer.ts), and executor.shared()
//     arrays (Int8Array … Float64Array on the executor's memory), as an argument or result of their own (a
//     word of the task record) and inside another value too (a SharedRef in the encoded block: the value
//     is copied with each such view replaced, `withRefs`);
//   - copied: plain objects, arrays, Map, Set, Date, RegExp, BigInt, ArrayBuffer, typed arrays and
//     DataView on ordinary buffers, Error (name, message, cause), and class instances, which arrive as
//     plain objects of their own enumerable properties (as structured clone does; toJSON is not used).
//   Known differences from structured clone that stay: -0 inside an encoded value arrives as 0; holes in
//   sparse arrays arrive as undefined; properties of arrays other than their elements are dropped; an
//   Error's stack and other properties are dropped (a thrown error keeps them: errorToPlain).
import { messages, describe, DataCloneError, type PlainError } from '../errors.js';
import { WorkerAsyncTask, HOST_HANDLE } from './handles.js';

/** Typed-array constructors that travel by reference, in dtype order. */
export const DTYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array] as const;
export type SharedArrayCtor = (typeof DTYPES)[number];
export type SharedTypedArray = InstanceType<SharedArrayCtor>;

/**
 * A view on the executor's shared memory inside an encoded value: written as msgpackr extension 0x53
 * [dtype, byteOffset, length] and read back as a view on the decoding thread's memory (`decoding`). Only
 * this private class is registered (packer.ts), so no other msgpackr user in the process is affected.
 */
export class SharedRef {
  constructor(readonly dtype: number, readonly ptr: number, readonly length: number) {}
}

/** Set by the last walk: the value holds views that travel by reference (SharedRef), so encode withRefs(v). */
let foundRefs = false;

/** DataCloneErrors refusing a task's return value (worker): errorToPlain marks their record `returned`. */
const refusedResults = new WeakSet<Error>();

/** Whether a buffer is the executor's shared memory (SharedCore.ownsBuffer). */
export type Owns = (b: ArrayBufferLike) => boolean;

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
  if (o instanceof WorkerAsyncTask) return undefined;   // by reference (packer.ts extension 0x41)
  if (HOST_HANDLE in o) return new Fault('hostHandle', o);
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
  if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer || v instanceof WorkerAsyncTask) return v;
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

/**
 * What to encode for v, which `uncloneable` just passed (call it right after: it reads what that walk
 * found): v itself, or its copy with the shared arrays inside it as references (withRefs).
 */
export function encodable(v: unknown, owns: Owns): unknown {
  return foundRefs ? withRefs(v, owns) : v;
}

/** A DataCloneError refusing a task's return value (worker): errorToPlain marks its record `returned`. */
export function markReturned(e: Error): void {
  refusedResults.add(e);
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