// A pipeline as a graph task (pipeline.task(tf, source), Taskflow's composed_of(pipeline)) in the
// single-threaded mode and at 1, 2 and 4 workers: the task runs the pipeline to completion before its
// successors start and hands them its result; a source function gets the predecessors' results; a stage
// error fails the run naming the stage; cancelling the run (cancel(), a signal, a deadline) or a failure
// elsewhere in it stops the pipeline, with nothing running after the run settled. Bad input is named.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, Pipe, PipelineError, Taskflow, CancelledError, TimeoutError } from 'beatflow';
import * as tasks from './fixtures/pipeline-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const range = (n) => Array.from({ length: n }, (_, i) => i);

/** Resolves once pred() holds (checked every macrotask), or after ms with whatever it is then. */
async function until(pred, ms = 10_000) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
}

/** An endless source that says whether it was closed. */
function endless() {
  const s = { closed: false };
  s.items = (function* () { try { for (let i = 0; ; i++) yield i; } finally { s.closed = true; } })();
  return s;
}

for (const workers of [0, 1, 2, 4]) {
  const S = suite(`pipeline.task at ${workers === 0 ? 'workers: 0 (single-threaded)' : `${workers} worker(s)`}`);
  S.before(async (ctx) => { ctx.ex = await within(Executor.create({ workers, module }), 30_000, 'create'); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('successors start after every token went through, and get { tokens }; the source gets the predecessors\' results', async ({ ex }) => {
    for (const n of [0, 1, 7, 100]) {
      const c = ex.shared(Int32Array, 2);
      const seen = [];
      const p = new Pipeline({ lines: 4, name: 'squares' },
        Pipe.parallel(tasks.jumble, 'jumble'),
        Pipe.parallel(tasks.record, { name: 'count', args: [c] }),   // c[0] counts tokens through it
        Pipe.serial((x) => seen.push(x), { name: 'keep', on: 'host' }));
      const tf = new Taskflow('around');
      const size = tf.emplace(function size(k) { return k; }).args(n);
      const from = tf.emplace(function from(k) { return k * 1000; }).args(1);
      const task = p.task(tf, (count, base) => range(count).map((i) => base + i));
      const after = tf.emplace(function after(arr, result) { return [Atomics.load(arr, 0), result.tokens]; }).args(c);
      size.precede(task); from.precede(task); task.precede(after);
      const run = await within(ex.run(tf), 30_000, `run ${n}`);
      assert.equal(run.result(after), [n, n], 'the successor saw every token counted, and the task\'s result');
      assert.equal(run.result(task), { tokens: n });
      assert.equal(seen, range(n).map((i) => 1000 + i), 'the predecessors\' results made the source; a serial last stage keeps order');
      assert.is(task.name(), 'squares', 'the task is named after the pipeline');
      ex.free(c);
    }
  });

  S('each graph run runs the pipeline again: an array source in full, numTokens counting on', async ({ ex }) => {
    const out = [];
    const p = new Pipeline({ lines: 2 }, Pipe.parallel(tasks.double), Pipe.serial((x) => out.push(x), { on: 'host' }));
    const tf = new Taskflow('again');
    p.task(tf, [1, 2, 3]);
    await within(ex.runN(tf, 3), 30_000, 'runN');
    assert.equal(out, [2, 4, 6, 2, 4, 6, 2, 4, 6]);
    assert.is(p.numTokens(), 9);
    // Two tasks of one pipeline in one run: both run it, independently.
    const two = new Taskflow('two');
    const a = p.task(two, range(5));
    const b = p.task(two, range(4));
    const run = await within(ex.run(two), 30_000, 'two');
    assert.equal([run.result(a), run.result(b)], [{ tokens: 5 }, { tokens: 4 }]);
    assert.is(p.numTokens(), 18);
  });

  S('inside a module (composedOf): the outer graph waits for the pipeline too', async ({ ex }) => {
    const c = ex.shared(Int32Array, 2);
    const p = new Pipeline({ lines: 3 }, Pipe.parallel(tasks.record, { args: [c] }));
    const inner = new Taskflow('inner');
    p.task(inner, range(20));
    const outer = new Taskflow('outer');
    const mod = outer.composedOf(inner);
    const after = outer.emplace(function after(arr) { return Atomics.load(arr, 0); }).args(c);
    mod.precede(after);
    assert.is((await within(ex.run(outer), 30_000, 'outer')).result(after), 20);
    ex.free(c);
  });

  S('a stage error fails the run with the PipelineError naming the stage; successors do not run', async ({ ex }) => {
    const src = endless();
    const p = new Pipeline({ lines: 2, name: 'checked' }, Pipe.parallel(tasks.double, 'double'),
      Pipe.serial(tasks.failAt, { name: 'check', args: [14] }));
    const tf = new Taskflow('failing');
    const task = p.task(tf, src.items);
    const after = tf.emplace(function after() { return 'ran'; });
    task.precede(after);
    const e = await within(rejection(ex.run(tf)), 30_000, 'run');
    assert.instance(e, PipelineError);
    assert.equal([e.pipeline, e.stage, e.stageIndex, e.token, e.task], ['checked', 'check', 1, 7, 'checked']);
    assert.is(e.message, "beatflow: pipeline 'checked' stopped: stage 'check' (2 of 2, serial) failed on token 7: bad token 14");
    assert.instance(e.cause, RangeError);
    assert.is(e.cause.message, 'bad token 14');
    assert.ok(src.closed, 'the source was closed');
    assert.not.ok(e.partial.finished(after), 'the successor did not run');
  });

  for (const how of ['cancel()', 'signal', 'deadline']) {
    S(`cancelling the run (${how}) stops the pipeline: source closed, no stage call after the run settled`, async ({ ex }) => {
      const src = endless();
      let calls = 0;
      const p = new Pipeline({ lines: 3, name: 'endless' }, Pipe.parallel(tasks.jumble), Pipe.serial(() => { calls++; }, { on: 'host' }));
      const tf = new Taskflow('cancelled');
      const after = tf.emplace(function after() { return 'ran'; });
      p.task(tf, () => src.items).precede(after);
      const ac = new AbortController();
      const handle = ex.run(tf, how === 'signal' ? { signal: ac.signal } : how === 'deadline' ? { deadline: 1000 } : undefined);
      if (how !== 'deadline') {
        await until(() => calls >= 20);
        assert.ok(calls >= 20, `the pipeline ran (${calls} tokens)`);
        if (how === 'cancel()') handle.cancel('enough');
        else ac.abort('enough');
      }
      const e = await within(rejection(handle), 30_000, 'run');
      assert.instance(e, how === 'deadline' ? TimeoutError : CancelledError);
      if (how !== 'deadline') assert.is(e.cause, 'enough');
      assert.ok(calls > 0, 'the pipeline had started');
      assert.ok(src.closed, 'the source was closed before the run settled');
      assert.not.ok(e.partial.finished(after), 'the successor did not run');
      const at = calls;
      await new Promise((r) => setTimeout(r, 30));
      assert.is(calls, at, 'no stage call after the run settled');
    });
  }

  S('a failure elsewhere in the run stops the pipeline; the run rejects with that failure', async ({ ex }) => {
    const src = endless();
    let calls = 0;
    const p = new Pipeline({ lines: 2 }, Pipe.parallel(tasks.double), Pipe.serial(() => { calls++; }, { on: 'host' }));
    const tf = new Taskflow('elsewhere');
    p.task(tf, src.items);
    const gate = ex.shared(Int32Array, 1);
    tf.emplace(async function boom(g) {
      while (Atomics.load(g, 0) === 0) await new Promise((r) => setTimeout(r, 1));
      throw new Error('boom');
    }).args(gate);
    const handle = ex.run(tf);
    await until(() => calls >= 10);
    Atomics.store(gate, 0, 1);
    const e = await within(rejection(handle), 30_000, 'run');
    assert.is(e.message, 'boom');
    assert.ok(src.closed, 'the pipeline stopped and closed its source');
    ex.free(gate);
  });

  S.run();
}

// ---

const Bad = suite('pipeline.task: bad input named');

Bad('tf must be a Taskflow; source an iterable or a function returning one', async () => {
  const p = new Pipeline({ lines: 2, name: 'named' }, Pipe.serial(tasks.echo));
  const tf = new Taskflow('t');
  assert.throws(() => p.task({}, [1]), (e) => e instanceof TypeError && e.message.startsWith('beatflow: pipeline.task(tf, source): tf must be a Taskflow'));
  for (const bad of [5, null, undefined, {}]) {
    assert.throws(() => p.task(tf, bad), (e) => e instanceof TypeError &&
      e.message.includes('pipeline.task(tf, source): source must be an iterable, an async iterable, or a function returning one'));
  }
  assert.throws(() => p.task(tf, 'abc'), /a string would be split into characters/);
  const ex = await within(Executor.create({ workers: 1, module }), 30_000, 'create');
  try {
    const g = new Taskflow('g');
    p.task(g, () => 42);
    const e = await within(rejection(ex.run(g)), 10_000, 'run');
    assert.instance(e, TypeError);
    assert.is(e.task, 'named');
    assert.match(e.message, /pipeline\.task\(tf, source\) of pipeline 'named': source\(\) must return an iterable or an async iterable \(got 42\)/);
    const h = new Taskflow('h');
    p.task(h, () => { throw new RangeError('no source today'); });
    const e2 = await within(rejection(ex.run(h)), 10_000, 'run');
    assert.instance(e2, RangeError);
    assert.is(e2.message, 'no source today');
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

Bad.run();
