// The core's side of stopped runs (assembly/README.md, Sleep: exploit): the real worker loop on 1, 2
// and 4 threads runs graphs laid out by hand, and one task cancels the run, or several fail, part way
// through. Every run must end (its RUN_BIT entry on the completion ring, once) and every task must be
// retired exactly once: run, or skipped, never both, never neither. Over growing sizes, independent
// tasks and chains, each stop point early and late, with thieves.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, Threads, growing, until, SCALE, EMPTY, SHUTDOWN } from './helpers/core.mjs';

const STARTED = 0, MODE = 1, STOP_AT = 2, RUN = 3, FAILS = 4;
const NO_STOP = 0, CANCEL = 1, FAIL = 2;
const FAILING = 3;
const RUN_BIT = 0x80000000;
const SKIPPED = 32;          // RESULT_SKIPPED (assembly/layout.ts), checked against the core below
const STALL_MS = 5_000;      // a run that has not ended by then never will: a worker parked on queued tasks
const TASK_LOG2 = 11;
const MAX = Math.min(1 << TASK_LOG2, Math.max(364, Math.round(1500 * SCALE)));

/**
 * Lays out n tasks of run r: chains of `len` tasks (len 1: independent tasks). Returns the sources'
 * list pointer and count. Records are written with plain stores; runStart's queue push publishes them.
 */
function layOut(core, r, slots, n, len) {
  const { L, u32 } = core;
  const list = core.alloc(4 * (n + n) + 4);
  let nsrc = 0;
  for (let i = 0; i < n; i += len) u32[(list >> 2) + nsrc++] = slots[i];
  const succAt = list + 4 * nsrc;
  for (let i = 0; i < n; i++) {
    const w = core.taskPtr(slots[i]) >> 2;
    const head = i % len === 0;
    const last = i % len === len - 1 || i === n - 1;
    u32[w + (L.T_fn >> 2)] = 0;
    u32[w + (L.T_deps >> 2)] = head ? 0 : 1;
    u32[w + (L.T_pending >> 2)] = head ? 0 : 1;
    u32[w + (L.T_run >> 2)] = r;
    u32[w + (L.T_flags >> 2)] = 0;
    u32[w + (L.T_succ >> 2)] = succAt + 4 * i;
    u32[w + (L.T_nsucc >> 2)] = last ? 0 : 1;
    u32[(succAt >> 2) + i] = last ? 0 : slots[i + 1];
    u32[w + (L.T_pred >> 2)] = 0;
    u32[w + (L.T_npred >> 2)] = 0;
    u32[w + (L.T_resInfo >> 2)] = 0;
  }
  return { list, nsrc };
}

for (const workers of [1, 2, 4]) {
  const S = suite(`core: stopped runs end, every task retired once (${workers} thread${workers > 1 ? 's' : ''})`);
  S('cancelled and failing runs over growing sizes, independent tasks and chains', async () => {
    const env = await makeCore({ workers, taskCapLog2: TASK_LOG2, dequeCapLog2: 8, runCap: 4, maxSpinners: Math.max(1, workers - 1) });
    const { core } = env;
    const { x, L } = core;
    assert.is(L.flag_ResultSkipped, SKIPPED);
    const ctl = new Int32Array(new SharedArrayBuffer(64));
    const counts = new Int32Array(new SharedArrayBuffer(4 << TASK_LOG2));
    const th = new Threads('./stop-worker.mjs', workers, env, { ctl, counts });
    const r = 1;
    const rp = core.runPtr(r);
    const runWord = (off) => Atomics.load(core.i32, (rp + off) >> 2);
    try {
      const loops = th.round(Array.from({ length: workers }, (_, w) => ({ w })), 600_000, 'worker loops');
      loops.catch(() => {});   // awaited at the end; a crash fails the waits in between
      const slots = [];
      for (let i = 0; i < MAX; i++) slots.push(x.taskAlloc());
      assert.ok(slots.every((t) => t >= 0), 'task slots');
      let rounds = 0;
      for (const n of growing(MAX)) {
        for (const len of [1, 4]) {
          for (const [mode, at] of [[NO_STOP, 0], [CANCEL, 0], [CANCEL, n >> 1], [FAIL, 0], [FAIL, n >> 1]]) {
            const label = `n=${n}, chains of ${len}, ${['no stop', 'cancel', 'fail'][mode]} at ${at}`;
            counts.fill(0);
            const { list, nsrc } = layOut(core, r, slots, n, len);
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
            await until(() => { if (th.failure) throw th.failure; drain(); return ends > 0; }, STALL_MS,
              `${label}: the run's end (started ${Atomics.load(ctl, STARTED)} of ${n}; a worker parked with the run's tasks queued?)`);
            let ran = 0, skipped = 0;
            for (let i = 0; i < n; i++) {
              const t = slots[i], p = core.taskPtr(t);
              const skip = core.u32[(p + L.T_resInfo) >> 2] === SKIPPED ? 1 : 0;
              assert.is(counts[t] + skip, 1, `${label}: task #${i} ran ${counts[t]} times, skipped ${skip}`);
              assert.is(core.i32[(p + L.T_pending) >> 2], core.i32[(p + L.T_deps) >> 2], `${label}: task #${i} pending reset`);
              ran += counts[t]; skipped += skip;
            }
            assert.is(ran, Atomics.load(ctl, STARTED), `${label}: runs counted`);
            assert.is(runWord(L.R_remaining), 0, `${label}: remaining`);
            if (mode === NO_STOP) assert.is(skipped, 0, `${label}: nothing skipped`);
            if (mode === FAIL) {
              assert.is(runWord(L.R_failures), Atomics.load(ctl, FAILS), `${label}: failures counted`);
              assert.ok(runWord(L.R_failed) !== 0 || n <= at, `${label}: first failure recorded`);
            }
            if (mode !== NO_STOP && at === 0 && n > 1 + FAILING) assert.ok(skipped > 0, `${label}: something was skipped`);
            for (let w = 0; w < workers; w++) {
              const wp = core.workerPtr(w);
              assert.is(core.i32[(wp + L.W_bottom) >> 2] - Atomics.load(core.i32, (wp + L.W_top) >> 2), 0, `${label}: deque ${w} empty`);
            }
            drain();
            assert.is(ends, 1, `${label}: the end posted once`);
            x.heapFree(list);
            rounds++;
          }
        }
      }
      assert.ok(rounds >= 40, `${rounds} rounds`);
      x.wakeAllForShutdown();
      const replies = await loops;
      for (const [w, rep] of replies.entries()) assert.is(rep.last, SHUTDOWN, `thread ${w}: SHUTDOWN`);
      for (const t of slots) x.taskFree(t);
    } finally {
      await th.close();
    }
  });
  S.run();
}
