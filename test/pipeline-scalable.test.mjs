// Scalable pipelines (Taskflow's tf::ScalablePipeline) and pipeline.reset(), at 1, 2 and 4 workers: the
// pipes and lines a reset gives are those the next run uses (also a graph task's next run), the token
// count starts again, a run keeps the pipes it started with, and a reset while a run, stream or task is
// in flight is refused naming the pipeline. Bad arguments are named.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, ScalablePipeline, Pipe, Taskflow } from 'beatflow';
import * as tasks from './fixtures/pipeline-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const range = (n) => Array.from({ length: n }, (_, i) => i);

/** A gate a host stage waits on: open() lets every waiting call go. */
function gate() {
  let open;
  const g = { opened: new Promise((r) => { open = r; }), entered: 0 };
  g.open = open;
  g.stage = Pipe.serial(async (x) => { g.entered++; await g.opened; return x; }, { name: 'gate', on: 'host' });
  return g;
}

for (const workers of [1, 2, 4]) {
  const S = suite(`scalable pipelines at ${workers} worker(s)`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('reset(pipes) and reset(lines, pipes): the next run takes the new pipes and lines; numTokens starts again', async ({ ex }) => {
    const out = [];
    const keep = Pipe.serial((x, pf) => out.push([x, pf.line]), { name: 'keep', on: 'host', context: true });
    const p = new ScalablePipeline({ lines: 1, name: 'grow' }, Pipe.parallel(tasks.double), keep);
    assert.equal(await within(p.run(ex, range(6)), 20_000, 'run 1'), { tokens: 6 });
    assert.equal(out, range(6).map((x) => [2 * x, 0]), 'one line: every token on line 0');
    assert.is(p.numTokens(), 6);
    out.length = 0;
    p.reset([Pipe.parallel(tasks.double), Pipe.parallel(tasks.double), keep]);
    assert.is(p.numTokens(), 0, 'reset(pipes) resets the count');
    assert.is(p.pipes.length, 3);
    assert.is(p.lines, 1, 'the lines stay');
    await within(p.run(ex, range(6)), 20_000, 'run 2');
    assert.equal(out.map(([x]) => x), range(6).map((x) => 4 * x), 'three pipes now');
    out.length = 0;
    p.reset(3, [Pipe.serial(tasks.echo), keep]);
    assert.is(p.lines, 3);
    await within(p.run(ex, range(9)), 20_000, 'run 3');
    assert.equal(out.map(([x]) => x), range(9));
    assert.equal(out.map(([, line]) => line), range(9).map((t) => t % 3), 'three lines, taken in turn');
    assert.is(p.numTokens(), 9);
    p.reset();
    assert.is(p.numTokens(), 0, 'reset() resets the count only');
    assert.is(p.pipes.length, 2);
  });

  S('a reset while a run, a stream or a graph task is in flight is refused; the run keeps its pipes', async ({ ex }) => {
    const refused = (p) => assert.throws(() => p.reset([Pipe.serial(tasks.echo)]),
      (e) => e instanceof Error && e.message === "beatflow: pipeline 'busy'.reset(): 1 run(s) of it are in flight (run, stream or graph task): reset it once they have settled");
    for (const form of ['run', 'stream', 'task']) {
      const g = gate();
      const seen = [];
      const p = new ScalablePipeline({ lines: 2, name: 'busy' }, g.stage, Pipe.parallel(tasks.double), Pipe.serial((x) => seen.push(x), { on: 'host' }));
      let done;
      if (form === 'run') done = p.run(ex, range(4));
      else if (form === 'stream') {
        const it = p.stream(ex, range(4));
        done = (async () => { const r = []; for await (const v of it) r.push(v); return r; })();
      } else {
        const tf = new Taskflow('holder');
        p.task(tf, range(4));
        done = ex.run(tf);
      }
      await within((async () => { while (g.entered === 0) await new Promise((r) => setTimeout(r, 1)); })(), 10_000, 'enter');
      refused(p);
      assert.throws(() => p.reset(), /1 run\(s\) of it are in flight/, `${form}: reset() too`);
      g.open();
      await within(done, 20_000, form);
      assert.equal(seen, [0, 2, 4, 6], `${form}: the run kept the pipes it started with`);
      p.reset([Pipe.serial(tasks.echo)]);   // settled: allowed
      assert.is(p.pipes.length, 1);
    }
    // A plain Pipeline's reset() is refused the same way, and resets numTokens once idle.
    const g = gate();
    const plain = new Pipeline({ lines: 2, name: 'busy' }, g.stage);
    const run = plain.run(ex, range(3));
    await within((async () => { while (g.entered === 0) await new Promise((r) => setTimeout(r, 1)); })(), 10_000, 'enter');
    assert.throws(() => plain.reset(), /pipeline 'busy'\.reset\(\): 1 run\(s\) of it are in flight/);
    g.open();
    await within(run, 10_000, 'plain');
    assert.is(plain.numTokens(), 3);
    plain.reset();
    assert.is(plain.numTokens(), 0);
  });

  S("Taskflow's scalable example: a graph task runs the pipes the last reset gave", async ({ ex }) => {
    const log = [];
    const stage = (k) => Pipe.serial((x, pf) => { log.push(`${k}:${pf.token}`); return x; }, { name: `s${k}`, on: 'host', context: true });
    const p = new ScalablePipeline({ lines: 4, name: 'scalable' }, stage(1), stage(2));
    const tf = new Taskflow('module');
    p.task(tf, range(3));
    await within(ex.run(tf), 20_000, 'first');
    const at = (k) => log.filter((e) => e.startsWith(`${k}:`));
    assert.equal([at(1), at(2), at(3)], [['1:0', '1:1', '1:2'], ['2:0', '2:1', '2:2'], []]);
    log.length = 0;
    p.reset([...p.pipes, stage(3)]);
    await within(ex.run(tf), 20_000, 'second');
    assert.equal([at(1), at(2), at(3)], [['1:0', '1:1', '1:2'], ['2:0', '2:1', '2:2'], ['3:0', '3:1', '3:2']], 'the third pipe ran');
  });

  S('an empty ScalablePipeline refuses to run until a reset gives it pipes', async ({ ex }) => {
    const p = new ScalablePipeline({ lines: 2, name: 'empty' });
    assert.equal(p.pipes, []);
    const msg = "beatflow: pipeline 'empty' has no pipes to run: give them with scalablePipeline.reset(pipes)";
    assert.is((await rejection(p.run(ex, [1]))).message, msg);
    assert.throws(() => p.stream(ex, [1]), (e) => e.message === msg);
    const tf = new Taskflow('t');
    const task = p.task(tf, [1, 2]);
    const e = await within(rejection(ex.run(tf)), 10_000, 'task');
    assert.is(e.message, msg);
    assert.is(e.task, 'empty');
    p.reset([Pipe.parallel(tasks.double)]);
    assert.equal(await within(p.run(ex, [1, 2]), 10_000, 'run'), { tokens: 2 });
    assert.equal((await within(ex.run(tf), 10_000, 'task again')).result(task), { tokens: 2 });
  });

  S.run();
}

// ---

const Bad = suite('reset: bad arguments named');

Bad('pipes must be an array of pipes; lines an integer from 1', () => {
  const p = new ScalablePipeline({ lines: 2 }, Pipe.serial(tasks.echo));
  assert.throws(() => p.reset(5), /scalablePipeline\.reset\(lines\?, pipes\): pipes must be an array of pipes .*\(got undefined\)/, 'lines without pipes');
  assert.throws(() => p.reset('x'), (e) => e instanceof TypeError && e.message.includes('scalablePipeline.reset(lines?, pipes): pipes must be an array of pipes') && e.message.includes('(got "x")'));
  assert.throws(() => p.reset(0, [Pipe.serial(tasks.echo)]), /scalablePipeline\.reset\(lines\?, pipes\): lines must be an integer from 1 to 65536.*\(got 0\)/);
  assert.throws(() => p.reset(3, 'x'), /pipes must be an array of pipes/);
  assert.throws(() => p.reset([Pipe.serial(tasks.echo), tasks.echo]),
    /beatflow: scalablePipeline\.reset\(lines\?, pipes\): pipe 2 must be made by Pipe\.serial\(fn\) or Pipe\.parallel\(fn\) \(got function echo\)/);
  assert.is(p.pipes.length, 1, 'a refused reset changed nothing');
  assert.is(p.lines, 2);
  assert.throws(() => new ScalablePipeline({ lines: 0 }), /new Pipeline\(options, \.\.\.pipes\): options\.lines must be an integer/);
  assert.throws(() => new Pipeline({ lines: 2 }), /give at least one pipe/, 'a plain Pipeline still needs pipes');
});

Bad.run();
