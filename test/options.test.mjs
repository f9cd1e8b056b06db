// Executor options are validated at the boundary with messages that name the option.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import { rejection, fixtures } from './helpers/executor.mjs';
import { spinPolicy, autoWorkers, taskCapLog2, dequeCapLog2 } from '../build/src/scheduler.js';

const Opts = suite('options');

const bad = [
  [{ workers: 0 }, /options\.workers must be an integer from 1 to 256 \(got 0\)/],
  [{ workers: 1.5 }, /options\.workers must be an integer/],
  [{ workers: 'many' }, /options\.workers must be an integer from 1 to 256 \(got "many"\)/],
  [{ workers: -2 }, /options\.workers/],
  [{ maxTasks: 0 }, /options\.maxTasks must be an integer/],
  [{ maxFunctions: 'x' }, /options\.maxFunctions/],
  [{ maxRuns: 1e9 }, /options\.maxRuns/],
  [{ closeTimeout: -1 }, /options\.closeTimeout/],
  [{ spinIterations: 0.5 }, /options\.spinIterations/],
  [{ module: 42 }, /options\.module must be a URL, a file: URL string or a path \(got 42\)/],
  [{ module: '' }, /options\.module/],
  [{ resourceLimits: 64 }, /options\.resourceLimits must be an object/],
  [{ worker: 2 }, /unknown option 'worker' \(known options: workers, module/],
  ['fast', /options must be an object \(got "fast"\)/],
];
for (const [opts, message] of bad) {
  Opts(`rejects ${JSON.stringify(opts)}`, async () => {
    const e = await rejection(Executor.create(opts));
    assert.ok(e instanceof TypeError, e.message);
    assert.match(e.message, message);
  });
}

Opts('accepts a path string, a file: URL string and a URL for module', async () => {
  for (const module of [fixtures, fixtures.href, 'test/fixtures/tasks.mjs']) {
    const ex = await Executor.create({ workers: 1, module });
    assert.is(ex.workers, 1);
    await ex.close();
  }
});

Opts("workers: 'auto' means one per CPU", async () => {
  const ex = await Executor.create({ workers: 'auto' });
  assert.is(ex.workers, autoWorkers((await import('node:os')).availableParallelism()));
  await ex.close();
});

// ---
const Policy = suite('scheduling policies (pure)');

Policy('spinPolicy keeps a core for the host and always lets one worker spin', () => {
  const table = [
    [[1, 1], 1], [[2, 2], 1], [[4, 2], 1], [[4, 4], 3], [[8, 16], 8], [[16, 8], 7],
  ];
  for (const [[workers, cpus], maxSpinners] of table) {
    assert.is(spinPolicy(workers, cpus).maxSpinners, maxSpinners, `${workers} workers, ${cpus} cpus`);
  }
  assert.is(spinPolicy(2, 2, 99).spinIters, 99);
});

Policy('table sizes are powers of two with floors and caps', () => {
  assert.is(taskCapLog2(1), 10);
  assert.is(taskCapLog2(1024), 10);
  assert.is(taskCapLog2(1025), 11);
  assert.is(taskCapLog2(1 << 20), 20);
  assert.is(dequeCapLog2(10), 10);
  assert.is(dequeCapLog2(22), 16);
  assert.is(autoWorkers(0), 1);
  assert.is(autoWorkers(6), 6);
});

Opts.run();
Policy.run();
