// Adopting a typed array the runtime did not allocate (a view on the user's own SharedArrayBuffer, or an
// ordinary ArrayBuffer). Such a buffer cannot become part of the Wasm memory: a WebAssembly.Memory owns
// its SharedArrayBuffer, and no API maps another one into it. So adopting means *copy in, copy out*: the
// runtime allocates a shared array of the same type and length (executor.shared), copies the data in
// once, the algorithms and tasks work on that array with no further copy, and commit() copies the result
// back into the user's view (release() commits, then frees). One copy each way, instead of one per task.
import { engineOf, type ExecutorRef } from '../engine/engine.js';
import { DTYPES, isFreed } from '../engine/codec.js';
import type { NumArray } from './merge.js';
import { messages } from '../errors.js';

/** A user's typed array and the runtime-shared copy the algorithms work on. */
export interface Adopted<T extends NumArray> {
  /** The runtime-shared copy: pass this to algorithms and tasks. */
  readonly array: T;
  /** The user's own view. */
  readonly source: T;
  /** Copies `array` back into `source`. Host thread, while no task writes `array`. */
  commit(): void;
  /** Copies `source` into `array` again (the user changed it meanwhile). */
  refresh(): void;
  /** commit() (unless `commit` is false), then frees `array`; do not use `array` afterwards. */
  release(commit?: boolean): void;
}

/**
 * Adopts a typed array (Int8/Uint8/Int16/Uint16/Int32/Uint32/Float32/Float64, over a SharedArrayBuffer
 * or an ArrayBuffer) by copying it into the executor's shared memory. Host thread.
 * @example
 * const { array, release } = adopt(executor, new Float32Array(mySharedArrayBuffer));
 * await sort(executor, array);
 * release();                     // the sorted data is back in mySharedArrayBuffer
 */
export function adopt<T extends NumArray>(executor: ExecutorRef, source: T): Adopted<T> {
  const engine = engineOf(executor, 'adopt(executor, view)');
  if (!ArrayBuffer.isView(source) || !(DTYPES as readonly Function[]).includes(source.constructor)) {
    throw new TypeError(messages.adoptView(DTYPES.map((d) => d.name), source));
  }
  if (isFreed(source)) throw new TypeError(messages.alreadyFreed('adopt(executor, view): view', source));
  const array = engine.shared(source.constructor as typeof Float32Array, source.length) as unknown as T;
  array.set(source as never);
  let live = true;
  const check = (what: string): void => {
    if (!live) throw new Error(messages.adoptReleased(what));
  };
  return {
    array, source,
    commit() { check('commit'); source.set(array as never); },
    refresh() { check('refresh'); array.set(source as never); },
    release(commit = true) { check('release'); if (commit) source.set(array as never); live = false; engine.free(array); },
  };
}
