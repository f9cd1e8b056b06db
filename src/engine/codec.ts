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
// What may cross, and how: clone-rules.ts.
import { Packr, addExtension } from 'msgpackr/pack';
import type { SharedCore } from './memory.js';
import { messages, DataCloneError, type PlainError } from '../errors.js';
import { WorkerAsyncTask } from './handles.js';
import { DTYPES, SharedRef, uncloneable, encodable, errorToPlain, markReturned, isFreed, type SharedArrayCtor, type SharedTypedArray } from './clone-rules.js';

export type { PlainError };
export { DTYPES, MAX_DEPTH, markFreed, isFreed, errorToPlain, type SharedArrayCtor, type SharedTypedArray } from './clone-rules.js';

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

// A handle of a dependent task made inside a task (handles.ts) crosses by reference: msgpackr extension 0x41
// [executor, slot, serial], read back as a handle on the decoding thread's core. Whether it may still be
// used is decided where it is used (assembly/dependent.ts depHold), so a copy never outlives its task unseen.
addExtension({
  Class: WorkerAsyncTask,
  type: 0x41,
  write(h: WorkerAsyncTask): number[] { return WorkerAsyncTask.parts(h); },
  read(d: unknown): unknown {
    const [exec, slot, serial] = d as number[];
    if (decoding === undefined) throw new TypeError(messages.corruptKind(0x41, slot));
    return new WorkerAsyncTask(decoding.core, exec, slot, serial);
  },
});

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
    return this.#unpack(this.core.u8.slice(ptr, ptr + len));
  }

  /** v encoded and decoded again, as another thread's codec reads what encodeBlock wrote (no heap block). */
  roundTrip(v: unknown): unknown {
    return this.#unpack(packr.pack(v));
  }

  #unpack(bytes: Uint8Array): unknown {
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
   * v as the other side of #put reads it back (a fresh copy, a new view on the same memory, or v itself
   * when it is immutable), without a task record: the arguments and result of a child run inline
   * (src/worker/lazy.ts), so it sees and returns what a spawned one would. Refuses what #put refuses, with
   * the same error (`arg` as there).
   */
  crossed(v: unknown, arg: number): unknown {
    switch (typeof v) {
      case 'number': case 'undefined': case 'boolean': return v;
      case 'string': case 'bigint': {   // immutable: checked (a lone surrogate is refused), then v itself
        const fault = this.uncloneable(v);
        if (fault !== undefined) throw this.#refuse(arg, fault);
        return v;
      }
    }
    if (v === null) return v;
    if (ArrayBuffer.isView(v)) {
      const kind = this.#shared(v);
      if (kind === FREED) throw this.#refuse(arg, messages.cloneFault('freed', v, ''));
      if (kind >= 0) return this.view(kind - Kind.Shared, v.byteOffset, (v as SharedTypedArray).length);
    } else if (Array.isArray(v) && (v.length === 2 || v.length === 3) &&
        typeof v[0] === 'number' && typeof v[1] === 'number' && (v.length === 2 || typeof v[2] === 'number')) {
      return v.length === 2 ? [v[0], v[1]] : [v[0], v[1], v[2]];   // a Pair or Triple's words, or its encoding: the numbers
    }
    const fault = this.uncloneable(v);
    if (fault !== undefined) throw this.#refuse(arg, fault);
    return this.roundTrip(this.prepared(v));
  }

  /** An argument list as crossed() sees each argument: args itself when every one is a number. */
  crossedArgs(args: readonly unknown[]): readonly unknown[] {
    let out: unknown[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (typeof v === 'number') continue;
      const c = this.crossed(v, i);
      if (c !== v) (out ??= args.slice())[i] = c;
    }
    return out ?? args;
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
    return encodable(v, this.#owns);
  }

  /** A thrown value as a record every thread decodes (errorToPlain), shared arrays in it by reference. */
  toPlain(e: unknown): PlainError {
    return errorToPlain(e, this.#owns);
  }

  /** The refusal of argument `arg`, or of a task's return value (arg -1: marked, so the host can name the task). */
  #refuse(arg: number, fault: string): DataCloneError {
    if (arg >= 0) return this.refusal(messages.argument(arg), fault);
    const e = this.refusal(messages.returned(), fault);
    markReturned(e);
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

  /**
   * Writes task q's error result into task p as it is, its block copied byte for byte (a dependent task
   * carrying its dependency's error: worker/dependent.ts); p's own result must be empty.
   */
  copyError(p: number, q: number): void {
    const core = this.core;
    let u32 = core.u32;
    const src = u32[(q + this.#tr) >> 2], len = u32[((q + this.#tr) >> 2) + 1];
    const dst = core.alloc(len);
    core.ensure(src, len);
    core.u8.copyWithin(dst, src, src + len);
    u32 = core.u32;
    u32[(p + this.#tr) >> 2] = dst;
    u32[((p + this.#tr) >> 2) + 1] = len;
    u32[(p + this.#rinfo) >> 2] = Kind.Error;
  }

  /** Frees the heap block task p's result owns, if any, and clears it. */
  freeResult(p: number): void {
    const u32 = this.core.u32;
    const kind = u32[(p + this.#rinfo) >> 2] & 0xff;
    if (kind === Kind.Encoded || kind === Kind.Error) this.core.x.heapFree(u32[(p + this.#tr) >> 2]);
    u32[(p + this.#rinfo) >> 2] = 0;
  }
}