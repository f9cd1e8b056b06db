// A worker's fork-join predictions: how long a spawned child of function f at fork-join level l takes,
// and whether a thief is hungry; together they decide whether `this.spawn` runs the child inline
// (src/policy/inlining.ts says how, lazy.ts does it).
//
// A child's fingerprint is (function, level) (assembly/learn/predictor.ts taskShape): a task submitted
// from the host or a graph is level 0, a child its spawner's level + 1 (a real child carries it in its
// record's `state` word, so a thief knows the level of what it stole). In a divide and conquer the
// children of one level do about the same work, and a level deeper a k-th of it: fib(30)'s level l
// averages 2^-l of the whole. The durations live in the shared predictor table (1€ filters,
// assembly/learn/), fed by every worker; each worker keeps the values it last saw in a plain array per
// function, read from the table at its first spawn of the function (so a restored snapshot warm-starts
// them) and refreshed by its own timed frames (predictFold returns the prediction after the sample): a
// spawn decides with two array loads and no call into Wasm.
//
// Which child frames are timed: per level, the first INLINING.sampleFirst, then one in
// INLINING.sampleEvery, and every one predicted long (INLINING.sampleAboveMs), whether the child ran
// inline, nested in a join or at the top of the loop: a level whose children became jobs is still
// measured, so a prediction can move either way.
//
// The hungry signal is our own deque empty while another worker is idle: Header.spinners (workers
// searching for work) or Header.sleepers (parked) is not 0 (assembly/sleep.ts). Those words are atomic
// there (producers and searchers keep the sleep protocol's single order on them); here they are only
// read, for the children between "tiny" and "worth a job" (Zone.Small), and only with more than one
// worker. Those reads, and the one of our deque's `top` (a thief's CAS moves it), are plain, unordered
// loads: the answer is a hint that orders nothing, and in Node 20's V8 an Atomics.load is a call to a
// builtin that the optimizing compiler does not inline (three of them a spawn, 1 % of a worker's time
// in fib through subflows at 2 workers). An idle worker with nothing to take from us gets the next such child as a job
// (a promotion), which the deque push publishes and which wakes a sleeper as any spawn's push does. A
// parked thief counts too: once parked, it leaves `spinners`, and only a push wakes it. Nothing is
// written for it: a stale read only moves one decision by one spawn.
import type { Thread } from './thread.js';
import { INLINING, Zone, zoneOf, runsInline, sampleGap } from '../policy/inlining.js';
import { clock } from '../platform/clock.js';

export interface Forecast {
  /** Spawned children may run inline (learning on: the predictor table exists). */
  readonly on: boolean;
  /** Whether child fn `id` at fork-join `level` runs inline now. */
  inline(id: number, level: number): boolean;
  /** A task of fn `id` returned a promise: its children never run inline from now on (lazy.ts cannot await). */
  never(id: number): void;
  /** A child frame (fn `id`) at `level` starts: its start time if it is timed, else 0. */
  begin(id: number, level: number): number;
  /** That frame (fn `id`) ended: feeds its duration to the predictor and refreshes this worker's copy. */
  end(t0: number, id: number, level: number): void;
}

export function createForecast(th: Thread): Forecast {
  const { core, x } = th, L = core.L;
  const u32 = core.u32;
  const table = u32[(L.header + L.H_learn) >> 2];
  const on = table !== 0 && Atomics.load(u32, (table + L.LT_enabled) >> 2) !== 0;
  const LEVELS = L.count_ForkLevels, NODE = L.flag_ForkLevelNode;
  /** Predicted ms per function id, per level (NaN: none yet), and the zone of each (policy/inlining.ts), what a spawn reads. */
  const pred: (Float64Array | undefined)[] = [];
  const zones: (Uint8Array | undefined)[] = [];
  /**
   * The rows of a function whose children never run inline: async functions, and any that returned a
   * promise (lazy.ts cannot await). "Not predicted", so always a job; its samples are not kept.
   */
  const NEVER = new Float64Array(LEVELS).fill(NaN), NEVER_ZONES = new Uint8Array(LEVELS).fill(Zone.Large);
  const AsyncFunction = (async () => {}).constructor, AsyncGeneratorFunction = (async function* () {}).constructor;
  /** Per level: frames until the next timed one, and how many were timed. */
  const gap = new Int32Array(LEVELS).fill(1);
  const timed = new Int32Array(LEVELS);
  const alone = core.nWorkers < 2;
  const spinnersAt = (L.header + L.H_spinners) >> 2, sleepersAt = (L.header + L.H_sleepers) >> 2;
  const topAt = th.slotWord(L.W_top), bottomAt = th.slotWord(L.W_bottom);

  /** This worker's first look at fn `id`: what the table predicts for each level (a restored snapshot, other workers). */
  function learn(id: number): Uint8Array {
    const f = th.fns!.get(id);
    if (f instanceof AsyncFunction || f instanceof AsyncGeneratorFunction) { pred[id] = NEVER; return (zones[id] = NEVER_ZONES); }
    const row = new Float64Array(LEVELS), zone = new Uint8Array(LEVELS);
    for (let l = 0; l < LEVELS; l++) zone[l] = zoneOf(row[l] = x.predictValue(table, id, NODE + l), INLINING);
    pred[id] = row;
    return (zones[id] = zone);
  }

  /** Our own deque holds nothing a thief could take, and another worker is idle: searching, or parked. */
  function hungry(): boolean {
    if (alone) return false;
    const i32 = core.i32;
    return i32[bottomAt] - i32[topAt] <= 0 && (i32[spinnersAt] > 0 || i32[sleepersAt] > 0);   // bottom: ours; all plain loads (above)
  }

  /**
   * begin() of a frame that is timed: the gap to the next one, and the clock (a call: begin is inlined
   * into every inline child's frame, lazy.ts run, whose inlining budget the task function needs).
   */
  function timedBegin(id: number, l: number): number {
    const row = pred[id];
    gap[l] = sampleGap(++timed[l], row === undefined ? NaN : row[l], INLINING);
    return clock.now();
  }

  return {
    on,
    inline(id, level) {
      const zone = (zones[id] ?? learn(id))[level < LEVELS ? level : LEVELS - 1] as Zone;
      return runsInline(zone, zone === Zone.Small && hungry());   // the hungry signal only where it decides
    },
    never(id) {
      pred[id] = NEVER;
      zones[id] = NEVER_ZONES;
    },
    begin(id, level) {
      if (!on) return 0;
      const l = level < LEVELS ? level : LEVELS - 1;
      return --gap[l] > 0 ? 0 : timedBegin(id, l);
    },
    end(t0, id, level) {
      const l = level < LEVELS ? level : LEVELS - 1;
      const v = x.predictFold(table, id, NODE + l, clock.now() - t0);
      if (v !== v) return;   // dropped or contended: keep what we had
      const zone = zones[id] ?? learn(id);
      if (zone === NEVER_ZONES) return;
      pred[id]![l] = v;
      zone[l] = zoneOf(v, INLINING);
    },
  };
}
