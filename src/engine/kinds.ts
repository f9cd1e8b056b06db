// The words of a task record, as the codec (codec.ts) fills them: what kind of value each holds.
//
// A task record has six 8-byte argument words and two result words (assembly/layout.ts, Task).
//   argInfo = argc (bits 0–3) | kind of argument i (4 bits at 4 + 4i), i < 6
//             argc == SPILLED: the arguments did not fit; word 0 points at a heap block (arg-spill.ts)
//   resInfo = result kind (bits 0–7)
// A word holds a float64, or (ptr u32, len u32) for encoded blocks and shared arrays.

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
/** argc field value: the arguments live in a heap block (word 0 points at it). */
export const SPILLED = 15;

/** Words a value of `kind` takes: a tuple one per number, anything else one. */
export function wordsOf(kind: number): number {
  return kind === Kind.Pair ? 2 : kind === Kind.Triple ? 3 : 1;
}
