// executor.map(fn, items): one call for many items, one promise for all of them. The items are written
// into one job block (batch-task.ts describes it) and a few tasks, one per worker at most, claim blocks
// of items from it, so the per-task costs (a slot, a record, two queue hops, a promise) are paid per
// worker instead of per item. Results come back in item order; an item whose call threw does not stop
// the others, and the call then rejects with a MapError holding every item's error and the results of
// the items that did not fail.
import type { SharedCore } from './memory.js';
import type { Codec } from './codec.js';
import type { FunctionTable } from './functions.js';
import { MAP, type Tasks } from './tasks.js';
import { Kind, FREED } from './codec.js';
import { mapItems, mapLayout, mapWords, type MapWords } from './batch-task.js';
import { checkedPriority, mapGrain, type Priority } from '../policy/scheduling.js';
import { messages, rebuildError, CancelledError, MapError, type PlainError } from '../errors.js';

/** Options of executor.map. */
export interface MapOptions {
  /** 'critical' | 'high' | 'normal' | 'low': the call's tasks wait in that submission queue. Default 'normal'. */
  priority?: Priority;
  /** Cancels the call: no item starts after the abort; the promise rejects with a CancelledError. */
  signal?: AbortSignal;
}

const KNOWN = ['priority', 'signal'] as const;
/** The call whose options these are, as messages name it. */
const CALL = 'executor.map(fn, items, options)';

/** What a map call needs of the engine. */
export interface BatchHost {
  readonly core: SharedCore;
  readonly codec: Codec;
  readonly fns: FunctionTable;
  readonly tasks: Tasks;
  readonly workers: number;
}

/** The items as an array-like: arrays and typed arrays as they are, other iterables copied. */
function itemsOf(items: unknown): ArrayLike<unknown> {
  if (Array.isArray(items) || ArrayBuffer.isView(items)) return items as unknown as ArrayLike<unknown>;
  if (items !== null && typeof items === 'object' && Symbol.iterator in items) return Array.from(items as Iterable<unknown>);
  throw new TypeError(messages.mapItems(items));
}

function checkOptions(o: MapOptions | undefined): { level: number; signal: AbortSignal | undefined } {
  if (o === undefined) return { level: 2, signal: undefined };
  if (typeof o !== 'object' || o === null) throw new TypeError(messages.argType(`${CALL}: options`, 'an object like { priority, signal }', o));
  for (const k of Object.keys(o)) if (!(KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(CALL, k, KNOWN));
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(messages.callOption(CALL, 'signal', 'an AbortSignal', o.signal));
  return { level: o.priority === undefined ? 2 : checkedPriority(`${CALL}: options.priority`, o.priority), signal: o.signal };
}

/** executor.map: fn(item) for every item on the workers; resolves with the results in item order. */
export async function map(h: BatchHost, fn: unknown, input: unknown, options: MapOptions | undefined): Promise<unknown[]> {
  const { level, signal } = checkOptions(options);
  const fnId = h.fns.idOf(fn, MAP.fn);
  const items = itemsOf(input);
  const n = items.length;
  if (n === 0) return [];
  if (signal?.aborted) throw new CancelledError(messages.mapCancelled(n), signal.reason);
  const grain = mapGrain(n, h.workers);
  const blocks = Math.ceil(n / grain);
  const W = mapWords(h.core.L);
  const job = write(h, W, fnId, items, grain, blocks);
  const onAbort = (): void => { Atomics.store(h.core.i32, (job >> 2) + W.stop, 1); };
  signal?.addEventListener('abort', onAbort, { once: true });
  const runs: Promise<unknown>[] = [];
  let failure: unknown;
  try {
    for (let k = Math.min(h.workers, blocks); k > 0; k--) runs.push(h.tasks.plain(level, mapItems, [job], MAP));
    for (const r of await Promise.allSettled(runs)) if (r.status === 'rejected') failure ??= r.reason;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  try {
    if (failure !== undefined) throw failure;
    if (Atomics.load(h.core.i32, (job >> 2) + W.stop) !== 0) throw new CancelledError(messages.mapCancelled(n), signal?.reason);
    return read(h, W, job, n, blocks, h.fns.nameOf(fnId));
  } finally {
    release(h, W, job, blocks);
  }
}

/** Allocates and fills the job block: inputs in words where they fit, the rest encoded per block. */
function write(h: BatchHost, W: MapWords, fnId: number, items: ArrayLike<unknown>, grain: number, blocks: number): number {
  const { core, codec } = h;
  const n = items.length;
  const lay = mapLayout(W, n, blocks);
  const job = core.alloc(lay.bytes);
  const w = job >> 2;
  core.u8.fill(0, job, job + lay.bytes);
  core.u32[w + W.n] = n; core.u32[w + W.grain] = grain; core.u32[w + W.blocks] = blocks; core.u32[w + W.fn] = fnId;
  core.u32[w + W.inVals] = job + lay.inVals; core.u32[w + W.inKinds] = job + lay.inKinds;
  core.u32[w + W.outVals] = job + lay.outVals; core.u32[w + W.outKinds] = job + lay.outKinds;
  core.u32[w + W.table] = job + lay.table;
  try {
    if (items instanceof Float64Array || items instanceof Float32Array || items instanceof Int32Array) {
      core.f64.set(items, (job + lay.inVals) >> 3);      // numbers only: one copy, every kind Number
      core.u8.fill(Kind.Number, job + lay.inKinds, job + lay.inKinds + n);
      return job;
    }
    for (let b = 0; b < blocks; b++) {
      let packed: unknown[] | undefined;
      for (let i = b * grain, hi = Math.min(n, i + grain); i < hi; i++) {
        const v = items[i];
        let kind = codec.putWord(v, job + lay.inVals + 8 * i);
        if (kind < 0) {
          const fault = kind === FREED ? messages.cloneFault('freed', v, '') : codec.uncloneable(v);
          if (fault !== undefined) throw codec.refusal(messages.mapItem(i), fault);
          (packed ??= []).push(codec.prepared(v));
          kind = Kind.Encoded;
        }
        core.u8[job + lay.inKinds + i] = kind;
      }
      if (packed !== undefined) {
        const [ptr, len] = codec.encodeBlock(packed);
        const row = ((job + lay.table) >> 2) + W.rowWords * b;
        core.u32[row + W.inPtr] = ptr; core.u32[row + W.inLen] = len;
      }
    }
  } catch (e) {
    release(h, W, job, blocks);
    throw e;
  }
  return job;
}

/** Every item's outcome, in order; a MapError if any failed. */
function read(h: BatchHost, W: MapWords, job: number, n: number, blocks: number, name: string): unknown[] {
  const { core, codec } = h;
  core.ensure(job, W.headerBytes);
  const w = job >> 2;
  const outVals = core.u32[w + W.outVals], outKinds = core.u32[w + W.outKinds], table = core.u32[w + W.table] >> 2;
  core.ensure(job, (table << 2) + 4 * W.rowWords * blocks - job);
  const results = new Array<unknown>(n);
  const f64 = core.f64, u8 = core.u8;
  for (let i = 0, v = outVals >> 3; i < n; i++, v++) {
    const kind = u8[outKinds + i];
    results[i] = kind === Kind.Number ? f64[v] : kind === Kind.Undefined || kind === Kind.Encoded || kind === Kind.Error ? undefined : codec.getWord(kind, outVals + 8 * i);
  }
  let errors: unknown[] | undefined, indices: number[] | undefined;
  for (let b = 0; b < blocks; b++) {
    const row = table + W.rowWords * b;
    if (core.u32[row + W.outLen] !== 0) {
      const list = codec.decodeBlock(core.u32[row + W.outPtr], core.u32[row + W.outLen]) as unknown[];
      for (let j = 0; j < list.length; j += 2) results[list[j] as number] = list[j + 1];
    }
    if (core.u32[row + W.errLen] !== 0) {
      const list = codec.decodeBlock(core.u32[row + W.errPtr], core.u32[row + W.errLen]) as unknown[];
      for (let j = 0; j < list.length; j += 2) {
        (indices ??= []).push(list[j] as number);
        (errors ??= []).push(rebuildError(list[j + 1] as PlainError, name));
      }
    }
  }
  if (errors === undefined) return results;
  const order = indices!.map((_, k) => k).sort((a, b) => indices![a] - indices![b]);   // blocks finish in any order
  const sortedIdx = order.map((k) => indices![k]), sortedErr = order.map((k) => errors![k]);
  throw new MapError(messages.mapFailed(sortedIdx.length, n, sortedIdx[0], sortedErr[0]), sortedErr, sortedIdx, results);
}

/** Frees the job block and every codec block its table names. */
function release(h: BatchHost, W: MapWords, job: number, blocks: number): void {
  const core = h.core;
  core.ensure(job, W.headerBytes);
  const table = core.u32[(job >> 2) + W.table] >> 2;
  core.ensure(job, (table << 2) + 4 * W.rowWords * blocks - job);
  for (let b = 0; b < blocks; b++) {
    const row = table + W.rowWords * b;
    if (core.u32[row + W.inLen] !== 0) core.x.heapFree(core.u32[row + W.inPtr]);
    if (core.u32[row + W.outLen] !== 0) core.x.heapFree(core.u32[row + W.outPtr]);
    if (core.u32[row + W.errLen] !== 0) core.x.heapFree(core.u32[row + W.errPtr]);
  }
  core.x.heapFree(job);
}
