// How values cross threads: inline in the task record when they are numbers (or small tuples of them),
// by reference when they are views on the runtime's shared memory, and through one codec (msgpackr in
// structured-clone mode: Map, Set, Date, typed arrays, BigInt, cycles; packer.ts) into the shared heap
// otherwise. The words of a task record and their kinds: kinds.ts; argument lists too long for the
// record: arg-spill.ts. What may cross, and how: clone-rules.ts.
import type { SharedCore } from './memory.js';
import { messages, DataCloneError, type PlainError } from '../errors.js';
import { DTYPES, uncloneable, encodable, errorToPlain, markReturned, isFreed, type SharedArrayCtor, type SharedTypedArray } from './clone-rules.js';
import { packr, unpackOn } from './packer.js';
import { Kind, ARG_WORDS, FREED, SPILLED, wordsOf } from './kinds.js';
import { writeSpilled, readSpilled, freeSpilled } from './arg-spill.js';

export type { PlainError };
export { DTYPES, MAX_DEPTH, markFreed, isFreed, errorToPlain, type SharedArrayCtor, type SharedTypedArray } from './clone-rules.js';
export { Kind, ARG_WORDS, FREED } from './kinds.js';

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
    return unpackOn(this, this.core.u8.slice(ptr, ptr + len));
  }

  /** v encoded and decoded again, as another thread's codec reads what encodeBlock wrote (no heap block). */
  roundTrip(v: unknown): unknown {
    return unpackOn(this, packr.pack(v));
  }

  // ---- one value into word(s) at byte address `at` ----

  /**
   * Writes v at address `at` and returns its kind. `room`: words free there (a tuple needs 2 or 3).
   * `arg`: which argument v is (-1: a task's return value), for the error when v cannot be sent.
   * @internal Also for arg-spill.ts.
   */
  put(v: unknown, at: number, room: number, arg: number): number {
    // Tests V8 compiles inline (`typeof v === '…'` is its TestTypeOf, a map check), not a switch on
    // typeof, which its optimized code computes by a call to the Typeof builtin, for every argument and
    // result.
    if (typeof v === 'number') { this.core.f64[at >> 3] = v; return Kind.Number; }
    if (v === undefined) return Kind.Undefined;
    if (typeof v === 'boolean') return v ? Kind.True : Kind.False;
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
   * v as the other side of put reads it back (a fresh copy, a new view on the same memory, or v itself
   * when it is immutable), without a task record: the arguments and result of a child run inline
   * (src/worker/lazy.ts), so it sees and returns what a spawned one would. Refuses what put refuses, with
   * the same error (`arg` as there).
   */
  crossed(v: unknown, arg: number): unknown {
    // Tests V8 compiles inline, as in put(), a number first.
    if (typeof v === 'number' || v === undefined || typeof v === 'boolean' || v === null) return v;
    if (typeof v === 'string' || typeof v === 'bigint') {   // immutable: checked (a lone surrogate is refused), then v itself
      const fault = this.uncloneable(v);
      if (fault !== undefined) throw this.#refuse(arg, fault);
      return v;
    }
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
    // Tests V8 compiles inline, as in put().
    if (typeof v === 'number') { this.core.f64[at >> 3] = v; return Kind.Number; }
    if (v === undefined) return Kind.Undefined;
    if (typeof v === 'boolean') return v ? Kind.True : Kind.False;
    if (v === null) return Kind.Null;
    if (typeof v === 'object' && ArrayBuffer.isView(v)) {
      const kind = this.#shared(v);
      if (kind === FREED) return FREED;
      if (kind >= 0) {
        this.core.u32[at >> 2] = v.byteOffset;
        this.core.u32[(at >> 2) + 1] = (v as SharedTypedArray).length;
        return kind;
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

  // ---- arguments ----

  /**
   * Writes args into task record p (host, before submission). Up to six words fit in the record; a
   * longer list spills into a heap block with the same per-argument encoding (arg-spill.ts).
   */
  writeArgs(p: number, args: readonly unknown[]): void {
    const u32 = this.core.u32;
    if (args.length <= ARG_WORDS) {
      let info = 0, word = 0, i = 0;
      try {
        for (; i < args.length && word < ARG_WORDS; i++) {
          const kind = this.put(args[i], p + this.#ta + 8 * word, ARG_WORDS - word, i);
          info |= kind << (4 + 4 * i);
          word += wordsOf(kind);
        }
      } catch (e) {
        this.freeArgs(p, info | i);   // argument i could not be encoded: release the i before it
        throw e;
      }
      if (i === args.length) { u32[(p + this.#tinfo) >> 2] = info | args.length; return; }
      this.freeArgs(p, info | i);  // ran out of words part-way: release the i encoded so far, then spill
    }
    const block = writeSpilled(this, args);
    this.core.u32[(p + this.#ta) >> 2] = block;
    this.core.u32[(p + this.#tinfo) >> 2] = SPILLED;
  }

  /** Reads the arguments of task record p into `out` (worker). */
  readArgs(p: number, out: unknown[]): void {
    const info = this.core.u32[(p + this.#tinfo) >> 2];
    const argc = info & 15;
    if (argc === SPILLED) { readSpilled(this, this.core.u32[(p + this.#ta) >> 2], out); return; }
    let word = 0;
    for (let i = 0; i < argc; i++) {
      const kind = (info >>> (4 + 4 * i)) & 15;
      out.push(this.#get(kind, p + this.#ta + 8 * word));
      word += wordsOf(kind);
    }
  }

  /** Frees the heap blocks the arguments of p own (host, when an async task is done). */
  freeArgs(p: number, info = this.core.u32[(p + this.#tinfo) >> 2]): void {
    const u32 = this.core.u32;
    const argc = info & 15;
    if (argc === SPILLED) {
      freeSpilled(this, u32[(p + this.#ta) >> 2]);
    } else {
      let word = 0;
      for (let i = 0; i < argc; i++) {
        const kind = (info >>> (4 + 4 * i)) & 15;
        if (kind === Kind.Encoded) this.core.x.heapFree(u32[(p + this.#ta + 8 * word) >> 2]);
        word += wordsOf(kind);
      }
    }
    u32[(p + this.#tinfo) >> 2] = 0;
  }

  // ---- results ----

  /** Writes a task's return value (worker). Frees the block of a previous run's result first. */
  writeResult(p: number, v: unknown): void {
    this.freeResult(p);
    this.core.u32[(p + this.#rinfo) >> 2] = this.put(v, p + this.#tr, 2, -1);
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