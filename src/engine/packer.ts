// The one msgpackr Packr every codec encodes blocks with, and the extensions it reads and writes: Error
// values (0x65), shared arrays by reference (0x53) and handles of dependent tasks (0x41). The readers of
// the last two make their objects on the decoding thread's memory: unpackOn names it for one decode.
// 'msgpackr/pack' is the plain-JS build (the same one browsers get); the package's Node entry also loads
// node:stream and the native msgpackr-extract addon in every worker: ~2.7 MiB of RSS per worker.
import { Packr, addExtension } from 'msgpackr/pack';
import type { SharedCore } from './memory.js';
import { messages } from '../errors.js';
import { WorkerAsyncTask } from './handles.js';
import { SharedRef, type SharedTypedArray } from './clone-rules.js';

/** What decoding needs of the thread it decodes on (a Codec, codec.ts). */
export interface DecodeTarget {
  readonly core: SharedCore;
  /** A view of `length` elements of dtype at ptr on this thread's memory. */
  view(dtype: number, ptr: number, length: number): SharedTypedArray;
}

// Records stay on (useRecords: false would turn Maps into objects); with no shared structures each message
// carries its own record definitions, so any thread's Packr decodes any other's output. useToJSON: false:
// a class instance crosses as its own properties, as structured clone sends it, not as its toJSON().
export const packr = new Packr({ structuredClone: true, moreTypes: true, useToJSON: false });

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

/** The target decoding now (unpackOn): extension 0x53 makes its views there, one per array (decodedViews). */
let decoding: DecodeTarget | undefined;
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

/** bytes decoded with the views and handles inside made on `target`'s memory (nested decodes restore the outer one). */
export function unpackOn(target: DecodeTarget, bytes: Uint8Array): unknown {
  const outer = decoding, outerViews = decodedViews;
  decoding = target;
  decodedViews = undefined;
  try {
    return packr.unpack(bytes);
  } finally {
    decoding = outer;
    decodedViews = outerViews;
  }
}
