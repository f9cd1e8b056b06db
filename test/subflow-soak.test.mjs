// A worker's JS heap stays flat while one task joins 100,000 subflows: laid out like a graph (edges),
// edge-free (run as spawned children), plain spawn/join, children that read `this.signal`, and children
// spawned from a fresh inline closure each time. A
// worker's loop is one job that may never end, so anything it keeps per join (a WeakRef's target stays
// alive until its job ends) grows without bound; measured from inside a task, after a full collection
// (gc is exposed to the workers here).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import v8 from 'node:v8';
import { Executor, CancellationToken } from 'beatflow';
import * as soak from './fixtures/soak-tasks.mjs';
import { within } from './helpers/executor.mjs';

v8.setFlagsFromString('--expose-gc');   // before the workers start: their contexts get gc()

const module = new URL('./fixtures/soak-tasks.mjs', import.meta.url);
const JOINS = 100_000;
const MiB = 2 ** 20;
/**
 * Growth allowed per 100,000 joins. A healthy worker grows by well under 1 MiB (compiled code, caches
 * reaching their size); keeping as little as 100 bytes per join would pass 9.5 MiB.
 */
const BOUND = 8 * MiB;
/** Without gc() the heap holds garbage too (a young generation of up to 16 MiB and old garbage not yet collected). */
const BOUND_NO_GC = 48 * MiB;
/** Expected sum of joinMany(k, shape)'s results. */
const SUM = { graph: 3, flat: 2, spawn: 1, signal: 1, closure: 1 };

const S = suite('subflow soak: worker heap per 100,000 joins');
S.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1, module }); });
S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

for (const shape of ['graph', 'flat', 'spawn', 'signal', 'closure']) {
  S(`${shape}: the worker's heap grows less than ${BOUND / MiB} MiB, the shared heap not at all`, async ({ ex }) => {
    // 'signal' runs under a cancellation token (its children share it), which is never cancelled.
    const token = new CancellationToken();
    const joinMany = (k) => (shape === 'signal' ? ex.submit(soak.joinMany, [k, shape], { token }) : ex.async(soak.joinMany, k, shape));
    assert.is(await within(joinMany(20_000), 20_000, 'warm-up'), 20_000 * SUM[shape]);   // compiled, caches full
    const h0 = await ex.async(soak.heapUsed);
    const shared0 = ex.stats().heapBytes;
    const t0 = performance.now();
    assert.is(await within(joinMany(JOINS), 20_000, `${JOINS} joins`), JOINS * SUM[shape]);
    const ms = performance.now() - t0;
    const h1 = await ex.async(soak.heapUsed);
    const grew = h1.bytes - h0.bytes;
    const bound = h1.collected ? BOUND : BOUND_NO_GC;
    assert.ok(grew < bound, `${shape}: the worker's heap grew by ${(grew / MiB).toFixed(1)} MiB over ${JOINS} joins ` +
      `(${(grew / JOINS).toFixed(0)} bytes per join, ${ms.toFixed(0)} ms; gc ${h1.collected ? 'forced' : 'not exposed'})`);
    assert.is(ex.stats().heapBytes, shared0, 'the shared heap is back where it was');
    assert.is(ex.stats().liveTasks, 0);
  });
}

S.run();
