// The sleep protocol (assembly/sleep.ts, assembly/README.md#sleep): no lost wake-up. Every exchange runs
// in worker threads and is awaited with a timeout, so a thread parked forever fails the test instead of
// hanging the suite. Then the real worker loop: next()/finish() on two threads, fed by submit().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, Threads, growing, exactlyOnce, until, withProgress, SCALE, EMPTY, SHUTDOWN, NONE } from './helpers/core.mjs';

// ctl indices, mirrored from helpers/sleep-worker.mjs
const DONE = 0, CONSUMED = 1;
const CTL_WORDS = 16;
const newCtl = () => new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
const newBarrier = () => new Int32Array(new SharedArrayBuffer(4));
const ROUNDS = Math.max(20_000, Math.round(20_000 * SCALE));
const LIMIT_MS = 90_000;   // backstop only: hangs are caught by STALL_MS
const STALL_MS = 5_000;    // no progress for this long = a thread parked forever

const sleepers = (core) => Atomics.load(core.i32, (core.L.header + core.L.H_sleepers) >> 2);
const spinners = (core) => Atomics.load(core.i32, (core.L.header + core.L.H_spinners) >> 2);
const parkedWord = (core, w) => Atomics.load(core.i32, (core.workerPtr(w) + core.L.W_parked) >> 2);

// ---

const PingPong = suite('sleep: ping-pong between two threads');

for (const search of [false, true]) {
  PingPong(`${ROUNDS} rounds, each side parks until the other posts${search ? ' (searching first)' : ''}`, async () => {
    const env = await makeCore({ workers: 2 });
    const { core } = env;
    const tokenIndex = core.alloc(4) >> 2;
    Atomics.store(core.i32, tokenIndex, 0);
    const ctl = newCtl();
    const replies = await withThreads('./sleep-worker.mjs', 2, env, { ctl, barrier: newBarrier() }, (th) =>
      withProgress(th.round([0, 1].map((w) => ({ role: 'pingpong', w, rounds: ROUNDS, tokenIndex, search })), LIMIT_MS,
        'ping-pong'), () => Atomics.load(core.i32, tokenIndex), STALL_MS,
      'ping-pong: a wake-up was lost (the token stopped; a thread is still parked)'));
    assert.is(Atomics.load(core.i32, tokenIndex), ROUNDS, 'every round was played');
    const parks = replies[0].parks + replies[1].parks;
    // Rounds with r % 3 == 2 post only once the other side is at park(): at least that many parks.
    assert.ok(parks >= Math.floor(ROUNDS / 3) - 1, `threads parked ${parks} times`);
    assert.is(sleepers(core), 0, 'sleepers back to 0');
    assert.is(spinners(core), 0, 'spinners back to 0');
    assert.is(parkedWord(core, 0), 0, 'slot 0 not left announced');
    assert.is(parkedWord(core, 1), 0, 'slot 1 not left announced');
  });
}

PingPong.run();

// ---

const Consumers = suite('sleep: one producer, several sleeping consumers (injector)');

for (const [consumers, search] of [[2, false], [3, false], [3, true]]) {
  const n = Math.max(100_000, Math.round(100_000 * SCALE));
  Consumers(`${consumers} consumers${search ? ' (searching first)' : ''}, ${n} values in growing bursts`, async () => {
    const env = await makeCore({ workers: consumers, taskCapLog2: 10 });
    const { core } = env;
    const ctl = newCtl();
    const counts = new Uint32Array(new SharedArrayBuffer(n * 4));
    const replies = await withThreads('./sleep-worker.mjs', consumers + 1, env, { ctl, counts, barrier: newBarrier() }, (th) =>
      withProgress(th.round(th.workers.map((_, i) => i < consumers
        ? { role: 'consumer', w: i, search }
        : { role: 'producer', n, consumers }), LIMIT_MS, 'consumers'),
      () => Atomics.load(ctl, CONSUMED), STALL_MS,
      'consumers: values stayed queued while every consumer slept (lost wake-up)'));
    exactlyOnce(counts, n, 'values consumed');
    assert.is(Atomics.load(ctl, CONSUMED), n);
    assert.is(Atomics.load(ctl, DONE), 1);
    const parks = replies.slice(0, consumers).reduce((a, r) => a + r.parks, 0);
    assert.ok(parks > 0, 'consumers parked (the producer waits for all of them to sleep before half the bursts)');
    assert.is(sleepers(core), 0, 'sleepers back to 0');
  });
}

Consumers.run();

// ---

const Claims = suite('sleep: one claim per announcement');

Claims('announce, claim, cancel and a timed-out park keep sleepers and parked[w] balanced (one thread)', async () => {
  const { core } = await makeCore({ workers: 3 });
  const x = core.x;
  assert.is(x.wakeOne(), 0, 'wakeOne with nobody announced claims nobody');
  x.announceSleep(1);
  assert.is(sleepers(core), 1);
  assert.is(parkedWord(core, 1), 1);
  assert.is(x.wakeOne(), 1, 'wakeOne claims the announced worker');
  assert.is(parkedWord(core, 1), 0, 'claimed: parked[1] cleared');
  assert.is(sleepers(core), 0, 'claimed: counted off by the waker');
  x.cancelSleep(1);
  assert.is(sleepers(core), 0, 'a cancel after a claim does not count the worker off twice');
  assert.is(x.wakeOne(), 0, 'nobody left to claim');
  x.announceSleep(2);
  x.cancelSleep(2);
  assert.is(sleepers(core), 0, 'announce + cancel');
  assert.is(parkedWord(core, 2), 0);
  x.announceSleep(0);
  assert.is(x.park(0, 1_000_000n), 2, 'park with a 1 ms timeout times out');
  assert.is(sleepers(core), 0, 'a timed-out park withdraws');
  assert.is(parkedWord(core, 0), 0);
  x.announceSleep(0);
  x.wakeOne();
  assert.is(x.park(0, -1n), 1, 'park after being claimed returns at once ("not-equal")');
  assert.is(sleepers(core), 0);
});

Claims('a late notify from an earlier claim does not leave a worker announced while awake', async () => {
  // claim() is CAS parked[w] 1 → 0, then sleepers -= 1, then notify. A waker preempted before its notify
  // can deliver it after w was woken some other way and has announced and parked AGAIN; the host plays
  // that waker here with Atomics.notify on parked[0]. The woken worker was not claimed this time, so it
  // must withdraw its announcement (or wait again); otherwise sleepers counts it twice from then on and
  // a later claim can be spent on it while it runs a task.
  const workers = 2;
  const env = await makeCore({ workers, taskCapLog2: 6, maxSpinners: 1, spinIters: 64 });
  const { core } = env;
  const L = core.L;
  const counts = new Uint32Array(new SharedArrayBuffer((1 << 6) * 4));
  const th = new Threads('./sleep-worker.mjs', workers, env, { ctl: newCtl(), counts, barrier: newBarrier() });
  try {
    const loops = th.round([0, 1].map((w) => ({ role: 'loop', w })), 60_000, 'worker loop');
    loops.catch(() => {});
    const slot = (w, f) => core.u32[(core.workerPtr(w) + L[f]) >> 2];
    await until(() => slot(0, 'W_parks') > 0 && slot(1, 'W_parks') > 0 && sleepers(core) === 2, 10_000, 'both workers parked');
    const before = slot(0, 'W_parks');
    const woke = Atomics.notify(core.i32, (core.workerPtr(0) + L.W_parked) >> 2, 1);
    assert.is(woke, 1, 'worker 0 was waiting on parked[0]');
    await until(() => slot(0, 'W_parks') > before, 10_000, 'worker 0 searched and parked again');
    await until(() => parkedWord(core, 0) === 1, 10_000, 'worker 0 announced again');
    assert.is(sleepers(core), workers, `sleepers equals the ${workers} announced workers`);
    core.x.wakeAllForShutdown();
    const replies = await loops;
    for (const r of replies) assert.is(r.last, SHUTDOWN);
    assert.is(sleepers(core), 0, 'sleepers back to 0 after shutdown');
    assert.is(parkedWord(core, 0), 0, 'parked[0] cleared after shutdown');
  } finally {
    await th.close();
  }
});

Claims.run();

// ---

const Loop = suite('worker loop: next() / finish() wake for submit()');

const TASK_LOG2 = 12;
const NOTIFY_HOST = 1;  // TaskFlag.NotifyHost (assembly/layout.ts): retire() posts the task to the completion ring

/** An async task with no graph: no run, no successors, posts itself to the host when retired. */
function prepare(core, t) {
  const p = core.taskPtr(t), L = core.L, u32 = core.u32;
  u32[(p + L.T_run) >> 2] = NONE;
  u32[(p + L.T_flags) >> 2] = NOTIFY_HOST;
  u32[(p + L.T_deps) >> 2] = 0;
  u32[(p + L.T_pending) >> 2] = 0;
  u32[(p + L.T_nsucc) >> 2] = 0;
  u32[(p + L.T_npred) >> 2] = 0;
}

Loop('tasks submitted to parked workers each run exactly once; SHUTDOWN ends the loop', async () => {
  const workers = 2;
  const env = await makeCore({ workers, taskCapLog2: TASK_LOG2, maxSpinners: 1, spinIters: 64 });
  const { core } = env;
  const { x, L } = core;
  const counts = new Uint32Array(new SharedArrayBuffer((1 << TASK_LOG2) * 4));
  const expected = new Uint32Array(1 << TASK_LOG2);   // per slot: how many times it was submitted
  const th = new Threads('./sleep-worker.mjs', workers, env, { ctl: newCtl(), counts, barrier: newBarrier() });
  try {
    const loops = th.round([0, 1].map((w) => ({ role: 'loop', w })), 120_000, 'worker loop');
    loops.catch(() => {}); // awaited below; a crash also fails the waits in between
    const allParked = async (label) => {
      await until(() => {
        if (th.failure) throw th.failure;
        return sleepers(core) === workers && [0, 1].every((w) => parkedWord(core, w) === 1);
      }, 10_000, `both workers parked (${label})`);
    };
    const parks = (w) => core.u32[(core.workerPtr(w) + L.W_parks) >> 2];
    await until(() => parks(0) > 0 && parks(1) > 0, 10_000, 'both workers reach park() with nothing to do');

    /** Submits k fresh tasks to parked workers and waits for all k completions; checks exactly once. */
    const burst = async (k, label) => {
      await allParked(label);
      const ts = [];
      for (let i = 0; i < k; i++) {
        const t = x.taskAlloc();
        assert.ok(t >= 0, `${label}: taskAlloc`);
        prepare(core, t);
        ts.push(t);
      }
      for (const t of ts) { expected[t]++; x.submit(t); }
      const got = [];
      await until(() => {
        if (th.failure) throw th.failure;
        for (let v = x.mpmcPop(L.completions); v !== EMPTY; v = x.mpmcPop(L.completions)) got.push(v);
        return got.length >= k;
      }, STALL_MS, `${label}: ${k} completions (got ${got.length}; a submit did not wake a parked worker)`);
      assert.is(got.length, k, `${label}: completions`);
      const seen = new Set(got);
      assert.is(seen.size, k, `${label}: a task completed twice`);
      for (const t of ts) {
        assert.ok(seen.has(t), `${label}: task ${t} never completed`);
        assert.is(counts[t], expected[t], `${label}: task ${t} ran ${counts[t]} times over ${expected[t]} submissions`);
        x.taskFree(t);
      }
    };

    const singles = Math.max(300, Math.round(300 * SCALE));
    for (let i = 0; i < singles; i++) await burst(1, `single #${i}`);
    for (const k of growing(Math.min(4000, Math.round(4000 * SCALE)))) await burst(k, `burst of ${k}`);

    await allParked('before shutdown');
    x.wakeAllForShutdown();
    const replies = await loops;
    for (const [w, r] of replies.entries()) assert.is(r.last, SHUTDOWN, `worker ${w}: next() returned SHUTDOWN (-3)`);
    const total = expected.reduce((a, b) => a + b, 0);
    assert.is(replies[0].ran + replies[1].ran, total, 'tasks run, all workers');
    const executed = [0, 1].reduce((a, w) => a + core.u32[(core.workerPtr(w) + L.W_executed) >> 2], 0);
    assert.is(executed, total, 'the slots\' executed counters agree');
    for (let t = 0; t < expected.length; t++) assert.is(counts[t], expected[t], `slot ${t}: runs vs submissions`);
    for (const w of [0, 1]) assert.ok(parks(w) > 0, `worker ${w} parked (parks = ${parks(w)})`);
    assert.is(sleepers(core), 0, 'sleepers back to 0 after shutdown');
    assert.is(Atomics.load(core.u32, (L.header + L.H_live) >> 2), 0, 'every task slot was freed');
  } finally {
    await th.close();
  }
});

Loop.run();
