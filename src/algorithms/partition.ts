// Partitioning policies of the parallel algorithms: pure functions of sizes and measured costs, tested
// with tables (test/algorithms-policy.test.mjs). No threads, no memory here; drive.ts and job.ts apply them.
//
//   static   parts = min(workers, chunks); part p runs chunks p, p + parts, p + 2·parts, … of `grain`
//            items (default grain ⌈n / workers⌉: one contiguous range per part). No shared cursor.
//   dynamic  every task claims `grain` items at a time from one shared cursor (atomic add).
//   guided   every task claims max(grain, ⌈remaining / (2·parties)⌉) items by CAS on the cursor: big
//            chunks first, `grain`-sized ones at the end where they balance the load (Taskflow's default).
//
// Guided is the default. A helper that starts late (a parked worker takes 0.3–1 ms to wake on a VM) or
// slow could hold the call's end back by one of its first, large chunks, where with dynamic it holds one
// grain; measured with the caller taking part, the three did not differ beyond the noise (10^7 f32 map
// and reduce on 2 workers: bench/tools/partitioners.mjs, bench/history/2026-11.md).

import { messages } from '../errors.js';

/** How an algorithm splits [0, n) between tasks. */
export type Partitioner = 'static' | 'dynamic' | 'guided';
export const PARTITIONERS: readonly Partitioner[] = ['static', 'dynamic', 'guided'];

/**
 * Tunables, each with its reason.
 * TARGET_CHUNK_NS: a chunk costs one claim (an atomic on a shared line, ~20–100 ns when contended) and
 *   one call into the callback; 50 µs of work per chunk keeps that under 0.5 %, and is still short
 *   enough for the last chunks to even out the load.
 * KERNEL_CHUNK_NS: the same for a built-in kernel (a known cost per item, no callback): its chunk costs
 *   one claim and one call into Wasm, so 10 µs keeps that near 1 %, and the end of a call waits at most
 *   one such chunk for a helper that is slow or started late (a just-woken thread on a VM runs slowly
 *   for milliseconds). bench/history/2026-11.md: reduce over 10^7 f32 read 1.65×/1.53× at 50 µs,
 *   1.91×/1.65× at 10 µs and 2.08×/1.67× at 2.5 µs (two runs; map did not change).
 * MIN_CHUNKS_PER_WORKER: with fewer chunks than this per worker, one slow worker (a preempted thread
 *   on a busy machine) leaves the others idle at the end; 4 keeps the tail short.
 * PROBE_ITEMS: items the driving task runs (and times) before choosing the grain; real work, not
 *   thrown away. Small enough to be noise for large arrays, big enough to beat timer resolution for
 *   cheap items (the probe grows ×8 while it takes under MIN_PROBE_NS).
 * MIN_PROBE_NS: a probe shorter than this measured mostly the timer; probe again, 8× longer. The probe
 *   runs before any helper starts, so its length is serial time: at most ~8 × 5 µs.
 */
export const TARGET_CHUNK_NS = 50_000;
export const KERNEL_CHUNK_NS = 10_000;
export const MIN_CHUNKS_PER_WORKER = 4;
export const PROBE_ITEMS = 64;
export const MIN_PROBE_NS = 5_000;

/**
 * The default grain for n items costing nsPerItem each on `workers` workers: `chunkNs` of work per chunk
 * (TARGET_CHUNK_NS, or KERNEL_CHUNK_NS for a built-in kernel), but at least MIN_CHUNKS_PER_WORKER chunks
 * per worker, and at least one item. A cost of 0 or less (the probe was below timer resolution) counts
 * as very cheap.
 */
export function chooseGrain(n: number, workers: number, nsPerItem: number, chunkNs = TARGET_CHUNK_NS): number {
  if (n <= 0) return 1;
  const byCost = nsPerItem > 0 ? Math.floor(chunkNs / nsPerItem) : n;
  const byBalance = Math.ceil(n / (Math.max(1, workers) * MIN_CHUNKS_PER_WORKER));
  return Math.max(1, Math.min(byCost, byBalance));
}

/** The next probe length: ×8 while the last probe ran under MIN_PROBE_NS, else 0 (done probing). */
export function nextProbe(items: number, ns: number): number {
  return ns < MIN_PROBE_NS ? items * 8 : 0;
}

/** Items a guided claim takes when `remaining` are left: max(grain, ⌈remaining / 2·parties⌉), at most remaining (parties: the tasks sharing the phase). */
export function guidedChunk(remaining: number, grain: number, parties: number): number {
  if (remaining <= 0) return 0;
  return Math.min(remaining, Math.max(grain, Math.ceil(remaining / (2 * Math.max(1, parties)))));
}

/** The static grain: the one given, or ⌈n / workers⌉ (one contiguous range per worker). */
export function staticGrain(n: number, workers: number, grain: number | undefined): number {
  return grain ?? Math.max(1, Math.ceil(n / Math.max(1, workers)));
}

/** How many tasks share the work: never more than workers, nor more than there are chunks. */
export function taskCount(n: number, grain: number, workers: number): number {
  if (n <= 0) return 0;
  return Math.max(1, Math.min(workers, Math.ceil(n / grain)));
}

/**
 * CALLER_ALONE_NS: below this much work (n items at the known cost per item) the calling thread does
 *   it all: waking a parked worker costs the waker a futex call (tens of µs, more when the woken thread
 *   takes its CPU) and the worker up to milliseconds to start on a VM.
 */
export const CALLER_ALONE_NS = 200_000;

/**
 * Helpers for a call the calling thread takes part in (caller.ts): none for short work, else one per
 * worker while a CPU is left for each besides the caller's (a thread more than there are CPUs would
 * only take turns with the others, and one that is preempted holding the last chunk delays the end).
 */
export function callerHelpers(n: number, nsPerItem: number, workers: number, cpus: number): number {
  if (n * nsPerItem < CALLER_ALONE_NS) return 0;
  return Math.max(0, Math.min(workers, cpus - 1));
}

/** The ranges static part p (of `parts`) runs, in order: chunks p, p + parts, … of `grain` items. */
export function staticRanges(n: number, grain: number, parts: number, p: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = p * grain; lo < n; lo += parts * grain) out.push([lo, Math.min(n, lo + grain)]);
  return out;
}

/**
 * Validates an algorithm's partitioning options; returns [partitioner, grain (0 = choose)].
 * `what` names the call in the error ("reduce(executor, array, op, options)").
 */
export function checkPartition(what: string, opts: { partitioner?: unknown; grain?: unknown } | undefined): [Partitioner, number] {
  const p = opts?.partitioner ?? 'guided';
  if (!PARTITIONERS.includes(p as Partitioner)) {
    throw new TypeError(messages.callOption(what, 'partitioner', `one of ${PARTITIONERS.map((x) => `'${x}'`).join(', ')}`, p));
  }
  const g = opts?.grain;
  if (g !== undefined && !(Number.isInteger(g) && (g as number) >= 1 && (g as number) <= 0x7fffffff)) {
    throw new TypeError(messages.callOption(what, 'grain', 'a positive integer number of items, at most 2147483647', g));
  }
  return [p as Partitioner, (g as number | undefined) ?? 0];
}
