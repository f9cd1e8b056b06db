// Errors thrown by tasks, and workers that die: every affected promise settles with the cause,
// nothing else is lost, and the pool replaces the worker.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, WorkerCrashError } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

// ---
const Throws = suite('task errors');
Throws.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Throws.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Throws('a throw rejects with the original name, message, stack and properties plus the task name', async ({ ex }) => {
  const e = await rejection(ex.async(tasks.boom, 'bad input'));
  assert.ok(e instanceof TypeError, 'same builtin class');
  assert.is(e.name, 'TypeError');
  assert.is(e.message, 'bad input');
  assert.is(e.code, 'E_BOOM');
  assert.is(e.task, 'boom');
  assert.match(e.stack, /at (\S+\.)?boom \(.*fixtures\/tasks\.mjs/, 'the stack is the worker-side stack');
});

Throws('a rejected promise from an async task rejects the same way', async ({ ex }) => {
  const e = await rejection(ex.async(tasks.rejectLater, 'late'));
  assert.ok(e instanceof RangeError);
  assert.is(e.message, 'late');
  assert.is(e.task, 'rejectLater');
});

Throws('a non-Error throw is reported with its value', async ({ ex }) => {
  const e = await rejection(ex.async(tasks.throwString));
  assert.ok(e instanceof Error);
  assert.match(e.message, /non-Error value: plain string/);
  assert.is(e.thrown, 'plain string');
});

Throws('an inline task that captures a variable is told so', async ({ ex }) => {
  const factor = 3;
  const e = await rejection(ex.async((x) => x * factor, 2));
  assert.ok(e instanceof ReferenceError);
  assert.match(e.message, /^factor is not defined in the worker: inline task .* cannot capture variables/);
  assert.match(e.message, /Pass the value as an argument/);
  const e2 = await rejection(ex.async((x) => undefinedGlobalForTest + x, 1)); // eslint-disable-line no-undef
  assert.match(e2.message, /undefinedGlobalForTest is not defined in the worker/);
});

Throws('closures a task makes from one source are each told of their capture, never run with the first one\'s', async () => {
  // One source is one function id; a worker once ran the first closure it saw for every later one
  for (const workers of [0, 1, 2]) {
    const ex = await Executor.create({ workers });
    try {
      const seen = await ex.async(function () {
        const out = [];
        const tell = (f) => { try { out.push(f()); } catch (e) { out.push(e instanceof ReferenceError && /^k is not defined\b/.test(e.message) ? 'refused' : String(e)); } };
        for (const k of [1, 2, 3]) tell(() => this.join(this.spawn(() => k)));
        for (const k of [4, 5]) tell(() => { const sf = this.subflow(); sf.emplace(() => k); return sf.join()[0]; });
        return out;
      });
      assert.equal(seen, Array(5).fill('refused'), `${workers} workers`);
    } finally { await within(ex.close(), 10_000, 'close'); }
  }
});

Throws('failures do not disturb other tasks in flight', async ({ ex }) => {
  const results = await Promise.allSettled(Array.from({ length: 2000 }, (_, i) => (i % 7 === 3 ? ex.async(tasks.boom, `n${i}`) : ex.async(tasks.inc, i))));
  results.forEach((r, i) => {
    if (i % 7 === 3) { assert.is(r.status, 'rejected'); assert.is(r.reason.message, `n${i}`); }
    else { assert.is(r.status, 'fulfilled'); assert.is(r.value, i + 1); }
  });
});

// ---
const Crash = suite('worker crashes');

Crash('process.exit in a task rejects that task with the exit code; the worker is replaced; others are unaffected', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const others = Array.from({ length: 500 }, (_, i) => ex.async(tasks.inc, i));
  const e = await within(rejection(ex.async(tasks.exit, 3)), 10_000, 'crash settles');
  assert.ok(e instanceof WorkerCrashError);
  assert.is(e.exitCode, 3);
  assert.is(e.task, 'exit');
  assert.match(e.message, /worker \d exited with code 3 while running task 'exit'/);
  const got = await within(Promise.all(others), 10_000, 'others');
  assert.ok(got.every((v, i) => v === i + 1));
  for (let round = 0; round < 3; round++) {
    const after = await within(Promise.all(Array.from({ length: 200 }, (_, i) => ex.async(tasks.inc, i))), 10_000, 'after');
    assert.ok(after.every((v, i) => v === i + 1), 'the replacement worker runs tasks');
  }
  await within(ex.close(), 10_000, 'close');
});

Crash('every crash in a burst settles its own task, and nothing queued is lost', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const ps = Array.from({ length: 3000 }, (_, i) => (i % 500 === 250 ? ex.async(tasks.exit, 10 + (i / 500 | 0)) : ex.async(tasks.inc, i)));
  const settled = await within(Promise.allSettled(ps), 30_000, 'burst');
  settled.forEach((r, i) => {
    if (i % 500 === 250) { assert.is(r.status, 'rejected', `task ${i}`); assert.is(r.reason.exitCode, 10 + (i / 500 | 0)); }
    else { assert.is(r.status, 'fulfilled', `task ${i}: ${r.reason}`); assert.is(r.value, i + 1); }
  });
  await within(ex.close(), 10_000, 'close');
});

Crash('running out of memory under resourceLimits rejects with the cause', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
  const e = await within(rejection(ex.async(tasks.hog)), 60_000, 'oom settles');
  assert.ok(e instanceof WorkerCrashError);
  assert.is(e.task, 'hog');
  assert.is(e.cause?.code, 'ERR_WORKER_OUT_OF_MEMORY');
  assert.match(e.message, /out of memory|heap/i);
  assert.is(await within(ex.async(tasks.inc, 41), 10_000, 'after oom'), 42);
  await within(ex.close(), 10_000, 'close');
});

Crash('a worker terminated from outside rejects its running task and is replaced', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures });
  const p = ex.async(tasks.spin, 2000);
  await new Promise((r) => setTimeout(r, 200));
  await ex._killWorker(0);
  const e = await within(rejection(p), 10_000, 'terminate settles');
  assert.ok(e instanceof WorkerCrashError);
  assert.is(e.task, 'spin');
  assert.is(await within(ex.async(tasks.inc, 1), 10_000, 'after terminate'), 2);
  await within(ex.close(), 10_000, 'close');
});

Crash('a task module that fails to load makes create() reject with the module and the cause', async () => {
  const url = new URL('./fixtures/bad-module.mjs', import.meta.url);
  const e = await within(rejection(Executor.create({ workers: 2, module: url })), 20_000, 'create');
  assert.match(e.message, /task module .*bad-module\.mjs failed to load in a worker: module load failure on purpose/);
  const e2 = await rejection(Executor.create({ workers: 1, module: new URL('./fixtures/missing.mjs', import.meta.url) }));
  assert.match(e2.message, /missing\.mjs failed to load/);
});

Throws.run();
Crash.run();
