// The learners' table (assembly/learn/predictor.ts) as the host and the workers read it outside a task's
// own observation: its address from the core's header, and one fingerprint's state. The callers are the
// grain of parallel algorithms (algorithms/grain.ts) and of pipeline stages (pipeline/grain.ts).
import type { SharedCore } from './memory.js';

/** Words of predictRead's out block (f64): fn1 shape samples mean m2 x dx ema. */
export const PREDICTION_BYTES = 64;
/** Indices of the 1€ value and the EMA among those words. */
export const PREDICTION_X = 5, PREDICTION_EMA = 7;

/**
 * The learners' table of core c, or 0 when learning is off or paused. The table's address is written by
 * the host before any worker started and is read-only since; the enabled flag is read atomically, since
 * the host may pause the learners at any time.
 */
export function learnersTable(c: SharedCore): number {
  const L = c.L;
  const t = c.u32[(L.header + L.H_learn) >> 2];
  return t !== 0 && Atomics.load(c.u32, (t + L.LT_enabled) >> 2) !== 0 ? t : 0;
}

/**
 * Fingerprint (fn, shape)'s samples and 1€ value, read through `out` (PREDICTION_BYTES of the caller's),
 * or undefined when the table has no entry for it (or writers kept it busy: try again later).
 */
export function readPrediction(c: SharedCore, table: number, fn: number, shape: number, out: number): { samples: number; oneEuro: number } | undefined {
  if (c.x.predictRead(table, fn, shape, out) !== 1) return undefined;
  const o = out >> 3;
  return { samples: c.f64[o + 2], oneEuro: c.f64[o + PREDICTION_X] };
}
