// The grain of a parallel algorithm from the learned cost per item of its callback (docs/learning.md
// "Grain"), in place of the probe (drive.ts layout). The cost lives in the learners' table in shared
// memory (assembly/learn/predictor.ts), beside the task predictors, under the fingerprint (callback id,
// perItemShape(n)): src/policy/learning.ts says how that shape word is told apart. The driving task
// reads it before laying a call out and folds the call's measured cost into it afterwards; nothing here
// runs per item or per chunk beyond two clock reads on the driver's own chunks.
import type { SharedCore } from '../engine/memory.js';
import { learnedItemCost, perItemShape } from '../policy/learning.js';
import { MIN_PROBE_NS } from './partition.js';
import { Arg, PART_STATIC } from './spec.js';
import { type Args, type Body, theCore } from './job.js';

/** The learners' table of core c, or 0 when learning is off or paused (the enabled flag, read atomically). */
function tableOf(c: SharedCore): number {
  const L = c.L;
  const t = c.u32[(L.header + L.H_learn) >> 2];   // host-written before any worker started; read-only since
  return t !== 0 && Atomics.load(c.u32, (t + L.LT_enabled) >> 2) !== 0 ? t : 0;
}

/**
 * One call's cost meter: `predicted` is the learned ns per item (0: probe), and the probe's time and the
 * driver's own chunks are added to `ns` and `items`, which observe() folds into the table.
 */
export class ItemCost {
  readonly predicted: number;
  ns = 0;
  items = 0;
  readonly #core: SharedCore;
  readonly #table: number;
  readonly #fn: number;
  readonly #shape: number;

  constructor(core: SharedCore, table: number, fn: number, shape: number, predicted: number) {
    this.#core = core; this.#table = table; this.#fn = fn; this.#shape = shape; this.predicted = predicted;
  }

  /** body, timing each chunk it runs into this meter. */
  timed(body: Body): Body {
    return (lo, hi) => {
      const t0 = performance.now();
      body(lo, hi);
      this.ns += (performance.now() - t0) * 1e6;
      this.items += hi - lo;
    };
  }

  /** Folds the measured ns per item in, when the measure is long enough to beat the timer (MIN_PROBE_NS). */
  observe(): void {
    if (this.items > 0 && this.ns >= MIN_PROBE_NS) this.#core.x.predictObserve(this.#table, this.#fn, this.#shape, this.ns / this.items);
  }
}

/**
 * The meter of a call over n items whose grain is left to the runtime, or undefined where nothing is
 * learned: learning off, a built-in op (its cost is known), a static partitioner or a grain given.
 */
export function itemCost(args: Args, n: number, costNs: number, kind: number): ItemCost | undefined {
  const fn = args[Arg.F1] as number;
  if (costNs > 0 || fn < 0 || (args[Arg.Grain] as number) !== 0 || kind === PART_STATIC) return undefined;
  const c = theCore();
  const table = tableOf(c);
  if (table === 0) return undefined;
  const shape = perItemShape(n);
  let predicted = 0;
  // 8 f64 words for predictRead, for this read only: a block kept per thread would outlive a replaced thread
  const out = c.alloc(64);
  try {
    if (c.x.predictRead(table, fn, shape, out) === 1) {
      const o = out >> 3;
      predicted = learnedItemCost(c.f64[o + 2], c.f64[o + 5]);   // samples, the 1€ value
    }
  } finally { c.x.heapFree(out); }
  return new ItemCost(c, table, fn, shape, predicted);
}
