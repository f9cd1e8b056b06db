// Executor options are validated at the boundary with messages that name the option.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import { rejection, fixtures } from './helpers/executor.mjs';
import { spinPolicy, autoWorkers, taskCapLog2, dequeCapLog2, nextHostSpin, hostMayPoll, HOST_SPIN_MAX_US, clockStride, CLOCK_SLACK_MS } from '../build/src/policy/scheduling.js';

const Opts = suite('options');

const bad = [
  [{ workers: 257 }, /options\.workers must be an integer from 0 \(single-threaded\) to 256 \(got 257\)/],
  [{ workers: 1.5 }, /options\.workers must be an integer/],
  [{ workers: 'many' }, /options\.workers must be an integer from 0 \(single-threaded\) to 256 \(got "many"\)/],
  [{ workers: -2 }, /options\.workers/],
  [{ maxTasks: 0 }, /options\.maxTasks must be an integer/],
  [{ maxFunctions: 'x' }, /options\.maxFunctions/],
  [{ maxRuns: 1e9 }, /options\.maxRuns/],
  [{ closeTimeout: -1 }, /options\.closeTimeout/],
  [{ spinMicroseconds: 0.5 }, /options\.spinMicroseconds must be an integer/],
  [{ module: 42 }, /options\.module must be a URL, a file: URL string, a path, or a module namespace \(import \* as tasks\) \(got 42\)/],
  [{ wasm: 42 }, /options\.wasm must be a WebAssembly\.Module, the bytes of build\/core\.wasm \(an ArrayBuffer or a typed array\), or its URL/],
  [{ wasm: null }, /options\.wasm must be/],
  [{ workerUrl: {} }, /options\.workerUrl must be a URL or a URL string \(the bundle of beatflow\/worker\)/],
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

Policy('spinPolicy keeps a core for the host, always lets one worker spin, and turns a duration into rounds', () => {
  const table = [
    [[1, 1], 1], [[2, 2], 1], [[4, 2], 1], [[4, 4], 3], [[8, 16], 8], [[16, 8], 7],
  ];
  for (const [[workers, cpus], maxSpinners] of table) {
    assert.is(spinPolicy(workers, cpus, 100, 5).maxSpinners, maxSpinners, `${workers} workers, ${cpus} cpus`);
  }
  assert.is(spinPolicy(2, 2, 100, 5).spinIters, 20_000, '100 µs at 5 ns a round');
  assert.is(spinPolicy(2, 2, 50, 10).spinIters, 5_000);
  assert.is(spinPolicy(2, 2, 1, 1000).spinIters, 16, 'never fewer than 16 rounds');
  assert.is(spinPolicy(2, 2, 1_000_000, 0).spinIters, 1 << 26, 'a zero measurement is clamped, not divided by');
});

Policy('the host poll budget grows on a catch, learns a short wait, halves after a long one, stops under 1 µs', () => {
  assert.is(nextHostSpin(20, true), 26);
  assert.is(nextHostSpin(HOST_SPIN_MAX_US, true), HOST_SPIN_MAX_US);
  assert.is(nextHostSpin(20, false, 100), 150, 'missed, but it came after 100 µs: poll 150 µs next time');
  assert.is(nextHostSpin(20, false, 200), HOST_SPIN_MAX_US, 'capped');
  assert.is(nextHostSpin(20, false, 5000), 10, 'came after 5 ms: halve');
  assert.is(nextHostSpin(20, false), 10, 'unknown wait: halve');
  assert.is(nextHostSpin(1.5, false, 1e6), 0);
  assert.is(nextHostSpin(20, false, HOST_SPIN_MAX_US), HOST_SPIN_MAX_US, 'learned waits are capped');
  assert.is(nextHostSpin(0, true), 2.25, 'a probe after a stop starts small');
  assert.ok(hostMayPoll(2, 2) && !hostMayPoll(3, 2));
});

Policy('the single-threaded worker reads the clock as often as ending its slice within the slack needs', () => {
  for (const msPerTask of [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5, 3, 100]) {
    const stride = clockStride(msPerTask);
    assert.ok(Number.isInteger(stride) && stride >= 1 && stride <= 64, `${msPerTask} ms a task: ${stride}`);
    assert.ok(stride === 1 || stride * msPerTask <= CLOCK_SLACK_MS, `${msPerTask} ms a task: ${stride} tasks fit in the slack`);
    assert.ok(stride === 64 || (stride + 1) * msPerTask > CLOCK_SLACK_MS, `${msPerTask} ms a task: no more would fit`);
  }
  assert.is(clockStride(CLOCK_SLACK_MS * 2), 1, 'tasks longer than the slack: a read after each');
  assert.is(clockStride(0), 64, 'an unmeasurably short task: the cap');
  assert.is(clockStride(NaN), 64);
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
