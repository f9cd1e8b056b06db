// Critical-path priorities of graph runs (docs/learning.md "Critical path"): before some runs of a
// laid-out taskflow (policy/critical.ts replanAt), reads each node's predicted duration from the
// learners' table, computes the longest remaining paths (policy/critical.ts) and writes the levels
// into the task records: the level bits of each task's flags, and the order of each successor list and
// of the sources (placement.ts byPriority: the most urgent first, then longest first within a level).
//
// A replan due takes place only within its budget (policy/critical.ts replanFits): a share of the
// taskflow's own run time since its last replan (each run's wall time from its start to its end, times
// the workers), measured here on the host's clock; time between its runs does not count.
//
// Host thread only, between two runs of the taskflow (engine/runs.ts RunPlanner): no worker reads these
// records then; the plain stores here are published by runStartAt's atomic push of the run's seed.
// Taskflows with condition tasks are left alone (a condition's successor list is indexed by its
// choices), and so are resumed runs (their sources are a list of their own).
import type { SharedCore } from '../engine/memory.js';
import { byPriority, flagsLevel, levelBits, type Placed } from '../engine/placement.js';
import type { RunPlanner } from '../engine/runs.js';
import { bottomLevels, criticalLevels, longestFirst, replanAt, replanFits } from '../policy/critical.js';

/**
 * A laid-out taskflow's replan budget: its runs' time since its last replan (ms, wall × workers), its
 * last replan's cost (ms), and when its run in flight started (NaN: none timed).
 */
interface Budget { work: number; replanMs: number | undefined; started: number }

export class CriticalPath implements RunPlanner {
  readonly #core: SharedCore;
  readonly #out: number;   // f64[8] scratch for predictRead
  /** Per laid-out taskflow: the levels it was laid out with (the user's), read before the first replan. */
  readonly #base = new WeakMap<Placed, Uint8Array>();
  /** Per laid-out taskflow: its replan budget's clock. */
  readonly #budget = new WeakMap<Placed, Budget>();
  /** Replans due that did not fit their budget (tests read it). */
  putOff = 0;
  /** Replans done (tests and docs read it). */
  replans = 0;

  constructor(core: SharedCore) {
    this.#core = core;
    this.#out = core.alloc(64);
  }

  beforeRun(placed: Placed, run: number): void {
    if (placed.slots.length < 2) return;
    let budget = this.#budget.get(placed);
    if (budget === undefined) this.#budget.set(placed, (budget = { work: 0, replanMs: undefined, started: NaN }));
    if (replanAt(run)) {
      if (!replanFits(budget.replanMs, placed.slots.length, budget.work)) this.putOff++;
      else {
        const t0 = performance.now();
        this.#replan(placed);
        budget.replanMs = performance.now() - t0;
        budget.work = 0;
      }
    }
    budget.started = performance.now();
  }

  afterRun(placed: Placed): void {
    const budget = this.#budget.get(placed);
    if (budget === undefined || budget.started !== budget.started) return;   // NaN: a run this did not see start
    budget.work += (performance.now() - budget.started) * Math.max(1, this.#core.nWorkers);
    budget.started = NaN;
  }

  /** Writes the taskflow's levels and orders from the predictions (none known: nothing written). */
  #replan(placed: Placed): void {
    const c = this.#core, L = c.L, x = c.x;
    const table = c.u32[(L.header + L.H_learn) >> 2];   // host-written before the workers started
    if (table === 0 || Atomics.load(c.u32, (table + L.LT_enabled) >> 2) === 0) return;
    const slots = placed.slots, n = slots.length;
    const local = new Map<number, number>();
    for (let i = 0; i < n; i++) local.set(slots[i], i);
    const dur = new Float64Array(n);
    let known = 0;
    for (let i = 0; i < n; i++) {
      const t = slots[i];
      if (x.predictRead(table, c.u32[(c.taskPtr(t) + L.T_fn) >> 2], x.taskShape(t) >>> 0, this.#out) !== 1) continue;
      c.ensure(this.#out, 64);
      dur[i] = c.f64[(this.#out >> 3) + 5];   // the 1€ value, ms
      known++;
    }
    if (known === 0) return;
    // the successor lists, as local indices
    const u32 = c.u32;
    const succOff = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) succOff[i + 1] = succOff[i] + u32[(c.taskPtr(slots[i]) + L.T_nsucc) >> 2];
    const succ = new Int32Array(succOff[n]);
    for (let i = 0; i < n; i++) {
      const list = u32[(c.taskPtr(slots[i]) + L.T_succ) >> 2] >> 2;
      for (let k = succOff[i]; k < succOff[i + 1]; k++) succ[k] = local.get(u32[list + k - succOff[i]])!;
    }
    const shift = L.flag_LevelShift;
    let base = this.#base.get(placed);
    if (base === undefined) {
      base = new Uint8Array(n);
      for (let i = 0; i < n; i++) base[i] = flagsLevel(u32[(c.taskPtr(slots[i]) + L.T_flags) >> 2], shift);
      this.#base.set(placed, base);
    }
    const bottom = bottomLevels(n, succOff, succ, dur);
    const level = criticalLevels(bottom, base);
    const lv = (i: number): number => level[i], b = (i: number): number => bottom[i];
    for (let i = 0; i < n; i++) {
      const w = (c.taskPtr(slots[i]) + L.T_flags) >> 2;
      u32[w] = (u32[w] & ~(3 << shift)) | levelBits(level[i], shift);
      const list = u32[(c.taskPtr(slots[i]) + L.T_succ) >> 2] >> 2;
      const items = Array.from(succ.subarray(succOff[i], succOff[i + 1]));
      if (items.length > 1) byPriority(longestFirst(items, b), lv, true).forEach((s, k) => { u32[list + k] = slots[s]; });
    }
    const src = placed.block >> 2;
    const sources = Array.from(u32.subarray(src, src + placed.nSources), (t) => local.get(t)!);
    byPriority(longestFirst(sources, b), lv, false).forEach((s, k) => { u32[src + k] = slots[s]; });
    this.replans++;
  }
}
