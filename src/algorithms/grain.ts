// The grain of a parallel algorithm from the learned cost per item of its callback (docs/learning.md
// "Grain"), in place of the probe (drive.ts layout). The cost lives in the learners' table in shared
// memory (assembly/learn/predictor.ts), beside the task predictors, under the fingerprint (callback id,
// perItemShape(n)): src/policy/learning.ts says how that shape word is told apart. The driving task
// reads it before laying a call out and folds the call's measured cost into it afterwards; nothing here
// runs per item or per chunk: two clock reads time the driver's own loop as a whole.
import type { SharedCore } from '../engine/memory.js';
import { learnersTable, readPrediction, PREDICTION_BYTES } from '../engine/learn-table.js';
import { learnedItemCost, perItemShape } from '../policy/learning.js';
import { MIN_PROBE_NS } from './partition.js';
import { Arg, PART_STATIC } from './spec.js';
import { type Args, theCore } from './job.js';

/**
 * One call's cost meter: `predicted` is the learned ns per item (0: probe), and the probe's time and the
 * driver's own loop over its chunks are added to `ns` and `items`, which observe() folds into the table.
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

  /**
   * Runs `loop` (a claim loop returning the items it ran) and adds its time and items to this meter: one
   * pair of clock reads for the loop, where a pair per chunk cost more than the chunks' claims it leaves in.
   */
  time(loop: () => number): void {
    const t0 = performance.now();
    const items = loop();
    this.ns += (performance.now() - t0) * 1e6;
    this.items += items;
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
  const table = learnersTable(c);
  if (table === 0) return undefined;
  const shape = perItemShape(n);
  let predicted = 0;
  // 8 f64 words for predictRead, for this read only: a block kept per thread would outlive a replaced thread
  const out = c.alloc(PREDICTION_BYTES);
  try {
    const p = readPrediction(c, table, fn, shape, out);
    if (p !== undefined) predicted = learnedItemCost(p.samples, p.oneEuro);
  } finally { c.x.heapFree(out); }
  return new ItemCost(c, table, fn, shape, predicted);
}
