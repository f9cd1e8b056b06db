// Pipelines: token order in serial stages, overlap in parallel ones, the line bound, backpressure in the
// sink form, errors naming the stage, early exit, cancellation, every source form, option validation.
// Concurrency is observed through shared counters updated with Atomics inside the stages, never by timing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, Pipe, PipelineError, CancelledError } from 'beatflow';
import { mayPull, mayEnter, isOver } from '../build/src/pipeline/policy.js';
import * as tasks from './fixtures/pipeline-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const range = (n) => Array.from({ length: n }, (_, i) => i);

/** A generator over 0..n-1 that counts what it yielded and whether it was closed or ran out. */
function counted(n) {
  const s = { pulled: 0, closed: false, finished: false };
  s.items = (function* () {
    try {
      for (let i = 0; i < n; i++) { s.pulled++; yield i; }
      s.finished = true;
    } finally { s.closed = !s.finished; }
  })();
  return s;
}

/** The same as an async generator. */
function countedAsync(n) {
  const s = { pulled: 0, closed: false, finished: false };
  s.items = (async function* () {
    try {
      for (let i = 0; i < n; i++) { await null; s.pulled++; yield i; }
      s.finished = true;
    } finally { s.closed = !s.finished; }
  })();
  return s;
}

async function collect(iterable) {
  const out = [];
  for await (const v of iterable) out.push(v);
  return out;
}

/** Resolves once pred() holds (checked every macrotask), or after ms with whatever it is then. */
async function until(pred, ms = 5000) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setImmediate(r));
}

const withExecutor = (s, workers = 2) => {
  s.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  s.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });
};

// ---

const Policy = suite('policy: pure rules');

Policy('mayPull: only with a free line, no pull in flight, a live source and no stop', () => {
  const rows = [
    // stopping, exhausted, pulling, held, lines → pull?
    [false, false, false, 0, 1, true],
    [false, false, false, 3, 4, true],
    [false, false, false, 4, 4, false],
    [false, false, true, 0, 4, false],
    [false, true, false, 0, 4, false],
    [true, false, false, 0, 4, false],
  ];
  for (const [stopping, exhausted, pulling, held, lines, want] of rows) {
    assert.is(mayPull(stopping, exhausted, pulling, held, lines), want, JSON.stringify({ stopping, exhausted, pulling, held, lines }));
  }
});

Policy('mayEnter: a parallel stage takes any token; a serial one only the token whose turn it is, when free', () => {
  const rows = [
    // serial, busy, turn, token → enter?
    [false, true, 0, 7, true],
    [true, false, 3, 3, true],
    [true, false, 3, 4, false],
    [true, true, 3, 3, false],
  ];
  for (const [serial, busy, turn, token, want] of rows) assert.is(mayEnter(serial, busy, turn, token), want, JSON.stringify({ serial, busy, turn, token }));
});

Policy('isOver: never with work in flight; when stopping; else when the source is done and every held token is an output', () => {
  const rows = [
    // calls, pulling, closing, stopping, exhausted, held, waiting → over?
    [1, false, false, true, true, 0, 0, false],
    [0, true, false, true, false, 1, 0, false],
    [0, false, true, true, true, 0, 0, false],
    [0, false, false, true, false, 2, 0, true],
    [0, false, false, false, false, 0, 0, false],
    [0, false, false, false, true, 1, 0, false],
    [0, false, false, false, true, 2, 2, true],
    [0, false, false, false, true, 0, 0, true],
  ];
  for (const [calls, pulling, closing, stopping, exhausted, held, waiting, want] of rows) {
    assert.is(isOver(calls, pulling, closing, stopping, exhausted, held, waiting), want,
      JSON.stringify({ calls, pulling, closing, stopping, exhausted, held, waiting }));
  }
});

Policy.run();

// ---

const Order = suite('order: serial stages keep token order');
withExecutor(Order);

Order('after a parallel stage that finishes tokens out of order, a serial stage sees them in token order', async ({ ex }) => {
  const n = 200;
  const seenParallel = ex.shared(Int32Array, n + 1);
  const seenSerial = ex.shared(Int32Array, n + 1);
  const p = new Pipeline({ lines: 4, name: 'order' },
    Pipe.parallel(tasks.jumble, 'jumble'),
    Pipe.parallel(tasks.record, { name: 'arrive', args: [seenParallel] }),
    Pipe.serial(tasks.record, { name: 'in order', args: [seenSerial] }),
    Pipe.serial(tasks.double, 'double'));
  const out = await within(collect(p.stream(ex, range(n))), 30_000, 'stream');
  assert.equal([...seenSerial.subarray(1)], range(n), 'the serial stage took tokens in order');
  assert.equal(out, range(n).map((x) => 2 * x), 'the sink form yields in token order after a serial last stage');
  assert.equal([...seenParallel.subarray(1)].sort((a, b) => a - b), range(n), 'the parallel stage saw every token once');
  ex.free(seenParallel); ex.free(seenSerial);
});

Order('a parallel last stage yields every output once, in the order tokens finish', async ({ ex }) => {
  const p = new Pipeline({ lines: 8 }, Pipe.serial(tasks.double), Pipe.parallel(tasks.jumble));
  const out = await within(collect(p.stream(ex, range(100))), 30_000, 'stream');
  assert.equal(out.sort((a, b) => a - b), range(100).map((x) => 2 * x));
});

Order('a host serial stage can keep state in a closure: it sees tokens one at a time, in order', async ({ ex }) => {
  const seen = [];
  let running = 0;
  let most = 0;
  const p = new Pipeline({ lines: 4 },
    Pipe.parallel(tasks.jumble),
    Pipe.serial(async (x) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));   // yields to the event loop while "inside" the stage
      seen.push(x);
      running--;
      return seen.length;
    }, { name: 'collect', on: 'host' }));
  assert.equal(await within(p.run(ex, range(60)), 30_000, 'run'), { tokens: 60 });
  assert.equal(seen, range(60));
  assert.is(most, 1, 'never two calls of a serial host stage at once');
});

Order.run();

// ---

const Overlap = suite('overlap: parallel stages run tokens at once, serial stages never');
withExecutor(Overlap);

Overlap('a parallel stage on 2 workers has 2 tokens inside at once', async ({ ex }) => {
  const c = ex.shared(Int32Array, 3);
  const p = new Pipeline({ lines: 4 }, Pipe.parallel(tasks.meet, { name: 'meet', args: [c] }));
  assert.equal(await within(p.run(ex, range(8)), 30_000, 'run'), { tokens: 8 });
  assert.is(c[1], 2, 'most tokens inside the parallel stage at once');
  assert.is(c[0], 0, 'all left');
  ex.free(c);
});

Overlap('a serial stage on 2 workers with 4 lines never has 2 tokens inside', async ({ ex }) => {
  const c = ex.shared(Int32Array, 3);
  const p = new Pipeline({ lines: 4 }, Pipe.parallel(tasks.jumble), Pipe.serial(tasks.alone, { args: [c] }), Pipe.parallel(tasks.jumble));
  assert.equal(await within(p.run(ex, range(40)), 30_000, 'run'), { tokens: 40 });
  assert.is(c[1], 1);
  ex.free(c);
});

Overlap.run();

// ---

const Bound = suite('bound: never more than `lines` tokens in flight');

for (const workers of [1, 2, 4]) {
  Bound(`lines = 1, 2, 4 on ${workers} worker(s): exactly \`lines\` tokens live at the most`, async () => {
    const ex = await Executor.create({ workers, module });
    try {
      for (const lines of [1, 2, 4]) {
        const c = ex.shared(Int32Array, 2);
        // The first `lines` tokens wait on the host until `lines` are live, so the bound is reached; an
        // implementation that let one more in would count it in c[1].
        const gate = async (x) => { if (x < lines) await until(() => Atomics.load(c, 0) >= lines); return x; };
        const p = new Pipeline({ lines, name: `bound ${lines}` },
          Pipe.parallel(tasks.enter, { name: 'enter', args: [c] }),
          Pipe.parallel(gate, { name: 'gate', on: 'host' }),
          Pipe.parallel(tasks.jumble, 'jumble'),
          Pipe.serial(tasks.echo, 'serial'),
          Pipe.parallel(tasks.leave, { name: 'leave', args: [c] }));
        assert.equal(await within(p.run(ex, range(40)), 30_000, `run, lines ${lines}`), { tokens: 40 });
        assert.is(c[1], lines, `most tokens live at once, lines = ${lines}, workers = ${workers}`);
        assert.is(c[0], 0, 'every token left');
        ex.free(c);
      }
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}

const BoundSink = suite('bound: the sink form runs at most `lines` ahead of its consumer');
withExecutor(BoundSink);

BoundSink('a consumer that stops asking holds the source at 1 + lines items', async ({ ex }) => {
  const lines = 3;
  const src = counted(100);
  let done = 0;
  const p = new Pipeline({ lines }, Pipe.parallel(tasks.double), Pipe.serial((x) => { done++; return x; }, { on: 'host' }));
  const it = p.stream(ex, src.items);
  assert.equal(await within(it.next(), 10_000, 'first'), { value: 0, done: false });
  await within(until(() => done >= 1 + lines), 10_000, 'fill');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));   // would let an over-eager pull happen
  assert.is(done, 1 + lines, 'tokens through: the one taken and `lines` waiting');
  assert.is(src.pulled, 1 + lines, 'the source was pulled no further');
  assert.equal(await it.next(), { value: 2, done: false });
  await within(until(() => done >= 2 + lines), 10_000, 'refill');
  assert.is(src.pulled, 2 + lines, 'taking one let exactly one more in');
  await within(it.return(), 10_000, 'return');
  assert.ok(src.closed, 'the source was closed');
});

Bound.run();
BoundSink.run();

// ---

const Errors = suite('errors: the first failure stops the pipeline and names the stage');
withExecutor(Errors);

for (const at of [0, 1, 2]) {
  Errors(`a worker stage failing at position ${at} rejects with its name, keeps the cause, stops the source`, async ({ ex }) => {
    const names = ['first', 'second', 'third'];
    // parallel → serial → serial: tokens after the failing one cannot overtake it and leave.
    const kinds = ['parallel', 'serial', 'serial'];
    const pipes = names.map((name, i) => (i === at
      ? Pipe[kinds[i]](tasks.failAt, { name, args: [5] })
      : Pipe[kinds[i]](tasks.echo, name)));
    const lines = 2;
    const src = counted(1000);
    const err = await within(rejection(new Pipeline({ lines, name: 'three' }, ...pipes).run(ex, src.items)), 10_000, 'run');
    assert.instance(err, PipelineError);
    assert.is(err.name, 'PipelineError');
    assert.is(err.pipeline, 'three');
    assert.is(err.stage, names[at]);
    assert.is(err.stageIndex, at);
    assert.is(err.token, 5);
    assert.is(err.message, `beatflow: pipeline 'three' stopped: stage '${names[at]}' (${at + 1} of 3, ${kinds[at]}) failed on token 5: bad token 5`);
    assert.instance(err.cause, RangeError);
    assert.is(err.cause.message, 'bad token 5');
    assert.ok(src.closed, 'the source iterator was closed (return())');
    assert.ok(src.pulled >= 6 && src.pulled <= 5 + lines, `pulled ${src.pulled}: no more than the lines in flight past the failing token`);
  });
}

Errors('a host stage error, in the sink form: next() rejects with it, then the iterator is done', async ({ ex }) => {
  const src = countedAsync(1000);
  const p = new Pipeline({ lines: 3, name: 'sink' }, Pipe.parallel(tasks.double, 'double'),
    Pipe.serial((x) => { if (x === 8) throw new TypeError('eight'); return x; }, { name: 'check', on: 'host' }));
  const it = p.stream(ex, src.items);
  const got = [];
  let err;
  try { for (;;) { const r = await within(it.next(), 10_000, 'next'); if (r.done) break; got.push(r.value); } } catch (e) { err = e; }
  assert.instance(err, PipelineError);
  assert.is(err.stage, 'check');
  assert.is(err.token, 4);
  assert.instance(err.cause, TypeError);
  assert.equal(got, [0, 2, 4, 6].slice(0, got.length), 'outputs before the failure, in order');
  assert.equal(await it.next(), { value: undefined, done: true });
  assert.ok(src.closed, 'the async source was closed');
});

Errors('a failing source rejects naming the source, and no stage runs on a token it did not produce', async ({ ex }) => {
  const items = (function* () { yield 1; yield 2; throw new Error('disk gone'); })();
  const err = await within(rejection(new Pipeline({ lines: 2, name: 'src' }, Pipe.serial(tasks.echo)).run(ex, items)), 10_000, 'run');
  assert.instance(err, PipelineError);
  assert.is(err.stage, 'source');
  assert.is(err.stageIndex, -1);
  assert.is(err.token, 2);
  assert.is(err.message, "beatflow: pipeline 'src' stopped: its source failed producing token 2: disk gone");
  assert.is(err.cause.message, 'disk gone');
});

Errors('stage calls running at the failure finish before the rejection; no new call starts', async ({ ex }) => {
  const c = ex.shared(Int32Array, 3);
  const seen = ex.shared(Int32Array, 101);
  const p = new Pipeline({ lines: 4 }, Pipe.parallel(tasks.alone, { args: [c] }), Pipe.parallel(tasks.failAt, { name: 'fail', args: [9] }),
    Pipe.parallel(tasks.record, { args: [seen] }));
  const err = await within(rejection(p.run(ex, range(100))), 10_000, 'run');
  assert.is(err.stage, 'fail');
  assert.is(Atomics.load(c, 0), 0, 'every call of the first stage had finished when the run rejected');
  const after = seen[0];
  await new Promise((r) => setTimeout(r, 20));
  assert.is(seen[0], after, 'no stage call ran after the rejection');
  assert.ok(after <= 9 + 3, `${after} tokens reached the last stage`);
  ex.free(c); ex.free(seen);
});

Errors.run();

// ---

const Stop = suite('stopping: early break, abort signal');
withExecutor(Stop);

const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

Stop('breaking out of for await stops the pipeline: the source is closed, nothing hangs, nothing unhandled', async ({ ex }) => {
  const src = counted(1_000_000);
  const c = ex.shared(Int32Array, 3);
  const p = new Pipeline({ lines: 4 }, Pipe.parallel(tasks.alone, { args: [c] }), Pipe.serial(tasks.failAt, { args: [5] }));
  const got = [];
  await within((async () => { for await (const v of p.stream(ex, src.items)) { got.push(v); if (got.length === 3) break; } })(), 10_000, 'loop');
  assert.equal(got, [0, 1, 2]);
  assert.ok(src.closed, 'source closed');
  assert.ok(src.pulled <= 3 + 4, `pulled ${src.pulled}`);
  assert.is(Atomics.load(c, 0), 0, 'the break waited for running calls');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(unhandled, [], 'no unhandled rejection, even from the stage that fails at token 5');
  assert.equal(await within(p.run(ex, range(5)), 10_000, 'again'), { tokens: 5 }, 'the pipeline runs again');
  ex.free(c);
});

Stop('an aborted signal cancels the run: CancelledError with the reason, source closed', async ({ ex }) => {
  const src = counted(1000);
  const ac = new AbortController();
  const p = new Pipeline({ lines: 2, name: 'ab' }, Pipe.parallel(tasks.double),
    Pipe.serial((x) => { if (x === 6) ac.abort('enough'); return x; }, { on: 'host' }));
  const err = await within(rejection(p.run(ex, src.items, { signal: ac.signal })), 10_000, 'run');
  assert.instance(err, CancelledError);
  assert.is(err.message, "beatflow: pipeline 'ab' was cancelled");
  assert.is(err.cause, 'enough');
  assert.ok(src.closed);
  assert.ok(src.pulled <= 4 + 2, `pulled ${src.pulled}`);
});

Stop('a signal aborted before the start pulls nothing', async ({ ex }) => {
  const src = counted(10);
  const p = new Pipeline({ lines: 2 }, Pipe.serial(tasks.echo));
  const err = await within(rejection(p.run(ex, src.items, { signal: AbortSignal.abort('no') })), 10_000, 'run');
  assert.instance(err, CancelledError);
  assert.is(src.pulled, 0);
  const it = p.stream(ex, [1, 2], { signal: AbortSignal.abort('no') });
  assert.instance(await rejection(it.next()), CancelledError);
  assert.equal(await it.next(), { value: undefined, done: true });
});

Stop('aborting a stream rejects the pending next() with a CancelledError', async ({ ex }) => {
  const ac = new AbortController();
  const src = countedAsync(1000);
  const it = new Pipeline({ lines: 2 }, Pipe.serial(tasks.echo)).stream(ex, src.items, { signal: ac.signal });
  assert.equal(await it.next(), { value: 0, done: false });
  ac.abort(new Error('user'));
  const err = await within(rejection((async () => { for (;;) { const r = await it.next(); if (r.done) return; } })()), 10_000, 'drain');
  assert.instance(err, CancelledError);
  assert.is(err.cause.message, 'user');
  assert.ok(src.closed);
});

Stop('return() before the first next() never opens the source', async ({ ex }) => {
  const src = counted(3);
  const it = new Pipeline({ lines: 2 }, Pipe.serial(tasks.echo)).stream(ex, src.items);
  assert.equal(await it.return(), { value: undefined, done: true });
  assert.equal(await it.next(), { value: undefined, done: true });
  assert.is(src.pulled, 0);
});

Stop.run();

// ---

const Sources = suite('sources: empty, sync iterables, async generators');
withExecutor(Sources);

Sources('an empty source: run resolves with 0 tokens, the stream yields nothing', async ({ ex }) => {
  const p = new Pipeline({ lines: 2 }, Pipe.parallel(tasks.double), Pipe.serial(tasks.echo));
  assert.equal(await within(p.run(ex, []), 10_000, 'run'), { tokens: 0 });
  assert.equal(await within(collect(p.stream(ex, [])), 10_000, 'stream'), []);
  assert.equal(await within(collect(p.stream(ex, (async function* () {})())), 10_000, 'async'), []);
});

Sources('arrays, Sets, Map values, generators and async generators all feed the same outputs', async ({ ex }) => {
  const p = new Pipeline({ lines: 3 }, Pipe.parallel(tasks.parse, 'parse'), Pipe.serial((xs) => xs.reduce((a, b) => a + b, 0), 'sum'));
  const rows = ['1,2', '3,4', '5,6,7', '8'];
  const want = [3, 7, 18, 8];
  const gen = function* () { yield* rows; };
  const agen = async function* () { for (const r of rows) { await new Promise((ok) => setImmediate(ok)); yield r; } };
  const custom = { [Symbol.asyncIterator]() { let i = 0; return { next: async () => (i < rows.length ? { value: rows[i++], done: false } : { value: undefined, done: true }) }; } };
  for (const [label, source] of [['array', rows], ['Set', new Set(rows)], ['Map values', new Map(rows.map((r, i) => [i, r])).values()],
    ['generator', gen()], ['async generator', agen()], ['hand-written async iterable', custom]]) {
    assert.equal(await within(collect(p.stream(ex, source)), 10_000, label), want, label);
  }
  assert.equal(await within(p.run(ex, agen()), 10_000, 'run async'), { tokens: 4 });
});

Sources('objects, strings and shared arrays travel between stages as values', async ({ ex }) => {
  const p = new Pipeline({ lines: 2 },
    Pipe.parallel((s) => ({ word: s, n: s.length })),
    Pipe.serial((o) => `${o.word}:${o.n}`, 'label'));
  assert.equal(await collect(p.stream(ex, ['ab', 'cde'])), ['ab:2', 'cde:3']);
});

Sources.run();

// ---

const Options = suite('validation: errors name the bad option');
withExecutor(Options);

Options('new Pipeline(options, ...pipes) checks lines, name, unknown options and pipes', () => {
  const ok = Pipe.serial(tasks.echo);
  const throwsWith = (fn, text) => {
    try { fn(); } catch (e) { assert.instance(e, TypeError); assert.ok(e.message.includes(text), e.message); return; }
    assert.unreachable(`expected a TypeError with ${text}`);
  };
  for (const lines of [0, -1, 1.5, '4', undefined, 65537, NaN]) throwsWith(() => new Pipeline({ lines }, ok), 'options.lines must be an integer from 1 to 65536');
  throwsWith(() => new Pipeline(undefined, ok), 'options must be an object like { lines: 4 }');
  throwsWith(() => new Pipeline(ok, ok), 'options must be an object');
  throwsWith(() => new Pipeline({ lines: 2, line: 3 }, ok), "unknown option 'line'");
  throwsWith(() => new Pipeline({ lines: 2, name: 7 }, ok), 'options.name must be a string');
  throwsWith(() => new Pipeline({ lines: 2 }), 'give at least one pipe');
  throwsWith(() => new Pipeline({ lines: 2 }, ok, tasks.echo), 'pipe 2 must be made by Pipe.serial(fn) or Pipe.parallel(fn) (got function echo)');
});

Options('Pipe.serial / Pipe.parallel check fn, name, on, args', () => {
  assert.throws(() => Pipe.serial(42), /Pipe\.serial\(fn, options\): fn must be a function .*\(got 42\)/);
  assert.throws(() => Pipe.parallel(tasks.echo, { on: 'gpu' }), /options\.on must be 'worker' or 'host' \(got "gpu"\)/);
  assert.throws(() => Pipe.parallel(tasks.echo, { args: 3 }), /options\.args must be an array/);
  assert.throws(() => Pipe.parallel(tasks.echo, { name: 1 }), /options\.name must be a string/);
  assert.throws(() => Pipe.parallel(tasks.echo, { nmae: 'x' }), /unknown option 'nmae'/);
  assert.throws(() => Pipe.parallel(tasks.echo, 3), /options must be a stage name or an object/);
  assert.is(Pipe.serial(tasks.echo).kind, 'serial');
  assert.is(Pipe.parallel(tasks.echo, 'x').label, 'x');
});

Options('run and stream check executor, source and signal', async ({ ex }) => {
  const p = new Pipeline({ lines: 2 }, Pipe.serial(tasks.echo));
  let e = await rejection(p.run({}, [1]));
  assert.match(e.message, /pipeline\.run\(executor, source\): executor must be an Executor/);
  e = await rejection(p.run(ex, 5));
  assert.match(e.message, /source must be an iterable or an async iterable/);
  e = await rejection(p.run(ex, 'abc'));
  assert.match(e.message, /a string would be split into characters: wrap it in an array/);
  e = await rejection(p.run(ex, [1], { signal: true }));
  assert.match(e.message, /options\.signal must be an AbortSignal \(got true\)/);
  e = await rejection(p.run(ex, [1], { sginal: 1 }));
  assert.match(e.message, /unknown option 'sginal'/);
  e = await rejection(p.run(ex, [1], 5));
  assert.is(e.message, 'beatflow: pipeline.run(executor, source, options): options must be an object like { signal } (got 5)');
  assert.throws(() => p.stream(ex, null), /pipeline\.stream\(executor, source\): source must be an iterable/);
});

Options('an inline stage that captures a variable fails naming the stage, with the executor\'s hint as cause', async ({ ex }) => {
  const factor = 3;
  const p = new Pipeline({ lines: 2 }, Pipe.parallel((x) => x * factor, 'scale'));
  const err = await within(rejection(p.run(ex, [1, 2])), 10_000, 'run');
  assert.instance(err, PipelineError);
  assert.is(err.stage, 'scale');
  assert.match(err.cause.message, /factor is not defined in the worker/);
});

Options.run();
