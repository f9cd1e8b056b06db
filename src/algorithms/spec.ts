// The argument list every algorithm builtin takes (host api.ts writes it, builtins.ts reads it), and the
// job block a driving task shares with its helpers. One fixed list for every algorithm keeps the helper
// spawn generic: a helper is the same builtin called with the driver's arguments plus `job` and `index`.

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
 * The job block (one 64-byte heap block per algorithm call, allocated and freed by the driving task, or
 * by the calling thread when it drives the call itself (caller.ts), then with a partial slot per part
 * after it; helpers only use it between the driver's spawn and its join, or between the caller's
 * submission and either the settling of every helper it did not withdraw or their count in DONE, so
 * the block outlives their use of it). Int32 words:
 *
 *   CURSOR  next unclaimed item (dynamic, guided): atomic add / CAS by every task; the driver's plain
 *           write before the spawn is published by the spawn's deque push, as are all plain words here.
 *   BEST    find: smallest matching index found so far (atomic min by CAS); starts at N.
 *   STOP    set (atomic store) by a task whose callback threw; tasks stop claiming when they read it.
 *   GRAIN, PARTS, KIND, N   how the current index space [0, N) is split (plain; per phase, written by
 *           the driver before it spawns that phase's helpers). PARTS: static, the number of parts;
 *           guided, the number of tasks its shrinking chunks are sized for.
 *   AUX, AUX_N, PHASE, RUNS per algorithm: scan's chunk list (address, entries: AUX_N is appended to with
 *           an atomic add); sort's second buffer, merge round and pieces per pair.
 *
 *   DONE, SLOTS only when the calling thread drives the call (caller.ts): SLOTS is the number of f64
 *           partial slots after the block (one per part; written before any helper exists), and a helper
 *           that finished its share writes its partial in slot `index` (plain) and then adds 1 to DONE
 *           (atomic: the add publishes the slot and every output element it wrote). It is the helper's
 *           last touch of the block, so the caller that counts every started helper in DONE may combine
 *           and free it without waiting for the helpers' tasks to retire. The caller zeroes DONE (plain)
 *           before it submits each phase's helpers; the submission publishes it.
 *
 * Everything else a phase writes is plain: output elements, scan's list entries, sort's split list and
 * second buffer. Those writes are read only in a *later* phase or by the driver after the join, and each
 * helper's retire (the atomic store of its `done` word, which the driver's join polls) publishes them;
 * the next phase's spawns (deque pushes) publish the driver's own writes in between. Within a phase no
 * two tasks write the same element: chunks, list entries and merge pieces are claimed exactly once.
 */
export const J_CURSOR = 0, J_BEST = 1, J_STOP = 2, J_GRAIN = 3, J_PARTS = 4, J_KIND = 5, J_N = 6;
export const J_AUX = 7, J_AUX_N = 8, J_PHASE = 9, J_RUNS = 10, J_PER_PAIR = 11;
export const J_DONE = 12, J_SLOTS = 13;
export const JOB_BYTES = 64;
