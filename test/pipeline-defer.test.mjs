// Deferred tokens (Taskflow's pf.defer / pf.num_deferrals): the bookkeeping as a table, then pipelines at
// 1, 2 and 4 workers: Taskflow's documented example and its H.264 frame pattern give Taskflow's exact order
// at the first pipe (checked against a small sequential model of Taskflow's algorithm), later serial
// stages take tokens in that order, deferring to a passed token re-runs at once, and every deferral that
// could never resolve (itself, a cycle, a token past the source's end) is an error naming the stage and
// the token, never a hang.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, Pipe, PipelineError } from 'beatflow';
import { Deferrals } from '../build/src/pipeline/defer.js';
import * as tasks from './fixtures/pipeline-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const range = (n) => Array.from({ length: n }, (_, i) => i);

/**
 * Taskflow's first pipe, sequentially (pipeline.hpp before deferred tokens were removed): a ready token
 * goes before a new one; a call naming tokens that all passed runs again at once with one more deferral;
 * otherwise the token waits until every one of them passed. `wants(token, deferrals)` is what the first
 * pipe defers to. Returns the tokens in the order they pass.
 */
function taskflowOrder(n, wants) {
  const passed = new Set();
  const order = [];
  const waiting = new Map();   // token → [tokens it waits for, its deferrals]
  const ready = [];
  let next = 0;
  while (order.length < n) {
    let [t, k] = ready.length > 0 ? ready.shift() : [next++, 0];
    let deferred = false;
    for (let on = wants(t, k); on.length > 0; on = wants(t, k)) {
      k++;
      const live = on.filter((d) => !passed.has(d));
      if (live.length > 0) { waiting.set(t, [new Set(live), k]); deferred = true; break; }
    }
    if (deferred) continue;
    order.push(t);
    passed.add(t);
    for (const [w, [on, kw]] of waiting) {
      if (on.delete(t) && on.size === 0) { waiting.delete(w); ready.push([w, kw]); }
    }
  }
  return order;
}

/** Taskflow's documented example (pipeline_with_token_dependencies.dox): 2 waits for 8; 5 for 2 and 7, then for 9. */
function docWants(t, k) {
  if (t === 5) return k === 0 ? [2, 7] : k === 1 ? [9] : [];
  if (t === 2) return k === 0 ? [8] : [];
  return [];
}

/** Frame types of Taskflow's H.264 test (unittests/test_deferred_pipelines.cpp), the first 80. */
const FRAMES = ('IBBBPPIBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBBPBBPBBBPBBBPBBBPBBBPBBBPI').split('');

/** What frame t of `n` waits for on its first visit: a P frame the I or P before it, a B frame that one and the next I or P. */
function frameWants(n) {
  const anchor = (t, step) => { for (let i = t + step; i >= 0 && i < n; i += step) if (FRAMES[i] !== 'B') return i; return -1; };
  return (t, k) => {
    if (k > 0 || FRAMES[t] === 'I') return [];
    const before = anchor(t, -1);
    const after = FRAMES[t] === 'B' ? anchor(t, 1) : -1;
    return [before, after].filter((i) => i >= 0);
  };
}

// ---

const Book = suite('bookkeeping: Deferrals as a table');

const tok = (index) => ({ index });

Book('the documented example: what each deferral returns and which tokens become ready', () => {
  const d = new Deferrals();
  // token 2 defers to 8 (8 not produced yet: tokens below 3 went through the first pipe)
  assert.equal(d.defer(tok(2), new Set([8]), 3, Infinity), { kind: 'deferred' });
  d.passed(3); d.passed(4);
  assert.equal(d.defer(tok(5), new Set([2, 7]), 6, Infinity), { kind: 'deferred' }, '2 is pending, 7 is to come');
  d.passed(6); d.passed(7);
  assert.is(d.ready, 0, '5 still waits for 2');
  d.passed(8);
  assert.is(d.ready, 1);
  const two = d.takeReady();
  assert.is(two.index, 2);
  assert.is(d.size, 2, '2 stays pending until it passes; 5 waits');
  d.passed(2);
  assert.is(d.takeReady().index, 5);
  assert.equal(d.defer(tok(5), new Set([9]), 9, Infinity), { kind: 'deferred' });
  d.passed(9);
  assert.is(d.takeReady().index, 5);
  d.passed(5);
  assert.is(d.size, 0);
});

Book('passed tokens are nothing to wait for; itself, cycles and tokens past the end are refused', () => {
  const d = new Deferrals();
  assert.equal(d.defer(tok(4), new Set([1, 3]), 5, Infinity), { kind: 'rerun' }, 'both passed');
  assert.equal(d.defer(tok(4), new Set([4]), 5, Infinity), { kind: 'self' });
  assert.equal(d.defer(tok(4), new Set([9]), 5, 8), { kind: 'beyond', on: 9, end: 8 });
  assert.equal(d.defer(tok(1), new Set([6]), 5, Infinity), { kind: 'deferred' });
  assert.equal(d.defer(tok(3), new Set([1]), 5, Infinity), { kind: 'deferred' }, '3 waits for 1 (pending)');
  assert.equal(d.defer(tok(6), new Set([3]), 7, Infinity), { kind: 'cycle', path: [6, 3, 1, 6] }, '6 → 3 → 1 → 6');
  assert.equal(d.beyond(6), [1, 6], 'a source of 6 tokens never gives 1 its token 6');
  assert.is(d.beyond(7), undefined);
  assert.is(d.firstWaiting(), 1);
});

Book('one token resolving several: they become ready in the order they deferred', () => {
  const d = new Deferrals();
  for (const i of [1, 2, 3]) d.defer(tok(i), new Set([4]), i + 1, Infinity);
  d.passed(4);
  assert.equal([d.takeReady().index, d.takeReady().index, d.takeReady().index], [1, 2, 3]);
  assert.is(d.takeReady(), undefined);
});

Book.run();

// ---

for (const workers of [1, 2, 4]) {
  const S = suite(`deferred tokens at ${workers} worker(s)`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  /**
   * A pipeline whose host first pipe defers as `wants` says, then a parallel worker stage that finishes
   * tokens out of order, then a serial host stage: records [token, deferrals] at the first and last pipe.
   */
  const deferring = (wants, lines) => {
    const first = [], last = [], calls = [];
    const p = new Pipeline({ lines, name: 'video' },
      Pipe.serial((x, pf) => {
        calls.push(pf.token);
        for (const t of wants(pf.token, pf.numDeferrals)) pf.defer(t);
        if (wants(pf.token, pf.numDeferrals).length === 0) first.push([pf.token, pf.numDeferrals]);
        return x;
      }, { name: 'decode', on: 'host', context: true }),
      Pipe.parallel(tasks.jumble, 'jumble'),
      Pipe.serial((x, pf) => { last.push([pf.token, pf.numDeferrals, x]); }, { name: 'show', on: 'host', context: true }));
    return { p, first, last, calls };
  };

  S("Taskflow's documented example: the first pipe's exact order, and later serial stages follow it", async ({ ex }) => {
    for (const lines of [1, 2, 4]) {
      const { p, first, last } = deferring(docWants, lines);
      assert.equal(await within(p.run(ex, range(11)), 20_000, 'run'), { tokens: 11 });
      const want = [0, 1, 3, 4, 6, 7, 8, 2, 9, 5, 10];   // the order Taskflow's documentation gives
      assert.equal(first.map(([t]) => t), want, `lines ${lines}`);
      assert.equal(taskflowOrder(11, docWants), want, 'the model agrees');
      assert.equal(last.map(([t]) => t), want, 'the serial last stage takes them in the same order');
      assert.equal(last.map(([t, k]) => [t, k]).filter(([, k]) => k > 0), [[2, 1], [5, 2]], 'numDeferrals as Taskflow counts them');
      assert.equal(last.map(([t, , x]) => t === x), range(11).map(() => true), 'each token carries its own item');
    }
  });

  S('H.264 frames: B frames wait for the next P frame; exact order over growing lengths, 1 to 4 lines', async ({ ex }) => {
    for (const n of [1, 5, 17, 40, FRAMES.length]) {
      for (const lines of [1, 3, 4]) {
        const wants = frameWants(n);
        const { p, first, last } = deferring(wants, lines);
        assert.equal(await within(p.run(ex, range(n)), 20_000, `run ${n}`), { tokens: n });
        const order = first.map(([t]) => t);
        assert.equal(order, taskflowOrder(n, wants), `n ${n}, lines ${lines}`);
        assert.equal(last.map(([t]) => t), order, 'the last serial stage in the same order');
        assert.equal([...order].sort((a, b) => a - b), range(n), 'each frame exactly once');
        for (const [t, k] of first) {
          const deps = wants(t, 0);
          for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(t), `frame ${t} after frame ${d}`);
          // B frames wait (their next anchor is ahead); a P frame's only anchor is behind it: a re-run.
          assert.is(k, deps.length > 0 ? 1 : 0, `frame ${t}'s deferrals`);
        }
      }
    }
    // The start of the pattern, spelled out: I0 B1 B2 B3 P4 P5 I6 B7 B8 B9 P10 …
    const { p, first } = deferring(frameWants(12), 2);
    await p.run(ex, range(12));
    assert.equal(first.map(([t]) => t), [0, 4, 1, 2, 3, 5, 6, 10, 7, 8, 9, 11]);
  });

  S('deferring to the next token, each in turn: tokens pass in reverse; to the previous one: in order', async ({ ex }) => {
    for (const n of [1, 2, 10, 60]) {
      const next = (t, k) => (k === 0 && t < n - 1 ? [t + 1] : []);
      const a = deferring(next, 4);
      assert.equal(await within(a.p.run(ex, range(n)), 20_000, 'next'), { tokens: n });
      assert.equal(a.first.map(([t]) => t), range(n).reverse(), `n ${n}: Taskflow's DeferNextToken order`);
      assert.equal(a.first.map(([, k]) => k), range(n).map((i) => (i === 0 ? 0 : 1)), 'every token but the last deferred once');
      const prev = (t, k) => (k === 0 && t > 0 ? [t - 1] : []);
      const b = deferring(prev, 2);
      assert.equal(await within(b.p.run(ex, range(n)), 20_000, 'prev'), { tokens: n });
      assert.equal(b.first.map(([t]) => t), range(n), `n ${n}: deferring to a passed token is no wait`);
      assert.equal(b.first.map(([, k]) => k), range(n).map((i) => (i === 0 ? 0 : 1)), 'but it counts, and the pipe runs again');
      assert.equal(b.calls, range(n).flatMap((i) => (i === 0 ? [0] : [i, i])), 'each later token called twice, back to back');
    }
  });

  S('a deferred token holds no line: lines in flight never exceed `lines`, deferred ones aside', async ({ ex }) => {
    const lines = 2;
    const c = ex.shared(Int32Array, 2);
    const n = 30;
    // Every even token waits for the token 5 after it (or passes when there is none).
    const wants = (t, k) => (k === 0 && t % 2 === 0 && t + 5 < n ? [t + 5] : []);
    const seenLines = new Set();
    const p = new Pipeline({ lines },
      Pipe.serial((x, pf) => { for (const t of wants(pf.token, pf.numDeferrals)) pf.defer(t); seenLines.add(pf.line); return x; },
        { on: 'host', context: true }),
      Pipe.parallel(tasks.enter, { args: [c] }),
      Pipe.parallel(tasks.jumble),
      Pipe.parallel(tasks.leave, { args: [c] }));
    assert.equal(await within(p.run(ex, range(n)), 20_000, 'run'), { tokens: n });
    assert.ok(c[1] <= lines, `most tokens past the first pipe at once: ${c[1]}`);
    assert.is(c[0], 0);
    assert.equal([...seenLines].sort(), [0, 1]);
    ex.free(c);
  });

  S('the stream form and an early break with tokens still deferred: nothing hangs', async ({ ex }) => {
    const wants = (t, k) => (k === 0 && t % 3 === 0 ? [t + 2] : []);
    const { p } = deferring(wants, 3);
    const sink = new Pipeline({ lines: 3 }, ...p.pipes.slice(0, 2));
    const out = [];
    for await (const v of sink.stream(ex, range(12))) out.push(v);
    assert.equal(out.sort((a, b) => a - b), range(12), 'every token once, 12 % 3 == 0 tokens waited for token + 2');
    const got = [];
    await within((async () => { for await (const v of sink.stream(ex, range(1000))) { got.push(v); if (got.length === 4) break; } })(), 10_000, 'break');
    assert.is(got.length, 4);
  });

  S('deferrals that can never resolve fail the run naming the first pipe and the token', async ({ ex }) => {
    const run = (wants, n = 10) => {
      const p = new Pipeline({ lines: 2, name: 'frames' },
        Pipe.serial((x, pf) => { for (const t of wants(pf.token, pf.numDeferrals)) pf.defer(t); return x; }, { name: 'decode', on: 'host', context: true }),
        Pipe.parallel(tasks.double));
      return within(rejection(p.run(ex, range(n))), 10_000, 'run');
    };
    let e = await run((t) => (t === 3 ? [3] : []));
    assert.instance(e, PipelineError);
    assert.equal([e.stage, e.stageIndex, e.token], ['decode', 0, 3]);
    assert.match(e.cause.message, /token 3 deferred to itself/);
    e = await run((t, k) => (k === 0 && t === 2 ? [6] : k === 0 && t === 6 ? [2] : []));
    assert.equal([e.stage, e.token], ['decode', 6]);
    assert.match(e.cause.message, /token 6 deferred to 2, which waits for it in turn \(6 → 2 → 6\)/);
    e = await run((t, k) => (k === 0 && t === 1 ? [4] : k === 0 && t === 4 ? [7] : k === 0 && t === 7 ? [1] : []));
    assert.match(e.cause.message, /\(7 → 1 → 4 → 7\)/, 'a longer cycle, closed by token 7');
    e = await run((t, k) => (k === 0 && t === 4 ? [25] : []));
    assert.equal([e.stage, e.token], ['decode', 4]);
    assert.match(e.cause.message, /token 4 deferred to token 25, but the source produced only 10 token\(s\)/);
    e = await run((t, k) => (k === 0 && t === 8 ? [12] : []), 10);
    assert.match(e.cause.message, /token 8 deferred to token 12, but the source produced only 10/, 'found at the source\'s end');
  });

  S.run();
}

// ---

const Bad = suite('pf.defer: bad use named');

Bad('outside a serial first pipe, after the call, or with a bad token: the stage fails saying why', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const fail = async (p) => within(rejection(p.run(ex, range(4))), 10_000, 'run');
    let e = await fail(new Pipeline({ lines: 2, name: 'two' }, Pipe.serial(tasks.echo, 'first'),
      Pipe.serial((x, pf) => pf.defer(0), { name: 'second', on: 'host', context: true })));
    assert.equal([e.stage, e.stageIndex], ['second', 1]);
    assert.match(e.cause.message, /pf\.defer\(token\) in stage 'second' \(2\) of pipeline 'two': only a serial first pipe can defer/);
    e = await fail(new Pipeline({ lines: 2 }, Pipe.parallel((x, pf) => pf.defer(3), { name: 'par', on: 'host', context: true })));
    assert.match(e.cause.message, /stage 'par' \(1\).*only a serial first pipe/);
    for (const bad of [-1, 1.5, '2', NaN, undefined]) {
      e = await fail(new Pipeline({ lines: 2 }, Pipe.serial((x, pf) => pf.defer(bad), { on: 'host', context: true })));
      assert.instance(e.cause, TypeError);
      assert.match(e.cause.message, /pf\.defer\(token\): token must be a token number, an integer from 0/);
    }
    let late;
    const p = new Pipeline({ lines: 1, name: 'late' }, Pipe.serial((x, pf) => { late = pf; return x; }, { name: 'keep', on: 'host', context: true }));
    await p.run(ex, [1]);
    assert.throws(() => late.defer(0), /pf\.defer\(token\) in stage 'keep' of pipeline 'late' came after the stage's call returned/);
    // A worker stage's context is data: numDeferrals, no defer.
    const seen = [];
    await new Pipeline({ lines: 1 }, Pipe.serial(tasks.contextKeys, { context: true }), Pipe.serial((k) => seen.push(k), { on: 'host' })).run(ex, [0]);
    assert.equal(seen, [['line', 'numDeferrals', 'pipe', 'token']]);
  } finally {
    await ex.close();
  }
});

Bad.run();
