// A task's timeout compares two readings of the host's global `performance`: the start a worker stamps
// (worker/call.ts) and the watchdog's now (engine/timeouts.ts). In the single-threaded mode both run on
// the thread where a test may replace that global, as fake-timer libraries do, before the package is
// imported or after. Here a frozen fake is installed before the import and the real clock restored
// after it, then a running fake 10 s behind is installed after the import: in both, a timeout counts
// from the task's start (each test file is a process of its own).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const S = suite('task timeouts with the global performance replaced');
const real = globalThis.performance;

globalThis.performance = { timeOrigin: real.timeOrigin, now: () => -10_000 };
const { Executor } = await import('../build/src/index.js');
globalThis.performance = real;

/** What ex.submit(fn that sleeps ms) with `timeout` settles with: its result, or its error's name. */
async function sleep(ms, timeout) {
  const ex = await Executor.create({ workers: 0 });
  try {
    const slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'finished'; };
    return await ex.submit(slow, [ms], { timeout }).then((v) => v, (e) => e.name);
  } finally {
    await ex.close();
  }
}

/** body() with the global performance a clock 10 s behind the real one; the real one restored after. */
async function behind(body) {
  globalThis.performance = { timeOrigin: real.timeOrigin, now: () => real.now() - 10_000 };
  try { return await body(); } finally { globalThis.performance = real; }
}

S('a fake clock replaced before the import and restored: a task past its timeout times out', async () => {
  assert.is(await sleep(2000, 200), 'TimeoutError');
});

S('the same: a task within its timeout finishes', async () => {
  assert.is(await sleep(50, 2000), 'finished');
});

S('a fake clock installed after the import: a task past its timeout times out', async () => {
  assert.is(await behind(() => sleep(2000, 200)), 'TimeoutError');
});

S('the same: a task within its timeout finishes', async () => {
  assert.is(await behind(() => sleep(50, 2000)), 'finished');
});

S.run();
