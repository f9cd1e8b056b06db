// The host's side of the learners (assembly/learn/): it lays out the predictors' block before the workers
// start, and reads, snapshots, restores and resets it. The workers feed it in Wasm (src/worker/run.ts,
// assembly/learn/predictor.ts learnObserve); nothing here is on a task's path.
import type { SharedCore } from '../engine/memory.js';
import type { FunctionTable } from '../engine/functions.js';
import type { Codec } from '../engine/codec.js';
import { messages } from '../errors.js';
import { seatOf } from '../engine/direct-seat.js';
import type { Router, RouterSnapshot } from './router.js';
import type { SpinLearner, SpinPolicyView } from './spin.js';
import { PREDICTORS, ONE_EURO, PER_ITEM, confidenceOf, shapeOf, sizeClassOf, nodeOf, isPerItem } from '../policy/learning.js';

/** One fingerprint's prediction of its task duration (milliseconds). */
export interface Prediction {
  /** The function's display name. */
  fn: string;
  /** 1 + floor(log2) of the largest argument's length (bytes encoded, or elements of a shared array); 0 when all fit a word. */
  sizeClass: number;
  /** The graph node (its task slot + 1) of a graph task; 0 for async tasks and spawned children. */
  node: number;
  /**
   * A spawned child's fork-join level (its spawner's + 1; a submitted or graph task is level 0): children
   * are predicted per function and level, whatever their arguments (docs/learning.md "Inlining spawned
   * children"). Absent for other tasks.
   */
  level?: number;
  samples: number;
  /** Mean and standard deviation of every sample. */
  mean: number;
  sd: number;
  /** The 1€ filter's value: the prediction. */
  oneEuro: number;
  /** The baseline exponential moving average. */
  ema: number;
  /** 0 … 1: grows with the samples, shrinks with the variation. */
  confidence: number;
  /**
   * True for the cost per item of a parallel algorithm's callback (docs/learning.md "Grain"): then the
   * values are nanoseconds per item and sizeClass is that of the call's item count.
   */
  perItem: boolean;
}

/** Counters of the predictors' block. */
export interface LearningStats {
  enabled: boolean;
  /** Samples folded in, and refused: not finite or negative (a clock that went backwards). */
  observed: number;
  dropped: number;
  /** Samples skipped because another worker was updating the same predictor (never waited for). */
  contended: number;
  /** Predictors replaced by another fingerprint (the table is full around its slot). */
  evicted: number;
}

/** What snapshot() returns and restore() takes: plain JSON. */
export interface ModelsSnapshot {
  version: 1;
  predictors: { kind: number; fn: string; sizeClass: number; node: number; samples: number; mean: number; m2: number; x: number; dx: number; ema: number; perItem?: boolean }[];
  /** The placement router's models and measured costs per element (learn/router.ts); absent in older snapshots. */
  router?: RouterSnapshot;
}

/** executor.models: inspection and control of the learned models. Host thread only. */
export interface LearnedModels {
  /** Every fingerprint with samples. */
  list(): Prediction[];
  /** The counters: samples folded, dropped, contended, predictors evicted. */
  stats(): LearningStats;
  /** A JSON-safe copy of every predictor, for restore() in this or a later executor over the same task module. */
  snapshot(): ModelsSnapshot;
  /** Warm start from a snapshot (predictors and the placement router's models); returns how many predictors it set. */
  restore(snapshot: ModelsSnapshot): number;
  /** Forgets every predictor and the placement router's models. */
  reset(): void;
  /** The spin policy in force (options.spinPolicy) and, with 'q-learning', each worker's Q-table. */
  spinPolicy(): SpinPolicyView;
}

const OUT_WORDS = 8;   // predictReadAt's f64[8]: fn1 shape samples mean m2 x dx ema

export class Models implements LearnedModels {
  readonly #core: SharedCore;
  readonly #table: number;   // 0 with learning off
  readonly #cap: number;
  readonly #out: number;     // f64[8] scratch for the reads
  #fns: FunctionTable | undefined;
  #codec: Codec | undefined;
  #router: Router | undefined;
  #spin: SpinLearner | undefined;

  private constructor(core: SharedCore, table: number, cap: number, out: number) {
    this.#core = core; this.#table = table; this.#cap = cap; this.#out = out;
  }

  /** Host, before the workers start: the predictors' block (none with `enabled` false). */
  static create(core: SharedCore, enabled: boolean): Models {
    const x = core.x;
    if (!enabled) { x.learnSetup(0, 0, 0, 0, 0, 0, 0); return new Models(core, 0, 0, 0); }
    const bytes = x.learnSize(PREDICTORS);
    const table = core.alloc(bytes);
    core.ensure(table, bytes);
    core.u8.fill(0, table, table + bytes);
    x.learnSetup(table, PREDICTORS, ONE_EURO.minCutoff, ONE_EURO.beta, ONE_EURO.dCutoff, ONE_EURO.emaAlpha, 1);
    const out = core.alloc(OUT_WORDS * 8);
    return new Models(core, table, PREDICTORS, out);
  }

  /** Host, once the engine exists: the function table and codec that name fingerprints. */
  bind(fns: FunctionTable, codec: Codec, router?: Router, spin?: SpinLearner): void {
    this.#fns = fns; this.#codec = codec; this.#router = router; this.#spin = spin;
  }

  spinPolicy(): SpinPolicyView { return this.#spin?.view() ?? { policy: 'heuristic', workers: [] }; }

  get enabled(): boolean { return this.#table !== 0; }

  /** The prediction for fn called as executor.async(fn, ...args) (node 0), or undefined before any sample. */
  predict(fn: unknown, args: readonly unknown[]): Prediction | undefined {
    const fns = this.#fns!;
    const id = fns.idOf(fn, 'executor.predict(fn, args)');
    if (this.#table === 0) return undefined;
    const shape = shapeOf(this.#sizeClass(args), 0);
    const r = this.#core.x.predictRead(this.#table, id, shape, this.#out);
    return r === 1 ? this.#prediction() : undefined;
  }

  /** Every fingerprint with samples. */
  list(): Prediction[] {
    const out: Prediction[] = [];
    for (let i = 0; i < this.#cap; i++) if (this.#readAt(i)) out.push(this.#prediction());
    return out;
  }

  stats(): LearningStats {
    const t = this.#table, u32 = this.#core.u32, L = this.#core.L;
    const at = (off: number): number => (t === 0 ? 0 : Atomics.load(u32, (t + off) >> 2));
    return { enabled: t !== 0, observed: at(L.LT_observed), dropped: at(L.LT_dropped), contended: at(L.LT_contended), evicted: at(L.LT_evicted) };
  }

  snapshot(): ModelsSnapshot {
    const predictors: ModelsSnapshot['predictors'] = [];
    const f = this.#core.f64, o = this.#out >> 3;
    for (let i = 0; i < this.#cap; i++) {
      if (!this.#readAt(i)) continue;
      const { kind, text } = this.#fns!.keyOf(f[o] - 1);
      const p = { kind, fn: text, sizeClass: sizeClassOf(f[o + 1]), node: nodeOf(f[o + 1]), samples: f[o + 2],
        mean: f[o + 3], m2: f[o + 4], x: f[o + 5], dx: f[o + 6], ema: f[o + 7] };
      predictors.push(isPerItem(f[o + 1]) ? { ...p, perItem: true } : p);
    }
    return this.#router === undefined ? { version: 1, predictors } : { version: 1, predictors, router: this.#router.snapshot() };
  }

  /**
   * Warm start: sets the predictors a snapshot holds (merging over what is there). Returns how many were
   * restored; entries whose function this executor cannot name (not an export of its task module, not
   * inline source) or whose values are not finite are skipped.
   */
  restore(snapshot: ModelsSnapshot): number {
    if (typeof snapshot !== 'object' || snapshot === null || snapshot.version !== 1 || !Array.isArray(snapshot.predictors)) {
      throw new TypeError(messages.argType('executor.models.restore(snapshot): snapshot', 'what executor.models.snapshot() returned (version 1)', snapshot));
    }
    this.#router?.restore(snapshot.router);
    if (this.#table === 0) return 0;
    let n = 0;
    for (const p of snapshot.predictors) {
      if (typeof p !== 'object' || p === null || typeof p.fn !== 'string') continue;
      const id = this.#fns!.idOfKey(p.kind, p.fn);
      if (id < 0 || !(Number.isInteger(p.sizeClass) && p.sizeClass >= 0 && p.sizeClass < 64) || !(Number.isInteger(p.node) && p.node >= 0 && p.node < 1 << 25)) continue;
      if (!(Number.isInteger(p.samples) && p.samples > 0 && p.samples < 2 ** 32)) continue;
      const shape = p.perItem === true ? (p.sizeClass < 32 ? (PER_ITEM | shapeOf(p.sizeClass, 0)) >>> 0 : -1) : shapeOf(p.sizeClass, p.node);
      if (shape >= 0 && this.#core.x.predictRestore(this.#table, id, shape, p.samples, p.mean, p.m2, p.x, p.dx, p.ema) === 1) n++;
    }
    seatOf(this.#core.memory)?.runner?.forget();
    return n;
  }

  /** Forgets every predictor and clears the counters. */
  reset(): void {
    if (this.#table !== 0) this.#core.x.predictReset(this.#table);
    seatOf(this.#core.memory)?.runner?.forget();   // direct runs decide afresh (src/worker/direct.ts)
    this.#router?.reset();
  }

  #readAt(i: number): boolean {
    return this.#table !== 0 && this.#core.x.predictReadAt(this.#table, i, this.#out) === 1;
  }

  /** The Prediction in the scratch words the last read filled. */
  #prediction(): Prediction {
    const f = this.#core.f64, o = this.#out >> 3;
    const n = f[o + 2], mean = f[o + 3], variance = n > 1 ? f[o + 4] / (n - 1) : 0;
    const node = nodeOf(f[o + 1]), forkLevel = node - this.#core.L.flag_ForkLevelNode;
    const p: Prediction = {
      fn: this.#fns!.nameOf(f[o] - 1), sizeClass: sizeClassOf(f[o + 1]), node: forkLevel >= 0 ? 0 : node, samples: n,
      mean, sd: Math.sqrt(Math.max(0, variance)), oneEuro: f[o + 5], ema: f[o + 7], confidence: confidenceOf(n, mean, variance),
      perItem: isPerItem(f[o + 1]),
    };
    if (forkLevel >= 0) p.level = forkLevel;
    return p;
  }

  /** The size class the core computes for these arguments (assembly/learn/predictor.ts): laid out in a scratch record. */
  #sizeClass(args: readonly unknown[]): number {
    const core = this.#core, x = core.x, L = core.L;
    const t = x.taskAlloc();
    if (t < 0) return 0;
    const p = core.taskPtr(t);
    try {
      core.u32[(p + L.T_run) >> 2] = 0xffffffff;
      core.u32[(p + L.T_flags) >> 2] = 0;
      this.#codec!.writeArgs(p, args);
      const shape = x.taskShape(t) >>> 0;
      this.#codec!.freeArgs(p);
      return sizeClassOf(shape);
    } finally {
      x.taskFree(t);
    }
  }
}
