// Direct runs on a coarse clock (src/policy/direct.ts readable): browsers coarsen performance.now() (100 µs
// in a Chromium page that is not cross-origin isolated, the pages that get the single-threaded mode), so a
// short task timed alone reads 0 or one whole tick. Such timings must not send a short function back to
// the worker's slices. This file replaces performance.now with a clock of 100 µs ticks before the
// executor exists (each test file is a process of its own).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readable, coarse, amortised, DIRECT } from '../build/src/policy/direct.js';

const S = suite('direct runs on a coarse clock');
const TICK = 0.1;
const real = performance.now.bind(performance);
globalThis.__realNow = real;   // for the task below, which runs from its source and cannot capture `real`

/** ex.async(fn, i) for i < n at once (or ex.async(fn, arg) n times): how many ran inside the call (fn sets __ran), and the results. */
async function burst(ex, fn, n, arg) {
  let direct = 0;
  const ps = [];
  for (let i = 0; i < n; i++) {
    globalThis.__ran = undefined;
    ps.push(ex.async(fn, arg ?? i));
    if (globalThis.__ran !== undefined) direct++;
  }
  return { direct, results: await Promise.all(ps) };
}

/** body(ex) with performance.now coarsened to TICK and a single-threaded executor made after that; both undone after. */
async function onCoarseClock(body) {
  performance.now = () => Math.floor(real() / TICK) * TICK;
  const { Executor } = await import('beatflow');
  const ex = await Executor.create({ workers: 0 });
  try {
    await body(ex);
  } finally {
    await ex.close();
    performance.now = real;
  }
}

/** spin(ms), which busy-waits ms on the real clock, called with 0 until it runs directly. */
async function trainedSpin(ex) {
  const spin = (ms) => { globalThis.__ran = ms; const end = globalThis.__realNow() + ms; while (globalThis.__realNow() < end); return ms; };
  for (let r = 0; r < 60; r++) {
    await Promise.all(Array.from({ length: 200 }, () => ex.async(spin, 0)));
    globalThis.__ran = undefined;
    const p = ex.async(spin, 0);
    const trained = globalThis.__ran !== undefined;
    await p;
    if (trained) return spin;
  }
  assert.unreachable('spin(0) never ran directly');
}

S('policy: a timing counts on a fine clock, and from two ticks on a coarse one (half the bound or more), else with others', () => {
  assert.ok(readable(0, 0.0001));
  assert.ok(readable(DIRECT.maxMs * 2, 0.0001));
  assert.is(readable(0, TICK), false);
  assert.is(readable(TICK, TICK), false, 'one tick: anything from 0 to a tick');
  assert.ok(readable(2 * TICK, TICK));
  assert.is(readable(5, Infinity), false, 'a clock that stands still tells nothing');
  assert.is(coarse(0.0001), false);
  assert.ok(coarse(TICK));
  assert.ok(coarse(DIRECT.maxMs / 2), 'a tick of half the bound');
  assert.ok(coarse(Infinity));
  assert.ok(coarse(NaN), 'NaN: coarse, as readable and directStride take it');
  assert.ok(Number.isNaN(amortised(0.3, 10, DIRECT.coarseMin - 1)), 'too few timings taken together');
  assert.ok(Math.abs(amortised(0.3, 10, DIRECT.coarseMin) - 0.03) < 1e-12, 'three one-tick readings in ten: 30 µs');
});

S('a short function keeps running directly in bursts, and a slow one still goes back', async () => {
  await onCoarseClock(async (ex) => {
    const tiny = (i) => { globalThis.__ran = i; return i * 2; };
    const rounds = [];
    for (let r = 0; r < 10; r++) {
      const { direct, results } = await burst(ex, tiny, 2000);
      assert.is(results[1999], 3998);
      rounds.push(direct);
    }
    const late = rounds.slice(5).reduce((a, b) => a + b, 0);
    assert.ok(late >= 5000, `runs directly in the last five bursts of 2000: ${rounds.join(', ')}`);
    // A function that takes 3 ms (30 ticks) is seen at once.
    const spin = await trainedSpin(ex);
    const directs = (await burst(ex, spin, 24, 3)).direct;
    assert.ok(directs <= DIRECT.coarseStride + 3, `${directs} of 24 slow calls ran directly`);
  });
});

S('a short function whose runs are stretched now and then keeps running directly', async () => {
  // Every tenth call waits 3 ticks (a collection or a preemption would stretch a run so): the short
  // timings between the long ones break each streak, so the function is never sent back.
  await onCoarseClock(async (ex) => {
    const bumpy = (i) => {
      globalThis.__ran = i;
      if (i % 10 === 5) { const end = globalThis.__realNow() + 0.3; while (globalThis.__realNow() < end); }
      return i;
    };
    for (let r = 0; r < 60; r++) {   // trained on short calls (multiples of ten) until it runs directly
      await ex.async(bumpy, 0);
      await Promise.all(Array.from({ length: 50 }, (_, i) => ex.async(bumpy, i * 10)));
    }
    const rounds = [];
    for (let r = 0; r < 4; r++) rounds.push((await burst(ex, bumpy, 400)).direct);
    assert.ok(rounds.slice(1).every((d) => d === 400), `direct runs in bursts of 400 with every tenth run stretched: ${rounds.join(', ')}`);
  });
});

S('a function that becomes 1.2 ticks long goes back to the slices', async () => {
  // Timed alone it reads one tick (anything up to two) four times in five and two ticks once: only the
  // two-tick readings say anything. Taken as short, the one-tick readings broke every streak of long
  // ones, and the function, 12 times the bound, ran directly for a thousand calls and more.
  await onCoarseClock(async (ex) => {
    const spin = await trainedSpin(ex);
    let directs = 0;
    for (let b = 0; b < 5; b++) directs += (await burst(ex, spin, 100, 1.2 * TICK)).direct;
    assert.ok(directs <= 300, `${directs} of 500 calls of 1.2 ticks ran directly`);
  });
});

S('a function that becomes a third of a tick long (three times the bound) goes back to the slices', async () => {
  // Timed alone it reads 0 two times in three and one tick once, never two ticks: no single timing says
  // it is long, and taking each 0 as short kept it running directly for good. Its timings taken
  // together (ticks read over runs timed) say 30 µs.
  await onCoarseClock(async (ex) => {
    const spin = await trainedSpin(ex);
    const rounds = [];
    for (let b = 0; b < 8; b++) rounds.push((await burst(ex, spin, 200, TICK / 3)).direct);
    const late = rounds.slice(4).reduce((a, b) => a + b, 0);
    assert.ok(late <= 200, `${late} of the last 800 calls of a third of a tick ran directly: ${rounds.join(', ')}`);
  });
});

S.run();
