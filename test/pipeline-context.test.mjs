// Pipelines, item by item of Taskflow's pipe context: pf.token / pf.line / pf.pipe handed to stages with
// { context: true }, and pipeline.numTokens() across runs. Each suite runs at 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, Pipe } from 'beatflow';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const tasks = await import('./fixtures/pipeline-tasks.mjs');
const range = (n) => Array.from({ length: n }, (_, i) => i);

for (const workers of [1, 2, 4]) {
  const s = suite(`context at ${workers} worker(s)`);
  s.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  s.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  s('a host stage gets { token, line, pipe } after its input; serial stages see tokens in order', async ({ ex }) => {
    const seen = [];
    const p = new Pipeline({ lines: 3 },
      Pipe.serial((x, pf) => { seen.push([x, pf.token, pf.line, pf.pipe]); return x; }, { on: 'host', context: true }),
      Pipe.serial((x, pf) => { seen.push([x, pf.token, pf.line, pf.pipe]); return x; }, { on: 'host', context: true }));
    assert.equal(await p.run(ex, ['a', 'b', 'c', 'd', 'e']), { tokens: 5 });
    const at = (pipe) => seen.filter((r) => r[3] === pipe);
    // Every token finishes in order here, so lines rotate: token t holds line t % lines.
    const want = (pipe) => ['a', 'b', 'c', 'd', 'e'].map((x, t) => [x, t, t % 3, pipe]);
    assert.equal(at(0), want(0));
    assert.equal(at(1), want(1));
    assert.is(seen.length, 10);
  });

  s('without context a stage gets exactly ...args and the input', async ({ ex }) => {
    const counts = [];
    const p = new Pipeline({ lines: 2 }, Pipe.serial((...a) => counts.push(a.length), { on: 'host', args: [1] }));
    await p.run(ex, [1, 2, 3]);
    assert.equal(counts, [2, 2, 2]);
  });

  s('a worker stage gets the context too, after its args and input', async ({ ex }) => {
    const out = [];
    const p = new Pipeline({ lines: 2 },
      Pipe.parallel(tasks.jumble, 'jumble'),
      Pipe.parallel(tasks.withContext, { args: ['w'], context: true }),
      Pipe.serial((r) => out.push(r), { on: 'host' }));
    assert.equal(await p.run(ex, range(12)), { tokens: 12 });
    assert.is(out.length, 12);
    out.sort((a, b) => a[2] - b[2]);
    out.forEach(([tag, x, token, line, pipe], i) => {
      assert.equal([tag, x, token, pipe], ['w', i, i, 1]);
      assert.ok(line === 0 || line === 1, `line ${line}`);
    });
  });

  for (const form of ['run', 'stream']) {
    s(`${form}: a line is held by one token at a time, tokens finishing out of order`, async ({ ex }) => {
      const lines = 4;
      const holder = new Array(lines).fill(undefined);
      const used = new Set();
      const finished = new Set();
      const errors = [];
      const p = new Pipeline({ lines },
        Pipe.parallel((x, pf) => {
          if (pf.line < 0 || pf.line >= lines || !Number.isInteger(pf.line)) errors.push(`line ${pf.line}`);
          // The stream form frees a line as its output is handed over, which the loop body sees a little
          // later: there the line may still be marked, but only by a token through every stage.
          if (holder[pf.line] !== undefined && !(form === 'stream' && finished.has(holder[pf.line]))) errors.push(`line ${pf.line} taken by ${holder[pf.line]} and ${pf.token}`);
          holder[pf.line] = pf.token;
          used.add(pf.line);
          return x;
        }, { on: 'host', context: true }),
        Pipe.parallel(tasks.jumble, 'jumble'),
        Pipe.parallel((x, pf) => {
          if (holder[pf.line] !== pf.token) errors.push(`token ${pf.token} lost line ${pf.line}`);
          if (form === 'run') holder[pf.line] = undefined;
          else finished.add(pf.token);
          return [x, pf.line];
        }, { on: 'host', context: true }));
      let n = 0;
      if (form === 'run') n = (await p.run(ex, range(40))).tokens;
      else for await (const [, line] of p.stream(ex, range(40))) { n++; void line; }
      assert.is(n, 40);
      assert.equal(errors, []);
      assert.equal([...used].sort(), [0, 1, 2, 3]);
    });
  }

  s('numTokens() counts tokens taken over every run, stream and failed run', async ({ ex }) => {
    const p = new Pipeline({ lines: 2 }, Pipe.parallel(tasks.failAt, { args: [-1] }));
    assert.is(p.numTokens(), 0);
    await p.run(ex, range(5));
    assert.is(p.numTokens(), 5);
    await p.run(ex, range(3));
    assert.is(p.numTokens(), 8);
    const got = [];
    for await (const v of p.stream(ex, range(4))) got.push(v);
    assert.is(got.length, 4);
    assert.is(p.numTokens(), 12);
    await Promise.all([p.run(ex, range(7)), p.run(ex, range(9))]);   // at once: both count
    assert.is(p.numTokens(), 28);
    await p.run(ex, []);
    assert.is(p.numTokens(), 28);
    // A failed run counts what it took: the source was pulled until the stop (tokens 0..n, n ≥ 3).
    const bad = new Pipeline({ lines: 1 }, Pipe.serial(tasks.failAt, { args: [2] }));
    await bad.run(ex, range(10)).catch(() => {});
    assert.is(bad.numTokens(), 3);   // one line: token 3 is never pulled before token 2 failed
    // Token numbers restart in each run (they number the run's source); numTokens keeps counting.
    const tokens = [];
    const q = new Pipeline({ lines: 1 }, Pipe.serial((x, pf) => tokens.push(pf.token), { on: 'host', context: true }));
    await q.run(ex, range(2));
    await q.run(ex, range(2));
    assert.equal(tokens, [0, 1, 0, 1]);
    assert.is(q.numTokens(), 4);
  });

  s.run();
}

const Bad = suite('context: bad input named');

Bad('context must be true or false', () => {
  for (const bad of ['yes', 1, null, {}]) {
    assert.throws(() => Pipe.serial((x) => x, { context: bad }),
      (e) => e instanceof TypeError && e.message.includes('Pipe.serial(fn, options)') && e.message.includes('context') && e.message.includes('true or false'));
    assert.throws(() => Pipe.parallel((x) => x, { context: bad }),
      (e) => e instanceof TypeError && e.message.includes('Pipe.parallel(fn, options)') && e.message.includes('context'));
  }
});

Bad('an unknown option lists context among the known ones', () => {
  assert.throws(() => Pipe.serial((x) => x, { contxt: true }),
    (e) => e instanceof TypeError && e.message.includes('contxt') && e.message.includes('context'));
});

Bad('a pipe records its context flag', () => {
  assert.is(Pipe.serial((x) => x).context, false);
  assert.is(Pipe.serial((x) => x, { context: true }).context, true);
});

Bad.run();
