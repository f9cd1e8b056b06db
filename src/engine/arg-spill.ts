// Argument lists that do not fit the six words of a task record (kinds.ts): they spill into one heap
// block with the same per-argument encoding, so shared arrays still travel by reference:
//   [argc u32][kind u8 × argc][pad to 8][words]
// and the record's word 0 points at the block (argc field SPILLED). Codec.writeArgs, readArgs and
// freeArgs (codec.ts) call these for such a record; the block is plain memory, published with the task.
import type { SharedCore } from './memory.js';
import { Kind, wordsOf } from './kinds.js';

/** What the spill needs of a codec (codec.ts, Codec). */
export interface SpillCodec {
  readonly core: SharedCore;
  /** Writes one value at `at` with `room` words free, argument `arg`; returns its kind (throws if it cannot cross). */
  put(v: unknown, at: number, room: number, arg: number): number;
  /** The value written at `at` with `kind`. */
  getWord(kind: number, at: number): unknown;
}

/** Bytes before the words of a spilled argument block: argc, one kind byte per argument, padding to 8. */
function spillWords(n: number): number {
  return (4 + n + 7) & ~7;
}

/** args written into a fresh block, returned; on a refusal, everything written so far is freed and the error thrown. */
export function writeSpilled(codec: SpillCodec, args: readonly unknown[]): number {
  const core = codec.core;
  const n = args.length;
  const words = spillWords(n);
  const block = core.alloc(words + 8 * 3 * n);
  core.u32[block >> 2] = n;
  let word = 0;
  const owned: number[] = [];   // blocks of the arguments encoded so far, freed if a later one fails
  try {
    for (let i = 0; i < n; i++) {
      const at = block + words + 8 * word;
      const kind = codec.put(args[i], at, 3, i);
      if (kind === Kind.Encoded) owned.push(core.u32[at >> 2]);
      core.u8[block + 4 + i] = kind;
      word += wordsOf(kind);
    }
  } catch (e) {
    for (const b of owned) core.x.heapFree(b);
    core.x.heapFree(block);
    throw e;
  }
  return block;
}

/** Reads the arguments of a spilled block into `out` (worker). */
export function readSpilled(codec: SpillCodec, block: number, out: unknown[]): void {
  const core = codec.core;
  core.ensure(block, 8);
  const n = core.u32[block >> 2];
  const words = spillWords(n);
  core.ensure(block, words + 24 * n);
  let word = 0;
  for (let i = 0; i < n; i++) {
    const kind = core.u8[block + 4 + i];
    out.push(codec.getWord(kind, block + words + 8 * word));
    word += wordsOf(kind);
  }
}

/** Frees a spilled argument block and the blocks of the arguments written into it. */
export function freeSpilled(codec: SpillCodec, block: number): void {
  const core = codec.core;
  const u32 = core.u32;
  const n = u32[block >> 2];
  const words = spillWords(n);
  let word = 0;
  for (let i = 0; i < n; i++) {
    const kind = core.u8[block + 4 + i];
    if (kind === Kind.Encoded) core.x.heapFree(u32[(block + words + 8 * word) >> 2]);
    word += wordsOf(kind);
  }
  core.x.heapFree(block);
}
