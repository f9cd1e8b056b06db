// Direct runs (src/policy/direct.ts says when and why; engine/direct-seat.ts how the host asks): in the
// single-threaded mode, a one-off task predicted short runs at once, inside the caller's `async()`, on
// this worker's behalf. It is run as the worker loop would run it (run.ts runTop), less what a task that
// qualifies cannot need:
//   - it calls the function the worker's cache holds (the module export, the inline source compiled here,
//     or where no source is compiled the function object itself: functions.ts), as the loop would, so it
//     sees what it would see in a slice;
//   - its arguments, at most six, are numbers, booleans, null or undefined, which cross as themselves,
//     and the fingerprint it is predicted by is the one the worker feeds for the same call (size class 0,
//     no graph node: assembly/learn/predictor.ts taskShape; more arguments would spill, another class);
//   - its return value crosses as it would from a thread (codec.crossed: a copy, a new view), and what it
//     throws becomes the plain error record the worker would have written, from which the host rebuilds
//     the same error (outcomes.ts);
//   - it is timed, counted in `executed` and fed to its predictor as a task of the loop is (the sampler's
//     count decides which ones are timed, and a clock read every few runs adds the runs after a slow
//     stretch), so a function that became slow stops running directly. Its error's stack is the
//     caller's, where a deferred task's is the worker loop's.
// It runs only while this worker has nothing of its own: no task on its stack (a task that calls the
// executor's `async` defers), none suspended, no direct run under way. The host adds that nothing it
// submitted is in flight or waiting, so a direct run never overtakes a task submitted before it.
import { Direct, seatOf, type DirectRunner } from '../engine/direct-seat.js';
import { ARG_WORDS } from '../engine/kinds.js';
import { PREDICTION_BYTES, PREDICTION_X, PREDICTION_EMA } from '../engine/learn-table.js';
import { DIRECT, runsNow, directStride, readable, coarse, amortised } from '../policy/direct.js';
import { isThenable, callList } from './call.js';
import type { Thread } from './thread.js';
import { clock } from '../platform/clock.js';
import { soon } from '../platform/microtask.js';

/** Predictions a direct-run decision looks back over (see `pred`). */
const RECENT = 3;

/** Offers this worker's direct runs to the host on its thread; returns how to withdraw them (at stop). */
export function takeSeat(th: Thread): () => void {
  const seat = seatOf(th.core.memory);
  if (seat === undefined) return () => {};
  const runner = createDirect(th);
  seat.runner = runner;
  return () => { if (seat.runner === runner) seat.runner = undefined; };
}

/** The worker side of direct runs; `th` is started (fns, sampler, observers set). */
function createDirect(th: Thread): DirectRunner {
  const { core, x, codec } = th, L = core.L;
  const fns = th.fns!, sampler = th.sampler!, observers = th.observers!;
  const table = core.u32[(L.header + L.H_learn) >> 2];   // host-written before any worker started; 0: learning off
  const enabledAt = (table + L.LT_enabled) >> 2;
  const executedAt = th.slotWord(L.W_executed);
  /** The clock's tick (clockQuantum), measured at the first timing that needs it: not at every start. */
  let quantum = NaN;
  const out = table === 0 ? 0 : core.alloc(PREDICTION_BYTES);   // predictRead's answer (learn-table.ts)
  /**
   * Per function id, what a run decides by: the least of the last RECENT durations seen (ms; undefined or
   * NaN: none), each the run time of a timed direct run (those the clock cannot read, `readable`, taken
   * together: `unreadable`), or the table's prediction when runs are not direct (the worker loop feeds
   * it). A timing is long for one of two reasons: the function became slower, which every following timing shows too, or something stretched that one run (a collection of
   * the burst's own garbage, a preemption), which comes and goes. So it takes RECENT long timings in a row
   * to send a function back to the slices, and one short one to bring it back; on a machine that collects
   * often (a browser with thousands of promises alive) a median still flipped bursts over.
   */
  const pred: number[] = [];
  const seen: number[] = [];   // RECENT per id, oldest first
  /**
   * Per function id, its timings on a coarse clock that read under two ticks, taken together
   * (policy/direct.ts amortised): their decayed sum (ms), decayed count, and how many were taken.
   */
  const tickSum: number[] = [], tickRuns: number[] = [], tickSeen: number[] = [];
  /** Function ids that returned a promise once: they always wait for the worker. */
  const never: boolean[] = [];
  let running = false;
  /**
   * Timing between the sampler's counts. The clock is read once every `stride` direct runs of a turn
   * (policy/direct.ts directStride): the time since the last read bounds what the runs between took
   * (with the caller's own work between its calls). A window of the bound or more gets each of the next
   * `stride` runs timed, whatever the sampler's count says, so a function that became slow goes back to
   * the slices within a few runs even when the sampler timed none of them. A window is not taken in as a
   * duration itself: a collection of the burst's garbage, or the caller's work, fills one as well.
   * On a fine clock the stride comes from the last window (after a short one). On a coarse clock, which
   * reads a window as 0 or whole ticks, it comes from the turn's average run (`turnAt`, `turnRuns`: the
   * time since the turn's first read over the runs since): a stride taken from the last window ran
   * windows that read two ticks as often as not, and each of those timed the next runs for nothing.
   * `since` is 0 before a turn's first read: the caller's awaits and the event loop fall between turns.
   */
  let stride = 1, left = 0, since = 0, timing = 0, turnQueued = false, turnAt = 0, turnRuns = 0;
  const endTurn = (): void => { since = 0; left = 0; turnQueued = false; };

  /**
   * What the table says of function id's one-off tasks (ms; NaN: nothing yet): the lesser of its 1€ value
   * and its EMA. At rest the 1€ filter moves about 1 % a sample (its point: it smooths jitter), so the
   * slow first runs of a cold function would keep it high for hundreds of samples; the EMA forgets them
   * in a few dozen. A real rise lifts both within a sample or two (the 1€ cutoff opens for it).
   */
  function tableValue(id: number): number {
    if (x.predictRead(table, id, 0, out) !== 1) return NaN;
    const f64 = core.f64, o = out >> 3;
    return Math.min(f64[o + PREDICTION_X], f64[o + PREDICTION_EMA]);
  }

  /** Takes duration v (ms) of function id in: the decision value is the least of the last RECENT. */
  function note(id: number, v: number): void {
    const at = id * RECENT;
    for (let k = 0; k < RECENT - 1; k++) seen[at + k] = seen[at + k + 1];
    seen[at + RECENT - 1] = v;
    pred[id] = least3(seen[at], seen[at + 1], seen[at + 2]);
  }

  /**
   * Takes in timing `ms` of function id that the coarse clock cannot read (0 or one tick): once enough
   * were taken, the mean of the recent ones is noted (each one: a short mean breaks a streak of long
   * timings, as a short timing does), before that a 0 only. One such timing says nothing, but a
   * function between the bound and a tick reads 0 most of the time and never two ticks: taking each 0
   * as short would keep it running directly for good.
   */
  function unreadable(id: number, ms: number): void {
    const keep = 1 - 1 / DIRECT.coarseWindow;
    const sum = (tickSum[id] ?? 0) * keep + ms, runs = (tickRuns[id] ?? 0) * keep + 1, taken = (tickSeen[id] ?? 0) + 1;
    tickSum[id] = sum; tickRuns[id] = runs; tickSeen[id] = taken;
    const mean = amortised(sum, runs, taken);
    if (mean === mean) note(id, mean);
    else if (ms === 0) note(id, 0);
  }

  /**
   * The plain error record the worker would write for e (join.ts fail, codec.writeError), as the host
   * reads it; e itself if even that fails (a stack overflow can strike again here).
   */
  const plainOf = (e: unknown): unknown => {
    try { return codec.roundTrip(codec.toPlain(e)); } catch { return e; }
  };

  const runner = {
    out: undefined as unknown,
    forget(): void {
      pred.length = 0;
      seen.length = 0;
      tickSum.length = 0; tickRuns.length = 0; tickSeen.length = 0;
    },
    run(id: number, args: readonly unknown[]): Direct {
      if (running || table === 0 || th.depth !== 0 || th.suspended !== 0 || never[id] === true) return Direct.NotRun;
      // Learning paused (the host's flag, read plainly: a stale read moves one decision, and an atomic load
      // costs 40–65 ns a call), or an observer installed, which sees every task in the loop.
      if (core.u32[enabledAt] === 0 || observers.on()) return Direct.NotRun;
      if (args.length > ARG_WORDS) return Direct.NotRun;   // its record would spill: another fingerprint (SPILLED)
      for (let i = 0; i < args.length; i++) {
        // Each `typeof a === '…'` is V8's TestTypeOf, a map check; `typeof a` kept in a variable is a call
        // to its Typeof builtin in optimized code.
        const a = args[i];
        if (typeof a !== 'number' && typeof a !== 'boolean' && a !== undefined && a !== null) return Direct.NotRun;
      }
      let fn: Function | undefined;
      try { fn = fns.bare(id); } catch { return Direct.NotRun; }   // a missing export: the loop reports it
      if (fn === undefined) return Direct.NotRun;
      // Last, as the only check that may call into Wasm: not short as last seen, ask the table, which the
      // loop's timed tasks feed.
      if (!runsNow(pred[id])) {
        const v = tableValue(id);
        if (v !== seen[id * RECENT + RECENT - 1]) note(id, v);
        if (!runsNow(pred[id])) return Direct.NotRun;
        // Back because the table reads short: its next runs are timed, so that RECENT timings that read
        // long send it back at once where the table only dipped (on a coarse clock the table's value is
        // made of timings the clock could not read, and the sampler times few direct runs).
        if (timing < RECENT) timing = RECENT;
      }
      running = true;
      if (!turnQueued) { turnQueued = true; soon(endTurn); }
      let start = 0;   // this run's start when it is timed here
      turnRuns++;
      if (timing > 0) {
        timing--;
        start = since = clock.now();
        left = stride;
      } else if (--left <= 0) {
        const now = clock.now();
        if (since === 0) {
          start = turnAt = now;   // a turn's first run is timed: a caller that awaits each call has a turn per run
          turnRuns = 0;
        } else {
          const window = now - since;
          if (quantum !== quantum) quantum = clockQuantum();
          const long = window >= DIRECT.maxMs && readable(window, quantum);
          if (long) { timing = stride - 1; start = now; }
          if (coarse(quantum)) stride = directStride((now - turnAt) / turnRuns, quantum);
          else if (!long) stride = directStride(window / stride, quantum);
        }
        since = now;
        left = stride;
      }
      const t0 = --sampler.countdown === 0 || sampler.long ? sampler.unstamped() : 0;
      let how: Direct;
      try {
        const r = callList(fn, args);
        if (isThenable(r)) {
          never[id] = true;
          runner.out = Promise.resolve(r).then((v) => codec.crossed(v, -1)).then(undefined, (e: unknown) => { throw plainOf(e); });
          how = Direct.Pending;
        } else {
          runner.out = codec.crossed(r, -1);
          how = Direct.Value;
        }
      } catch (e) {
        runner.out = plainOf(e);
        how = Direct.Failed;
      } finally {
        running = false;
      }
      // As the loop does (run.ts): an async task's run time is not recorded; the others' feeds the predictor.
      if ((t0 !== 0 || start !== 0) && how !== Direct.Pending) {
        const ms = t0 !== 0 ? sampler.end(t0) : clock.now() - start;
        x.predictFold(table, id, 0, ms);   // the table the loop and the snapshots read
        if (quantum !== quantum) quantum = clockQuantum();
        // A timing the clock cannot read (under two ticks of a coarse one) counts with the function's
        // other such timings (unreadable): their mean breaks a streak of long ones when it is short (three
        // stretched runs scattered over a burst, collections or preemptions, would otherwise send a short
        // function back). Alone it says nothing either way: a run of 1.5 ticks reads one tick more often
        // than two, and one of a third of a tick reads 0 two times in three.
        if (readable(ms, quantum)) note(id, ms);
        else unreadable(id, ms);
      }
      core.u32[executedAt]++;   // owner-written (this worker's slot), as finish() counts a task of the loop
      return how;
    },
  };
  return runner;
}

/** The least of three durations, of those there are (undefined or NaN: none); NaN if none. */
export function least3(a: number | undefined, b: number | undefined, c: number | undefined): number {
  let m = NaN;   // `!(v >= m)` takes v while m is NaN, then only a shorter one
  if (a !== undefined && a === a && !(a >= m)) m = a;
  if (b !== undefined && b === b && !(b >= m)) m = b;
  if (c !== undefined && c === c && !(c >= m)) m = c;
  return m;
}

/**
 * The clock's tick (ms): the least step of performance.now() over three tries. Fine in Node, Deno and
 * Bun; coarse in browsers (20 µs in a cross-origin isolated Firefox page, 100 µs in a Chromium page that
 * is not isolated), where single timings of a short task cannot be read (policy/direct.ts readable).
 * Infinity for a clock that did not move in 20 000 reads (one that stands still during a turn, as
 * Cloudflare's does): no single timing can be read there.
 */
function clockQuantum(): number {
  let q = Infinity;
  for (let i = 0; i < 3; i++) {
    const a = clock.now();
    let b = a;
    for (let k = 0; k < 20_000 && b === a; k++) b = clock.now();
    if (b !== a) q = Math.min(q, b - a);
  }
  return q;
}
