// The argument list every algorithm builtin takes (host api.ts writes it, the builtin tasks read it), and
// the job block a driving task shares with its helpers. One fixed list for every algorithm keeps the helper
// spawn generic: a helper is the same builtin called with the driver's arguments plus `job` and `index`.
import type { Layout } from '../engine/memory.js';

/** Positions in a builtin's argument list. Unused positions are null (arrays) or -1 (ids). */
export const enum Arg {
  A = 0, B = 1, C = 2, Out = 3,   // input arrays a, b, c and the output array (shared views, or null)
  F1 = 4,                         // the user callback's function id, or -1
  F2 = 5,                         // the combine/op function id, or the built-in op's code (see the algorithm)
  X0 = 6, X1 = 7, X2 = 8,         // numbers (scalars, init, flags), per algorithm
  Part = 9,                       // partitioner code (PART_CODE)
  Grain = 10,                     // items per chunk, 0 = choose from the measured cost
  Job = 11,                       // 0 in the driving task; the job block in helpers
  Index = 12,                     // helper number (1 ..), 0 in the driver
  Count = 13,
}

export const PART_STATIC = 0;
export const PART_DYNAMIC = 1;
export const PART_GUIDED = 2;
export const PART_CODE = { static: PART_STATIC, dynamic: PART_DYNAMIC, guided: PART_GUIDED } as const;

/**
 * The job block (assembly/layout.ts Job, whose ruler shows where each word lies): one heap block per
 * algorithm call, allocated and freed by the driving task, or by the calling thread when it drives the
 * call itself (caller.ts), then with a partial slot per part after it. Helpers only use it between the
 * driver's spawn and its join, or between the caller's submission and either the settling of every
 * helper it did not withdraw or their count in `done`, so the block outlives their use of it. Int32 words:
 *
 *   cursor  next unclaimed item (dynamic, guided): atomic add / CAS by every task; the driver's plain
 *           write before the spawn is published by the spawn's deque push, as are all plain words here.
 *   best    find: smallest matching index found so far (atomic min by CAS); starts at n.
 *   stop    set (atomic store) by a task whose callback threw; tasks stop claiming when they read it.
 *   grain, parts, kind, n   how the current index space [0, n) is split (plain; per phase, written by
 *           the driver before it spawns that phase's helpers). parts: static, the number of parts;
 *           guided, the number of tasks its shrinking chunks are sized for.
 *   aux, auxN, phase, runs, perPair   per algorithm: scan's chunk list (address, entries: auxN is
 *           appended to with an atomic add); sort's second buffer, split list, merge round, run count
 *           and pieces per pair.
 *
 *   done, slots   only when the calling thread drives the call (caller.ts): slots is the number of f64
 *           partial slots after the block (one per part; written before any helper exists), and a helper
 *           that finished its share writes its partial in slot `index` (plain) and then adds 1 to done
 *           (atomic: the add publishes the slot and every output element it wrote). It is the helper's
 *           last touch of the block, so the caller that counts every started helper in done may combine
 *           and free it without waiting for the helpers' tasks to retire. The caller zeroes done (plain)
 *           before it submits each phase's helpers; the submission publishes it.
 *
 * Everything else a phase writes is plain: output elements, scan's list entries, sort's split list and
 * second buffer. Those writes are read only in a *later* phase or by the driver after the join, and each
 * helper's retire (the atomic store of its task record's `done` word, which the driver's join polls) publishes them;
 * the next phase's spawns (deque pushes) publish the driver's own writes in between. Within a phase no
 * two tasks write the same element: chunks, list entries and merge pieces are claimed exactly once.
 */
export interface JobWords {
  cursor: number; best: number; stop: number; grain: number; parts: number; kind: number; n: number;
  aux: number; auxN: number; phase: number; runs: number; perPair: number; done: number; slots: number;
  /** Bytes of the block before the partial slots (where slot 0 starts). */
  bytes: number;
}

/** The job block's Int32 word indices (from the block's first word), read from the core's layout (the J_* offsets). */
export function jobWords(L: Layout): JobWords {
  return {
    cursor: L.J_cursor >> 2, best: L.J_best >> 2, stop: L.J_stop >> 2, grain: L.J_grain >> 2, parts: L.J_parts >> 2,
    kind: L.J_kind >> 2, n: L.J_n >> 2, aux: L.J_aux >> 2, auxN: L.J_auxN >> 2, phase: L.J_phase >> 2, runs: L.J_runs >> 2,
    perPair: L.J_perPair >> 2, done: L.J_done >> 2, slots: L.J_slots >> 2, bytes: L.size_Job,
  };
}
