// The algorithms over an IndexRange (index-range.ts), in both forms (call.ts): forEachByIndex (also
// forEachIndex given a range) and reduceByIndex given a range: Taskflow's for_each_by_index and
// reduce_by_index over 1-D, 2-D and 3-D ranges. The range travels as its numbers (flatDims); the
// builtins (builtins.ts) cut its flat index space into chunks and each chunk into boxes.
import type { ExecutorRef } from '../engine/engine.js';
import type { Taskflow, Task } from '../graph/taskflow.js';
import { Arg } from './spec.js';
import { messages } from '../errors.js';
import { type Call, type PartitionOptions, call, callback, algorithm } from './call.js';
import { type IndexRange, type Rank, MAX_RANGE_SIZE, flatDims, isIndexRange } from './index-range.js';

/** Checks the range argument and writes its numbers in X2. */
function rangeArg(c: Call, r: unknown): void {
  if (!isIndexRange(r)) {
    throw new TypeError(messages.argType(`${c.what}: range`, 'an IndexRange (new IndexRange(begin, end, step), or one [begin, end, step] array per dimension)', r));
  }
  const n = r.size();
  if (n > MAX_RANGE_SIZE) throw new RangeError(messages.rangeTooLarge(c.what, n, MAX_RANGE_SIZE));
  c.args[Arg.X2] = flatDims(r);
}

/** forEachByIndex's call (`name` is the function the user called: forEachByIndex or forEachIndex). */
export function forEachByIndexCall(name: string, range: unknown, f: unknown, o: PartitionOptions | undefined): Call {
  const c = call('forEachByIndex', `${name}(executor, range, fn, options)`, o);
  rangeArg(c, range);
  callback(c, Arg.F1, f, 'fn');
  return c;
}

/** reduceByIndex's call with a range: init, local and global are arguments, as in Taskflow. */
export function reduceByRangeCall(range: unknown, init: unknown, local: unknown, global: unknown, o: PartitionOptions | undefined): Call {
  const c = call('reduceByIndexRange', 'reduceByIndex(executor, range, init, local, global, options)', o);
  for (const k of ['init', 'combine'] as const) {
    const v = (o as Record<string, unknown> | undefined)?.[k];
    if (v !== undefined) throw new TypeError(messages.callOption(c.what, k, 'left out with a range (init and global are arguments)', v));
  }
  rangeArg(c, range);
  c.args[Arg.X0] = init; c.args[Arg.X1] = 1;
  callback(c, Arg.F1, local, 'local');
  callback(c, Arg.F2, global, 'global');
  return c;
}

/** A callback over the boxes of a range: `fn(box, ...options.args)`. */
export type BoxFn<N extends Rank> = (box: IndexRange<N>, ...args: any[]) => void;
/** reduceByIndex's local reducer: the new running total of this task's boxes (`running` is undefined before its first). */
export type LocalReducer<N extends Rank, T> = (box: IndexRange<N>, running: T | undefined, ...args: any[]) => T;

/** forEachByIndex in both forms, typed by the range's rank. */
export interface ForEachByIndex {
  <N extends Rank>(executor: ExecutorRef, range: IndexRange<N>, fn: BoxFn<N>, options?: PartitionOptions): Promise<void>;
  task<N extends Rank>(tf: Taskflow, range: IndexRange<N>, fn: BoxFn<N>, options?: PartitionOptions): Task;
}

/**
 * Calls `fn(box)` on axis-aligned boxes of `range` that together hold each of its elements once, in
 * parallel: a box is an IndexRange of the same rank and steps, whose nested loops the callback runs
 * itself. Resolves once every box ran. Taskflow's for_each_by_index.
 * @example await forEachByIndex(executor, new IndexRange([0, 480, 1], [0, 640, 1]), (box, img) => { … }, { args: [img] });
 */
export const forEachByIndex = algorithm<[range: IndexRange, fn: BoxFn<Rank>, options?: PartitionOptions], void>(
  (range, f, o) => forEachByIndexCall('forEachByIndex', range, f, o)) as unknown as ForEachByIndex;
