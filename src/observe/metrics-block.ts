// The metrics block: where the workers keep their samples and the host reads them.
//
// ## The block (host-allocated once with core.alloc, before any worker starts)
// Declared in assembly/layout.ts (MetricsHeader, MetricSlot, with their rulers) and read through core.L:
// a header (hostOrigin f64, sampleEvery, stamps: a pointer to u32[taskCap]), then each worker's ring of
// SLOTS window slots. Each worker finds the block through WorkerSlot.metrics. A window slot covers SLOT_MS
// of the host clock (performance.now() on the host; a worker adds performance.timeOrigin − hostOrigin,
// which is 0 in Node, where worker threads share the process's time origin) and holds epoch+1,
// runSamples, waitSamples, busyMs (f64) and the run and wait histograms (BUCKETS u32 each).
//
// ## Who writes what (why plain accesses are enough)
// hostOrigin and the stamps pointer are written by the host before the workers start (thread creation
// publishes them). sampleEvery is written plainly by the host at any time and read plainly by the workers
// at each timed task: a change reaches a worker no later than the next task the host submits
// (the injector push is an atomic store that publishes it). A stamp is written plainly by the host before
// it submits the task (the queue push publishes it) and read and cleared by the one worker that runs it.
// A worker's ring is written only by that worker, with plain stores, *before* it calls finish() for the
// timed task: finish()'s atomics (the retire, the completion ring push) publish the sample, so once the
// host has seen a task complete it sees that task's sample. A snapshot taken while workers run reads
// their rings without synchronization: each u32 is read whole, but a slot may be half updated or being
// reset, so a snapshot under load is approximate by a sample or a slot; taken while idle it is exact.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../errors.js';
import { BUCKETS } from './histogram.js';

/** Window slot length, ms: the window's granularity. */
export const SLOT_MS = 250;
/** Window slots per worker: the longest window is (SLOTS − 1) · SLOT_MS = 15.75 s. */
export const SLOTS = 64;

/**
 * The block's layout (assembly/layout.ts MetricsHeader, MetricSlot), read from the core once by each
 * owner: byte offsets in the header, u32 word offsets in a window slot (busy: the f64 at that word).
 */
export interface BlockLayout {
  origin: number; every: number; stamps: number;
  /** Bytes before worker 0's ring, bytes per ring, u32 words per window slot. */
  rings: number; ringBytes: number; slotWords: number;
  epoch: number; runs: number; waits: number; busy: number; run: number; wait: number;
}

/** The block's layout in `core`; throws when core.wasm and this build disagree on its shape. */
export function blockLayout(core: SharedCore): BlockLayout {
  const L = core.L;
  if (L.count_MetricBuckets !== BUCKETS || L.count_MetricSlots !== SLOTS) throw new Error(messages.coreMismatch('the metrics block (buckets, slots per ring)'));
  return {
    origin: L.M_hostOrigin, every: L.M_sampleEvery, stamps: L.M_stamps,
    rings: L.size_MetricsHeader, ringBytes: SLOTS * L.size_MetricSlot, slotWords: L.size_MetricSlot >> 2,
    epoch: L.MS_epoch1 >> 2, runs: L.MS_runSamples >> 2, waits: L.MS_waitSamples >> 2, busy: L.MS_busyMs >> 2,
    run: L.MS_run >> 2, wait: L.MS_wait >> 2,
  };
}

/** A time in µs of the host clock mod 2^32, as the stamps hold it: never 0, which means "not stamped". */
export const micros = (ms: number): number => (ms * 1000) >>> 0 || 1;
