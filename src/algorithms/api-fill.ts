// fill, fillN, generate and generateN: writing an array (or its first count elements) in parallel, in both
// forms (call.ts). Taskflow's fill, fill_n, generate and generate_n; generate's callback also gets the
// index (Taskflow's takes no argument: a callback that ignores it behaves the same).
import { Arg } from './spec.js';
import type { NumArray } from './merge.js';
import { messages } from '../errors.js';
import { type Call, type PartitionOptions, call, callback, array, algorithm } from './call.js';

function writeCall(name: 'fill' | 'fillN' | 'generate' | 'generateN', a: unknown, count: unknown, o: PartitionOptions | undefined): Call {
  const n = name.endsWith('N');
  const last = name.startsWith('fill') ? 'value' : 'gen';
  const c = call(name.startsWith('fill') ? 'fill' : 'generate', `${name}(executor, array, ${n ? 'count, ' : ''}${last}, options)`, o);
  const arr = array(c, a, 'array');
  const k = n ? count : arr.length;
  if (!Number.isSafeInteger(k) || (k as number) < 0 || (k as number) > arr.length) {
    throw new RangeError(messages.argType(`${c.what}: count`, `an integer from 0 to ${arr.length} (the array's length)`, k));
  }
  c.args[Arg.A] = arr; c.args[Arg.X1] = k;
  c.result = () => arr;
  return c;
}

function valueCall(c: Call, value: unknown): Call {
  if (typeof value !== 'number') throw new TypeError(messages.argType(`${c.what}: value`, 'a number', value));
  c.args[Arg.X0] = value;
  return c;
}

/**
 * Sets every element to `value` (stored with the array's own conversion). Resolves with the array.
 * @example await fill(executor, data, 0);
 */
export const fill = algorithm<[array: NumArray, value: number, options?: PartitionOptions], NumArray>(
  (a, value, o) => valueCall(writeCall('fill', a, undefined, o), value));

/** Sets array[0, count) to `value`; count ≤ array.length. Resolves with the array. */
export const fillN = algorithm<[array: NumArray, count: number, value: number, options?: PartitionOptions], NumArray>(
  (a, count, value, o) => valueCall(writeCall('fillN', a, count, o), value));

/**
 * array[i] = gen(i) for every index (gen must not depend on the order of calls: chunks run in parallel).
 * Resolves with the array.
 * @example await generate(executor, data, (i) => i * i);
 */
export const generate = algorithm<[array: NumArray, gen: (i: number) => number, options?: PartitionOptions], NumArray>(
  (a, gen, o) => { const c = writeCall('generate', a, undefined, o); callback(c, Arg.F1, gen, 'gen'); return c; });

/** array[i] = gen(i) for i in [0, count); count ≤ array.length. Resolves with the array. */
export const generateN = algorithm<[array: NumArray, count: number, gen: (i: number) => number, options?: PartitionOptions], NumArray>(
  (a, count, gen, o) => { const c = writeCall('generateN', a, count, o); callback(c, Arg.F1, gen, 'gen'); return c; });
