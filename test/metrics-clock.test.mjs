// The clock the metrics read (src/platform/clock.ts): a fake `performance` object put on the global
// before beatflow is imported, then taken away again, must not leave the metrics on it. The samples and
// the window a snapshot reads are both on the clock the global holds now, so a snapshot counts every
// task (sampleEvery 1) whichever clock beatflow's modules saw when they loaded. At 0 (the host thread
// runs the tasks, with this module's clock) and 1 worker.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/metrics-tasks.mjs', import.meta.url);
const tasks = await import('./fixtures/metrics-tasks.mjs');

const real = Object.getOwnPropertyDescriptor(globalThis, 'performance');
const frozen = { now: () => 1, timeOrigin: performance.timeOrigin, mark() {}, measure() {} };
Object.defineProperty(globalThis, 'performance', { value: frozen, configurable: true, writable: true });
const { Executor } = await import('beatflow');
Object.defineProperty(globalThis, 'performance', real);

const S = suite('metrics after a fake clock was taken away');

for (const workers of [0, 1]) {
  S(`every task counted (${workers} workers)`, async () => {
    assert.is.not(performance, frozen, 'the real clock is back');
    const ex = await Executor.create({ workers, module });
    try {
      ex.configureMetrics({ sampleEvery: 1 });
      const N = 200;
      for (let i = 0; i < N; i++) await ex.async(tasks.noop);
      const m = ex.metrics();
      assert.is(m.pool.runTime.total, N, 'run-time total');
      assert.is(m.pool.runTime.samples, N, 'timed');
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}

S.run();
