// executor.map's task, run in workers: a built-in task module (BATCH, listed in src/builtins.ts), so the
// host and every worker name the same function. One map call submits a few of these over one job block; each
// claims blocks of items from the block's cursor until none is left, calls the user's function on every
// item of a block, and writes the outcomes beside the inputs. The host side is batch.ts.
//
// The job block (one heap block per call, host-allocated and host-freed; MapJob and MapBlock in
// assembly/layout.ts) holds, after its header, one 8-byte word and one kind byte per item for the input,
// the same for the output, and a MapBlock per block of items:
//   inPtr inLen    codec block of the block's inputs that do not fit a word (their values, item order)
//   outPtr outLen  codec block of [i, value, …] for outputs that do not fit a word (written by the task)
//   errPtr errLen  codec block of [i, PlainError, …] for items whose call threw (written by the task)
// A word holds what Codec.putWord can hold (numbers, booleans, null, undefined, shared views); its kind
// byte says which, Kind.Encoded marks a value in the block's codec list and Kind.Error a failed item.
//
// Who writes what: the host writes the header, the inputs and the input table before it submits the
// tasks (the queue push publishes them). Blocks are claimed with an atomic add on `cursor`, so exactly one
// task writes a block's outputs and table entries, plainly; its task's retire (the completion ring push)
// publishes them to the host, which reads them only after every task of the call came back. `stop` is set
// by the host (atomic store) when the call is cancelled; tasks stop claiming when they read it.
import { Kind, Codec } from './codec.js';
import type { SharedCore, Layout } from './memory.js';
import type { FunctionCache, BuiltinModule } from './functions.js';
import { messages } from '../errors.js';

/** Word indices (u32, from a block's address) of MapJob's fields and of a MapBlock's, from the core's layout. */
export interface MapWords {
  cursor: number; stop: number; n: number; grain: number; blocks: number; fn: number;
  inVals: number; inKinds: number; outVals: number; outKinds: number; table: number;
  inPtr: number; inLen: number; outPtr: number; outLen: number; errPtr: number; errLen: number;
  /** Bytes of the header, and u32 words of one MapBlock. */
  headerBytes: number; rowWords: number;
}

export function mapWords(L: Layout): MapWords {
  return {
    cursor: L.MJ_cursor >> 2, stop: L.MJ_stop >> 2, n: L.MJ_n >> 2, grain: L.MJ_grain >> 2, blocks: L.MJ_blocks >> 2,
    fn: L.MJ_fn >> 2, inVals: L.MJ_inVals >> 2, inKinds: L.MJ_inKinds >> 2, outVals: L.MJ_outVals >> 2,
    outKinds: L.MJ_outKinds >> 2, table: L.MJ_table >> 2,
    inPtr: L.MB_inPtr >> 2, inLen: L.MB_inLen >> 2, outPtr: L.MB_outPtr >> 2, outLen: L.MB_outLen >> 2,
    errPtr: L.MB_errPtr >> 2, errLen: L.MB_errLen >> 2, headerBytes: L.size_MapJob, rowWords: L.size_MapBlock >> 2,
  };
}

let core: SharedCore | undefined;
let codec: Codec | undefined;
let fns: FunctionCache | undefined;
let M!: MapWords;

/** Worker start-up: the core and function cache the task uses. */
export function bindBatch(c: SharedCore, f: FunctionCache): void {
  core = c;
  codec = new Codec(c);
  fns = f;
  M = mapWords(c.L);
}

/** Bytes of the job block for n items in `blocks` blocks, and where each part starts (relative). */
export function mapLayout(W: MapWords, n: number, blocks: number): { inVals: number; outVals: number; inKinds: number; outKinds: number; table: number; bytes: number } {
  const inVals = W.headerBytes, outVals = inVals + 8 * n, inKinds = outVals + 8 * n, outKinds = inKinds + n;
  const table = (outKinds + n + 3) & ~3;
  return { inVals, outVals, inKinds, outKinds, table, bytes: table + 4 * W.rowWords * blocks };
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** The task: claims and runs blocks of job until none is left (a promise if an item returned one). */
export function mapItems(job: number): undefined | Promise<undefined> {
  const c = core!;
  c.ensure(job, M.headerBytes);
  const w = job >> 2;
  for (;;) {
    if (Atomics.load(c.i32, w + M.stop) !== 0) return undefined;
    const b = Atomics.add(c.i32, w + M.cursor, 1);
    if (b >= c.u32[w + M.blocks]) return undefined;
    const pending = runBlock(job, b);
    if (pending !== undefined) return pending.then(() => mapItems(job));
  }
}

/** Runs block b: every item's call, outcomes written; a promise when some items returned one. */
function runBlock(job: number, b: number): Promise<void> | undefined {
  const c = core!, cd = codec!;
  const w = job >> 2;
  const n = c.u32[w + M.n], grain = c.u32[w + M.grain];
  const lo = b * grain, hi = Math.min(n, lo + grain);
  const inVals = c.u32[w + M.inVals], inKinds = c.u32[w + M.inKinds];
  const outVals = c.u32[w + M.outVals], outKinds = c.u32[w + M.outKinds];
  const row = (c.u32[w + M.table] >> 2) + M.rowWords * b;
  c.ensure(job, c.u32[w + M.table] - job + 4 * M.rowWords * (b + 1));
  const f = fns!.get(c.u32[w + M.fn]);
  let packed: unknown[] | undefined;
  if (c.u32[row + M.inLen] !== 0) packed = cd.decodeBlock(c.u32[row + M.inPtr], c.u32[row + M.inLen]) as unknown[];
  let k = 0;
  const others: unknown[] = [], errors: unknown[] = [];
  let waiting: [number, PromiseLike<unknown>][] | undefined;
  for (let i = lo; i < hi; i++) {
    const kind = c.u8[inKinds + i];
    const x = kind === Kind.Encoded ? packed![k++] : cd.getWord(kind, inVals + 8 * i);
    let r: unknown;
    try {
      r = f(x);
    } catch (e) {
      c.u8[outKinds + i] = Kind.Error;
      errors.push(i, cd.toPlain(e));
      continue;
    }
    if (isThenable(r)) (waiting ??= []).push([i, r]);
    else store(i, r, outVals, outKinds, others, errors);
  }
  if (waiting === undefined) { finish(row, outKinds, others, errors); return undefined; }
  const list = waiting;
  return Promise.allSettled(list.map(([, p]) => p)).then((settled) => {
    const c2 = core!;
    c2.ensure(job, c2.u32[w + M.table] - job + 4 * M.rowWords * (b + 1));
    settled.forEach((s, j) => {
      const i = list[j][0];
      if (s.status === 'fulfilled') store(i, s.value, outVals, outKinds, others, errors);
      else { c2.u8[outKinds + i] = Kind.Error; errors.push(i, codec!.toPlain(s.reason)); }
    });
    finish(row, outKinds, others, errors);
  });
}

/**
 * Item i returned r: into its output word, or onto the block's list of encoded outputs; a value that
 * cannot be sent back fails its item with a DataCloneError.
 */
function store(i: number, r: unknown, outVals: number, outKinds: number, others: unknown[], errors: unknown[]): void {
  const cd = codec!;
  let kind = cd.putWord(r, outVals + 8 * i);
  if (kind < 0) {
    const fault = cd.uncloneable(r);
    if (fault !== undefined) {
      core!.u8[outKinds + i] = Kind.Error;
      errors.push(i, cd.toPlain(cd.refusal(messages.mapReturned(i), fault)));
      return;
    }
    others.push(i, cd.prepared(r));
    kind = Kind.Encoded;
  }
  core!.u8[outKinds + i] = kind;
}

/**
 * The block's encoded outputs and errors into its table row (u32 index `row`). A value the codec cannot
 * encode (a function, say) fails its own item with the codec's error, not the block.
 */
function finish(row: number, outKinds: number, others: unknown[], errors: unknown[]): void {
  const c = core!, cd = codec!;
  if (others.length > 0) {
    let out: [number, number];
    try {
      out = cd.encodeBlock(others);
    } catch {
      const kept: unknown[] = [];
      for (let j = 0; j < others.length; j += 2) {
        try {
          c.x.heapFree(cd.encodeBlock([others[j + 1]])[0]);
          kept.push(others[j], others[j + 1]);
        } catch (e) {
          c.u8[outKinds + (others[j] as number)] = Kind.Error;
          errors.push(others[j], cd.toPlain(e));
        }
      }
      out = kept.length > 0 ? cd.encodeBlock(kept) : [0, 0];
    }
    c.u32[row + M.outPtr] = out[0]; c.u32[row + M.outLen] = out[1];
  }
  if (errors.length > 0) {
    const [ptr, len] = cd.encodeBlock(errors);
    c.u32[row + M.errPtr] = ptr; c.u32[row + M.errLen] = len;
  }
}

/** executor.map's task as a built-in task module (src/builtins.ts). */
export const BATCH: BuiltinModule = {
  name: 'map',
  functions: { 'beatflow.map': mapItems },
  bind: bindBatch,
};
