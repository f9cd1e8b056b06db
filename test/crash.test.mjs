// Every way a worker can die settles every affected promise with the cause (exit code, error, task
// name, worker id), the worker is replaced, nothing else is affected, and what was queued on the dead
// worker's deque still runs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, WorkerCrashError } from 'beatflow';
import * as t from './fixtures/lifecycle-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/lifecycle-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const incs = (ex, n) => Array.from({ length: n }, (_, i) => ex.async(t.inc, i));
const allIncremented = (got) => got.length > 0 && got.every((v, i) => v === i + 1);

// ---
const Kinds = suite('each crash kind, one worker: the cause on the error, the worker replaced, the rest unaffected');

/** kind → how to crash worker 0, and what the error must say. */
const kinds = [
  {
    kind: 'process.exit in a task',
    crash: (ex) => ex.async(t.exit, 7),
    exitCode: 7, task: 'exit', cause: (c) => c === undefined, message: /^beatflow: worker 0 exited with code 7 while running task 'exit'$/,
  },
  {
    kind: 'an uncaught exception from a timer while the task awaits',
    crash: (ex) => ex.async(t.throwLater, 'late failure'),
    exitCode: 1, task: 'throwLater', cause: (c) => c instanceof RangeError && c.message === 'late failure',
    message: /^beatflow: worker 0 died \(late failure\) while running task 'throwLater'$/,
  },
  {
    kind: 'an unhandled rejection',
    crash: (ex) => ex.async(t.rejectUnhandled, 'nobody caught me'),
    exitCode: 1, task: 'rejectUnhandled', cause: (c) => c instanceof TypeError && c.message === 'nobody caught me',
    message: /^beatflow: worker 0 died \(nobody caught me\) while running task 'rejectUnhandled'$/,
  },
  {
    kind: 'out of memory under resourceLimits',
    options: { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } },
    crash: (ex) => ex.async(t.hog),
    exitCode: 1, task: 'hog', cause: (c) => c?.code === 'ERR_WORKER_OUT_OF_MEMORY',
    message: /^beatflow: worker 0 died \(.*out of memory.*\) while running task 'hog'$/i,
  },
  {
    kind: 'worker.terminate() from outside',
    crash: async (ex) => {
      const gate = ex.shared(Int32Array, 2);
      const p = ex.async(t.hold, gate);
      while (Atomics.load(gate, 0) === 0) await sleep(2);   // it runs now
      await ex._killWorker(0);
      return p;
    },
    exitCode: 1, task: 'hold', cause: (c) => c === undefined,
    message: /^beatflow: worker 0 was terminated from outside \(worker\.terminate\(\)\) while running task 'hold'$/,
  },
];

for (const k of kinds) {
  Kinds(k.kind, async () => {
    const ex = await Executor.create({ workers: 1, module, ...k.options });
    try {
      const before = incs(ex, 200);
      const e = await within(rejection(k.crash(ex)), 30_000, `${k.kind} settles`);
      const after = incs(ex, 200);
      assert.instance(e, WorkerCrashError);
      assert.is(e.worker, 0, 'worker id');
      assert.is(e.exitCode, k.exitCode, 'exit code');
      assert.is(e.task, k.task, 'task name');
      assert.ok(k.cause(e.cause), `cause: ${e.cause}`);
      assert.match(e.message, k.message);
      assert.ok(allIncremented(await within(Promise.all(before), 10_000, 'submitted before')), 'tasks submitted before');
      assert.ok(allIncremented(await within(Promise.all(after), 10_000, 'submitted after')), 'tasks submitted after, on the replacement');
      const until = Date.now() + 10_000;   // 'ready' is a message: it may come after the first results
      while (ex.lifecycle().lastRecoveryMs === undefined && Date.now() < until) await sleep(2);
      const life = ex.lifecycle();
      assert.is(life.crashes, 1);
      assert.is(life.started, 2, 'the first thread and one replacement');
      assert.is(life.live, 1);
      assert.ok(life.lastRecoveryMs > 0, 'recovery time measured');
      assert.is(ex.stats().liveTasks, 0, 'every slot came back');
    } finally {
      await within(ex.destroy(), 10_000, 'destroy');
    }
  });
}

Kinds('a burst of crashes: each settles its own task with its own exit code; 3000 others all resolve', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const ps = Array.from({ length: 3000 }, (_, i) => (i % 500 === 250 ? ex.async(t.exit, 10 + (i / 500 | 0)) : ex.async(t.inc, i)));
    const settled = await within(Promise.allSettled(ps), 30_000, 'burst');
    settled.forEach((r, i) => {
      if (i % 500 === 250) {
        assert.is(r.status, 'rejected', `task ${i}`);
        assert.is(r.reason.exitCode, 10 + (i / 500 | 0));
        assert.ok(r.reason.worker === 0 || r.reason.worker === 1);
      } else {
        assert.is(r.status, 'fulfilled', `task ${i}: ${r.reason}`);
        assert.is(r.value, i + 1);
      }
    });
    assert.is(ex.lifecycle().crashes, 6);
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

// ---
const Queued = suite("tasks queued on the dead worker's deque are not lost");

/** 200 chains mark(i) → after(i): a run whose sources the worker moves to its own deque in chunks. */
function chains(flags, n, ms) {
  const tf = new Taskflow('chains');
  const tails = [];
  for (let i = 0; i < n; i++) {
    const a = tf.emplace(t.mark).args(flags, i, ms).name(`mark${i}`);
    const b = tf.emplace(t.after).name(`after${i}`);
    a.precede(b);
    tails.push(b);
  }
  return { tf, tails };
}

for (const workers of [1, 2]) {
  Queued(`${workers} worker(s): a thread that dies between tasks (from an async task's continuation) loses no queued task of a healthy run`, async () => {
    const ex = await Executor.create({ workers, module });
    try {
      const n = 200;
      const flags = ex.shared(Int32Array, n);
      const { tf, tails } = chains(flags, n, 2);
      let ranAtCrash = -1;
      const dying = ex.async(t.exitLater, 40, 9);
      await sleep(5);   // it is suspended in its worker's await list
      const run = ex.run(tf);
      const e = await within(rejection(dying), 20_000, 'the crash settles');
      ranAtCrash = flags.reduce((a, b) => a + b, 0);
      const result = await within(run, 20_000, 'the run completes');
      assert.instance(e, WorkerCrashError);
      assert.is(e.exitCode, 9);
      assert.is(e.task, 'exitLater');
      assert.match(e.message, /^beatflow: worker [01] exited with code 9 while running task 'exitLater'$/);
      assert.ok(ranAtCrash < n, `the crash came while the run still had queued tasks (${ranAtCrash} of ${n} had run)`);
      tails.forEach((b, i) => assert.is(result.result(b), i + 1000));
      assert.equal([...flags], new Array(n).fill(1), 'every task ran exactly once');
      assert.is(ex.lifecycle().crashes, 1);
    } finally {
      await within(ex.destroy(), 10_000, 'destroy');
    }
  });
}

Queued('children spawned before their parent died still run (on the replacement or a thief)', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const flags = ex.shared(Int32Array, 20);
    const e = await within(rejection(ex.async(t.spawnThenExit, flags, 20, 5)), 10_000, 'parent settles');
    assert.instance(e, WorkerCrashError);
    assert.is(e.exitCode, 5);
    assert.is(e.task, 'spawnThenExit');
    const until = Date.now() + 10_000;
    while (flags.some((f) => f === 0) && Date.now() < until) await sleep(5);
    assert.equal([...flags], new Array(20).fill(1), 'each child ran once');
    assert.is(await within(ex.async(t.inc, 1), 10_000, 'after'), 2);
    await within(ex.waitForAll(), 10_000, 'waitForAll');
    assert.is(ex.stats().liveTasks, 0, 'the host freed the orphaned children (their joiner died)');
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

// ---
const Orphans = suite('children whose spawner died: the host frees them, whatever state they were in');

/** Polls until f() holds (≤ 10 s), else fails with what it says. */
async function until(f, what) {
  const end = Date.now() + 10_000;
  while (!f() && Date.now() < end) await sleep(5);
  assert.ok(f(), what);
}

Orphans('children that retired before the crash are freed at once', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const flags = ex.shared(Int32Array, 16);
    const base = ex.stats().liveTasks;
    const e = await within(rejection(ex.async(t.spawnWaitExit, flags, 16, 6)), 15_000, 'parent settles');
    assert.instance(e, WorkerCrashError);
    assert.equal([...flags], new Array(16).fill(1), 'the other worker ran each child once');
    await until(() => ex.stats().liveTasks === base, `live slots back to ${base} (${ex.stats().liveTasks})`);
    await within(ex.waitForAll(), 10_000, 'waitForAll');
    assert.is(await within(ex.async(t.inc, 2), 10_000, 'after'), 3);
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('a child running when its spawner died is freed when it ends, and waitForAll waits for it', async () => {
  const ex = await Executor.create({ workers: 2, module });
  const gate = ex.shared(Int32Array, 2);
  try {
    const base = ex.stats().liveTasks;
    const e = await within(rejection(ex.async(t.spawnHeldExit, gate, 8)), 15_000, 'parent settles');
    assert.instance(e, WorkerCrashError);
    assert.is(e.exitCode, 8);
    let idle = false;
    const all = ex.waitForAll().then(() => { idle = true; });
    await sleep(50);
    assert.is(idle, false, 'waitForAll waits for the orphan still running');
    assert.is(ex.stats().liveTasks, base + 1, 'the orphan holds its slot while it runs');
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);
    await within(all, 10_000, 'waitForAll after the orphan ended');
    assert.is(ex.stats().liveTasks, base, 'the orphan was freed');
  } finally {
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);   // never leave the child held
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('a crash gives back its heap: the thread\'s blocks and the orphans\' arguments (heap unchanged over rounds 2–4)', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const flags = ex.shared(Int32Array, 20);
    const heap = [];
    for (let round = 0; round < 4; round++) {
      flags.fill(0);
      await within(rejection(ex.async(t.spawnThenExit, flags, 20, 5)), 10_000, 'parent settles');
      await within(ex.waitForAll(), 10_000, 'waitForAll');
      assert.equal([...flags], new Array(20).fill(1), 'each child ran once');
      await ex.async(t.inc, 1);
      heap.push(ex.stats().heapBytes);   // round 0 registered the functions' names: compare from round 1 on
    }
    assert.equal(heap.slice(2), [heap[1], heap[1]], `heap bytes after each round: ${heap.join(', ')}`);
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('a crash while a live worker spawns into a freed slot whose link word names the dead task: nothing marked', async () => {
  const ex = await Executor.create({ workers: 2, module });
  const gate = ex.shared(Int32Array, 2);
  try {
    // Free stack after this: 2 → 1 → 0 (slot 1's link word is 0 + 1, which reads as "spawned by task 0").
    await Promise.all([ex.async(t.sleepy, 0), ex.async(t.sleepy, 40), ex.async(t.sleepy, 80)]);
    const base = ex.stats().liveTasks;
    const spawner = ex.async(t.spawnStalled, gate);   // slot 2; its child takes slot 1 and stalls before its push
    while (Atomics.load(gate, 0) === 0) await sleep(2);
    const e = await within(rejection(ex.async(t.exit, 5)), 10_000, 'crasher');   // slot 0, on the other worker
    assert.instance(e, WorkerCrashError);
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);
    await within(spawner, 10_000, 'spawner');
    await within(ex.waitForAll(), 10_000, 'waitForAll');
    assert.is(ex.stats().liveTasks, base);
  } finally {
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('a crash while a live worker spawns into a cached slot last used by a child of the dead task: not freed under it', async () => {
  const ex = await Executor.create({ workers: 2, module });
  const hold = ex.shared(Int32Array, 2), gate = ex.shared(Int32Array, 2);
  try {
    const base = ex.stats().liveTasks;
    const blocker = ex.async(t.hold, hold);   // keeps the other worker busy while cacheStale fills its cache
    while (Atomics.load(hold, 0) === 0) await sleep(2);
    const spawner = ex.async(t.cacheStale, gate);
    while (Atomics.load(gate, 0) === 0) await sleep(2);
    Atomics.store(hold, 1, 1); Atomics.notify(hold, 1);   // the other worker is free: it steals the crashing child
    await within(blocker, 10_000, 'blocker');
    await until(() => ex.lifecycle().crashes === 1, 'the stolen child crashed its worker');
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);
    // It settles: with the error of its child that crashed (joined when it returned), not hung in a join.
    const e = await within(rejection(spawner), 10_000, 'spawner settles');
    assert.match(e.message, /exited with code 6 while running task 'exit'/);
    await within(ex.waitForAll(), 10_000, 'waitForAll');
    assert.is(ex.stats().liveTasks, base);
  } finally {
    Atomics.store(gate, 1, 1); Atomics.notify(gate, 1);
    Atomics.store(hold, 1, 1); Atomics.notify(hold, 1);
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('stress: crashes with growing numbers of children, 4 workers: each child runs once, every slot comes back', async () => {
  const ex = await Executor.create({ workers: 4, module });
  try {
    const base = ex.stats().liveTasks;
    for (const [n, spinMs] of [[8, 0], [64, 1], [256, 2], [1024, 3], [2048, 0]]) {
      const flags = ex.shared(Int32Array, n);
      const e = await within(rejection(ex.async(t.spawnManyExit, flags, n, 2, spinMs, 9)), 30_000, `parent of ${n} settles`);
      assert.instance(e, WorkerCrashError);
      await within(ex.waitForAll(), 30_000, `waitForAll after ${n}`);
      const counts = new Map();
      for (const f of flags) counts.set(f, (counts.get(f) ?? 0) + 1);
      assert.equal([...counts], [[1, n]], `n=${n}: every child ran exactly once`);
      assert.is(ex.stats().liveTasks, base, `n=${n}: every slot came back`);
      ex.free(flags);
    }
    assert.is(ex.lifecycle().crashes, 5);
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Orphans('a child that died on the stack with its spawner, and its queued grandchild, are freed', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const flags = ex.shared(Int32Array, 1);
    const base = ex.stats().liveTasks;
    const e = await within(rejection(ex.async(t.spawnJoinExit, flags, 4)), 15_000, 'parent settles');
    assert.instance(e, WorkerCrashError);
    assert.is(e.task, 'spawnJoinExit');
    await until(() => flags[0] === 1, 'the grandchild ran on the replacement');
    await within(ex.waitForAll(), 10_000, 'waitForAll');
    assert.is(ex.stats().liveTasks, base, 'child and grandchild freed');
    assert.is(await within(ex.async(t.inc, 4), 10_000, 'after'), 5);
  } finally {
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

// ---
const Load = suite('a replacement that throws at module load');

Load('two workers: the slot is given up after 3 tries, the other worker runs everything', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    process.env.BEATFLOW_TEST_FAIL_LOAD = '1';
    const flags = ex.shared(Int32Array, 40);
    const ps = Array.from({ length: 40 }, (_, i) => ex.async(t.mark, flags, i, 5));
    const e = await within(rejection(ex.async(t.exit, 3)), 10_000, 'crash settles');
    assert.is(e.exitCode, 3);
    const got = await within(Promise.all(ps), 20_000, 'the others');
    assert.equal(got, Array.from({ length: 40 }, (_, i) => i));
    assert.equal([...flags], new Array(40).fill(1));
    assert.equal(await within(Promise.all(incs(ex, 100)), 10_000, 'after'), Array.from({ length: 100 }, (_, i) => i + 1));
    const until = Date.now() + 10_000;
    while (ex.lifecycle().broken === 0 && Date.now() < until) await sleep(5);
    assert.is(ex.lifecycle().broken, 1, 'one slot given up');
    assert.is(ex.lifecycle().started, 2 + 3, 'two first threads, three failed replacements');
    assert.is(ex.lifecycle().live, 1);
  } finally {
    delete process.env.BEATFLOW_TEST_FAIL_LOAD;
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Load('one worker: everything in flight rejects with the load failure as the cause', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    process.env.BEATFLOW_TEST_FAIL_LOAD = '1';
    const gate = ex.shared(Int32Array, 2);
    const held = ex.async(t.hold, gate);
    while (Atomics.load(gate, 0) === 0) await sleep(2);
    const queued = incs(ex, 50);
    await ex._killWorker(0);
    const e = await within(rejection(held), 10_000, 'the running task');
    assert.instance(e, WorkerCrashError);
    assert.is(e.task, 'hold');
    const rest = await within(Promise.allSettled(queued), 20_000, 'the queued ones');
    for (const r of rest) {
      assert.is(r.status, 'rejected');
      assert.match(r.reason.message, /^beatflow: every worker failed to restart: the task module .*lifecycle-tasks\.mjs failed to load in a worker: replacement cannot load$/);
    }
  } finally {
    delete process.env.BEATFLOW_TEST_FAIL_LOAD;
    await within(ex.destroy(), 10_000, 'destroy');
  }
});

Kinds.run();
Queued.run();
Orphans.run();
Load.run();
