// Runs graphs laid out by hand on the real worker loop (helpers/loop-worker.mjs: next() / finish() on
// worker threads) and checks each run as the core promises it: the run's end is posted once, every task
// is retired exactly once (run, or skipped after a stop), every counter is back where it started, every
// deque is empty. Used by the stopped-run and priority-level tests of the core.
import * as assert from 'uvu/assert';
import { makeCore, Threads, until, EMPTY, SHUTDOWN } from './core.mjs';
import { byPriority } from '../../build/src/engine/placement.js';

const STARTED = 0, MODE = 1, STOP_AT = 2, RUN = 3, FAILS = 4;
export const NO_STOP = 0, CANCEL = 1, FAIL = 2;
export const FAILING = 3;
export const NORMAL = 2;
const RUN_BIT = 0x80000000;
const SKIPPED = 32;          // RESULT_SKIPPED (assembly/layout.ts), checked against the core
const STALL_MS = 5_000;      // a run that has not ended by then never will (a worker parked on queued work)

/**
 * Lays out tasks slots[0 … n) as one graph of run r: succ(i) lists task i's successors (a DAG), level(i)
 * its priority level (0 critical … 3 low). Sources and successor lists are ordered as placement orders
 * them (byPriority). Plain stores; runStart's queue push publishes them. Returns the sources list.
 */
export function layOut(core, r, slots, n, succ, level) {
  const { L, u32 } = core;
  const lists = Array.from({ length: n }, (_, i) => byPriority(succ(i), level, true));
  const deps = new Array(n).fill(0);
  for (const l of lists) for (const j of l) deps[j]++;
  const sources = byPriority([...deps.keys()].filter((i) => deps[i] === 0), level, false);
  const block = core.alloc(4 * (sources.length + lists.reduce((a, l) => a + l.length, 0)) + 4);
  let at = block >> 2;
  for (const i of sources) u32[at++] = slots[i];
  for (let i = 0; i < n; i++) {
    const w = core.taskPtr(slots[i]) >> 2;
    u32[w + (L.T_fn >> 2)] = 0;
    u32[w + (L.T_deps >> 2)] = deps[i];
    u32[w + (L.T_pending >> 2)] = deps[i];
    u32[w + (L.T_run >> 2)] = r;
    u32[w + (L.T_flags >> 2)] = ((level(i) ^ NORMAL) & 3) << L.flag_LevelShift;
    u32[w + (L.T_succ >> 2)] = at << 2;
    u32[w + (L.T_nsucc >> 2)] = lists[i].length;
    for (const j of lists[i]) u32[at++] = slots[j];
    u32[w + (L.T_pred >> 2)] = 0;
    u32[w + (L.T_npred >> 2)] = 0;
    u32[w + (L.T_resInfo >> 2)] = 0;
  }
  return { list: block, nsrc: sources.length };
}

/** `workers` threads in the worker loop over a fresh core with room for `maxTasks` tasks. */
export class GraphLoop {
  static async start(workers, taskCapLog2, config = {}) {
    const env = await makeCore({ workers, taskCapLog2, dequeCapLog2: 8, runCap: 4, maxSpinners: Math.max(1, workers - 1), ...config });
    return new GraphLoop(env, workers, taskCapLog2);
  }

  constructor(env, workers, taskCapLog2) {
    this.core = env.core;
    this.workers = workers;
    this.ctl = new Int32Array(new SharedArrayBuffer(64));
    this.counts = new Int32Array(new SharedArrayBuffer(4 << taskCapLog2));
    this.order = new Int32Array(new SharedArrayBuffer(4 << taskCapLog2));
    this.th = new Threads('./loop-worker.mjs', workers, env, { ctl: this.ctl, counts: this.counts, order: this.order });
    this.loops = this.th.round(Array.from({ length: workers }, (_, w) => ({ w })), 600_000, 'worker loops');
    this.loops.catch(() => {});   // awaited by stop(); a crash fails the waits in between
    assert.is(this.core.L.flag_ResultSkipped, SKIPPED);
    this.slots = [];
    for (let i = 0; i < 1 << taskCapLog2; i++) this.slots.push(this.core.x.taskAlloc());
    assert.ok(this.slots.every((t) => t >= 0), 'task slots');
  }

  /**
   * Runs n tasks shaped by succ and level as run 1; mode/at: stop it (CANCEL: the at-th task started
   * cancels the run; FAIL: it and the next FAILING - 1 fail). Checks the run (see the top) and returns
   * the indices of the tasks in the order they started, and how many were skipped.
   */
  async run(n, succ, level, mode, at, label) {
    const { core, ctl, counts, slots } = this;
    const { x, L } = core;
    const r = 1, rp = core.runPtr(r);
    const runWord = (off) => Atomics.load(core.i32, (rp + off) >> 2);
    counts.fill(0);
    const { list, nsrc } = layOut(core, r, slots, n, succ, level);
    Atomics.store(ctl, STARTED, 0); Atomics.store(ctl, FAILS, 0);
    Atomics.store(ctl, MODE, mode); Atomics.store(ctl, STOP_AT, at); Atomics.store(ctl, RUN, r);
    x.runStart(r, list, nsrc);
    let ends = 0;
    const drain = () => {
      for (let v = x.mpmcPop(L.completions); v !== EMPTY; v = x.mpmcPop(L.completions)) {
        assert.is(v >>> 0, (RUN_BIT | r) >>> 0, `${label}: only the run's end is posted`);
        ends++;
      }
    };
    await until(() => { if (this.th.failure) throw this.th.failure; drain(); return ends > 0; }, STALL_MS,
      `${label}: the run's end (started ${Atomics.load(ctl, STARTED)} of ${n}; a worker parked with the run's tasks queued?)`);
    let ran = 0, skipped = 0;
    for (let i = 0; i < n; i++) {
      const t = slots[i], p = core.taskPtr(t);
      const skip = core.u32[(p + L.T_resInfo) >> 2] === SKIPPED ? 1 : 0;
      assert.is(counts[t] + skip, 1, `${label}: task #${i} ran ${counts[t]} times, skipped ${skip}`);
      assert.is(core.i32[(p + L.T_pending) >> 2], core.i32[(p + L.T_deps) >> 2], `${label}: task #${i} pending reset`);
      ran += counts[t]; skipped += skip;
    }
    const started = Atomics.load(ctl, STARTED);
    assert.is(ran, started, `${label}: runs counted`);
    assert.is(runWord(L.R_remaining), 0, `${label}: remaining`);
    if (mode === NO_STOP) assert.is(skipped, 0, `${label}: nothing skipped`);
    if (mode === FAIL) {
      assert.is(runWord(L.R_failures), Atomics.load(ctl, FAILS), `${label}: failures counted`);
      assert.ok(runWord(L.R_failed) !== 0 || n <= at, `${label}: the first failure recorded`);
    }
    for (let w = 0; w < this.workers; w++) {
      for (let l = 0; l < 4; l++) assert.is(x.dequeLength(this.deque(w, l)), 0, `${label}: worker ${w}'s level ${l} deque empty`);
    }
    assert.is(x.queuedLength(), 0, `${label}: submission queues empty`);
    drain();
    assert.is(ends, 1, `${label}: the end posted once`);
    x.heapFree(list);
    const index = new Map(slots.slice(0, n).map((t, i) => [t, i]));
    return { order: [...this.order.subarray(0, started)].map((t) => index.get(t)), skipped };
  }

  /** Worker w's deque of level l (layout.ts levelDeque). */
  deque(w, l) {
    const { core } = this;
    if (l === NORMAL) return core.workerPtr(w);
    const base = Atomics.load(core.u32, (core.L.header + core.L.H_levelDeques) >> 2);
    return base + (w * 3 + (l < NORMAL ? l : l - 1)) * core.L.size_Deque;
  }

  async stop() {
    try {
      this.core.x.wakeAllForShutdown();
      const replies = await this.loops;
      for (const [w, rep] of replies.entries()) assert.is(rep.last, SHUTDOWN, `thread ${w}: SHUTDOWN`);
      for (const t of this.slots) this.core.x.taskFree(t);
    } finally {
      await this.th.close();
    }
  }
}
