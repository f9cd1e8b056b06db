// Graph task priorities hold with thieves: among tasks ready together, the more urgent start first on
// every worker, not only on the one that made them ready. Each task records its start position with an
// Atomics counter in shared memory; over several runs the mean position of each level must be in
// priority order, each at least MARGIN positions after the one before. With a deque per level the
// means were 49.5, 149.5, 249.5, 349.5 (the ideal) in every run measured, on a loaded 2-CPU machine.
// With one deque per worker, thieves took the least urgent first: at 4 workers `low` started before
// `critical` (means about 70 and 100-200); at 2 workers `low` started before `high` and `normal` among
// released siblings, and `high` only 12-32 positions after `critical` among sources.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as s from './fixtures/stop-tasks.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/stop-tasks.mjs', import.meta.url);
const LEVELS = ['critical', 'high', 'normal', 'low'];
const N = 400;          // siblings, 100 of each level, interleaved so insertion order says nothing
const US = 150;         // each task spins this long: long enough for every thief to take part
const RUNS = 3;
const MARGIN = 70;      // consecutive levels' means must be at least this far apart (ideal: 100; see the top)

/** The level of sibling i: a fixed shuffle of the four levels, 100 each. */
const levelOf = (i) => (i * 7 + (i >> 2)) % 4;

/** Mean start position of each level over `runs` runs of tf (order[1 + i]: task i's position). */
async function meanPositions(ex, tf, order, runs, offset) {
  const sum = [0, 0, 0, 0];
  for (let r = 0; r < runs; r++) {
    order.fill(0);
    await within(ex.run(tf), 20_000, `run ${r}`);
    for (let i = 0; i < N; i++) sum[levelOf(i)] += order[1 + i] - offset;
  }
  return sum.map((x) => x / (runs * N / 4));
}

function assertOrdered(means, label) {
  const shown = LEVELS.map((l, k) => `${l} ${means[k].toFixed(1)}`).join(', ');
  for (let k = 0; k + 1 < 4; k++) {
    assert.ok(means[k] + MARGIN < means[k + 1], `${label}: mean start of ${LEVELS[k]} before ${LEVELS[k + 1]} by ${MARGIN}+ (${shown})`);
  }
}

for (const workers of [2, 4]) {
  const P = suite(`graph priorities with thieves (${workers} workers)`);
  P.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  P.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  P(`${N} siblings released together by one task`, async ({ ex }) => {
    const order = ex.shared(Int32Array, N + 2);
    const tf = new Taskflow('fan-out');
    const root = tf.emplace(s.ordered).args(order, N, 0).name('root');
    for (let i = 0; i < N; i++) root.precede(tf.emplace(s.ordered).args(order, i, US).priority(LEVELS[levelOf(i)]));
    assertOrdered(await meanPositions(ex, tf, order, RUNS, 1), 'released siblings');
  });

  P(`${N} sources`, async ({ ex }) => {
    const order = ex.shared(Int32Array, N + 1);
    const tf = new Taskflow('sources');
    for (let i = 0; i < N; i++) tf.emplace(s.ordered).args(order, i, US).priority(LEVELS[levelOf(i)]);
    assertOrdered(await meanPositions(ex, tf, order, RUNS, 0), 'sources');
  });

  P('a graph without priorities still runs every task once', async ({ ex }) => {
    const order = ex.shared(Int32Array, N + 2);
    const tf = new Taskflow('plain');
    const root = tf.emplace(s.ordered).args(order, N, 0);
    for (let i = 0; i < N; i++) root.precede(tf.emplace(s.ordered).args(order, i, 0));
    await within(ex.run(tf), 20_000, 'run');
    const seen = [...order.subarray(1, N + 2)].sort((a, b) => a - b);
    assert.equal(seen, Array.from({ length: N + 1 }, (_, k) => k), 'positions 0 … N, each once');
  });

  P.run();
}
