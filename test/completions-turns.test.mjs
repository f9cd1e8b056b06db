// The completion pump gives the host thread's event loop a turn while work keeps coming back: a stream of
// completions that never lets it sleep (each batch drained, continuations run, the next batch there at
// once) must not hold back timers and I/O until the stream ends. The pump is driven here by a stand-in
// ring whose drain() always finds a batch, so the test does not depend on how fast the machine is: without
// the pump's own turns, the timer below could fire only after the stream.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Completions } from '../build/src/engine/completions.js';
import { Executor } from 'beatflow';
import { within } from './helpers/executor.mjs';

/** A pump over a stand-in core whose ring always has a batch, for `limit` drains (then it empties). */
function streaming(limit, turn) {
  const i32 = new Int32Array(new SharedArrayBuffer(16));
  const core = { L: { completions: 0, header: 0, H_hostSeq: 0, H_hostWaiting: 4 }, i32, nWorkers: 1, x: { mpmcLength: () => 0 } };
  const keepAlive = { hold() {}, release() {}, during: (p) => p, dispose() {} };
  const state = { drains: 0, idle: false, batches: 0 };
  const on = { task() {}, run() {}, afterBatch() { state.batches++; }, unawaited: () => 0, beforeSleep() {}, idle() { state.idle = true; } };
  const wait = () => Promise.resolve();
  const c = new Completions(core, keepAlive, wait, turn, on);
  c.drain = () => {
    if (++state.drains > limit) { c.inFlight = 0; return 0; }
    return 1;
  };
  c.inFlight = 1;
  return { c, state };
}

const Turns = suite('the completion pump yields the event loop a turn');

Turns('a timer set when a never-ending stream starts fires while it still streams', async () => {
  const LIMIT = 3_000_000;   // drains: seconds of microtasks, far past PUMP_SLICE_MS on any machine
  let turns = 0;
  const { c, state } = streaming(LIMIT, () => { turns++; return new Promise((r) => setImmediate(r)); });
  let firedAt = -1;
  const fired = new Promise((r) => setTimeout(() => { firedAt = state.drains; r(); }, 0));
  c.ensurePump();
  await fired;
  assert.ok(firedAt > 0 && firedAt < LIMIT, `the timer fired during the stream (after ${firedAt} of ${LIMIT} drains)`);
  assert.ok(turns >= 1, 'the turn was the platform\'s (yieldToEventLoop)');
  c.inFlight = 0;   // end the stream
  await within(new Promise((r) => { const t = setInterval(() => { if (state.idle) { clearInterval(t); r(); } }, 1); }), 10_000, 'pump idle');
  assert.ok(state.batches >= firedAt - 1, 'every drain with a batch was handed over');
});

Turns.run();

const Live = suite('an executor\'s stream of tasks leaves the host its timers');

for (const workers of [1, 2, 4]) {
  Live(`${workers} worker(s): timers fire while each finished task submits the next`, async () => {
    const ex = await within(Executor.create({ workers }), 30_000, 'create');
    try {
      let done = 0, stop = false;
      const chain = async () => { while (!stop) { await ex.async((x) => x + 1, done); done++; } };
      const chains = Array.from({ length: workers }, chain);
      const ticks = await within(new Promise((r) => { let n = 0; const t = setInterval(() => { if (++n === 5) { clearInterval(t); r(n); } }, 1); }), 30_000, 'ticks');
      stop = true;
      await within(Promise.all(chains), 30_000, 'chains');
      assert.is(ticks, 5);
      assert.ok(done > 0, `tasks ran (${done})`);
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}

Live.run();
