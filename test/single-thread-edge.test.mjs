// What the single-threaded mode does for edge runtimes (docs/platforms.md, "workerd"), checked in Node:
// the polling wait the workerd adapter uses instead of Atomics.waitAsync; the workerd adapter itself,
// with source compilation refused as workerd refuses it (a child process under
// --disallow-code-generation-from-strings), where inline tasks run as the function objects; and several
// single-threaded executors sharing one thread, as overlapping requests do. workerd itself runs in
// test/lane-workerd.test.mjs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Executor, Taskflow, transform, reduce, sort } from 'beatflow';
import { pollingWait } from '../build/src/platform/wait.js';
import { within } from './helpers/executor.mjs';

const turn = () => new Promise((r) => setImmediate(r));
/** Whether p has settled after a few turns of the event loop. */
async function settled(p) {
  let done = false;
  void p.then(() => { done = true; });
  for (let i = 0; i < 5; i++) await turn();
  return done;
}

// ---
const Poll = suite('pollingWait (platform/wait.ts)');

Poll('resolves once the word changes, and not before', async () => {
  const wait = pollingWait(turn);
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  const p = wait(i32, 1, 0);
  assert.is(await settled(p), false, 'the word still holds the value');
  Atomics.store(i32, 1, 7);
  await within(p, 5_000, 'the poll');
  assert.is(await settled(wait(i32, 1, 0)), true, 'a word that already differs: at once');
});

Poll('keeps polling past the busy turns (then with pauses), and serves many waits at once', async () => {
  const wait = pollingWait(turn);
  const i32 = new Int32Array(new SharedArrayBuffer(64));
  const order = [];
  const waits = Array.from({ length: 16 }, (_, k) => wait(i32, k, 0).then(() => order.push(k)));
  for (let i = 0; i < 64; i++) await turn();   // well past the 32 checks on consecutive turns
  assert.equal(order, [], 'nothing changed: nothing ended');
  for (let k = 15; k >= 0; k--) Atomics.store(i32, k, 1);
  await within(Promise.all(waits), 5_000, 'every poll');
  assert.equal([...order].sort((a, b) => a - b), Array.from({ length: 16 }, (_, k) => k));
});

Poll('a cancelled wait ends without a change; the others go on', async () => {
  const wait = pollingWait(turn);
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  const stop = new AbortController();
  const cancelled = wait(i32, 0, 0, stop.signal);
  const other = wait(i32, 0, 0);
  stop.abort();
  await within(cancelled, 5_000, 'the cancelled poll');
  assert.is(Atomics.load(i32, 0), 0);
  assert.is(await settled(other), false, 'the other wait still waits');
  Atomics.store(i32, 0, 1);
  await within(other, 5_000, 'the other poll');
});

Poll.run();

// ---
const Adapter = suite('the workerd adapter in Node');

const child = fileURLToPath(new URL('./helpers/edge-child.mjs', import.meta.url));
const runChild = async (flags) => JSON.parse((await promisify(execFile)(process.execPath, [...flags, child], { timeout: 60_000 })).stdout.trim());

Adapter('source refused: the conformance subset passes, and inline closures run as themselves', async () => {
  const r = await runChild(['--disallow-code-generation-from-strings']);
  assert.is(r.compiles, false);
  assert.equal(r.failures, []);
  assert.is(r.passed, 7);
  assert.equal(r.closures, [11, 12, 13], 'one source closing over 1, 2 and 3: three functions');
  assert.equal(r.spawned, [5, 10, 15], 'children spawned as closures too');
});

Adapter('source compiled: the same program, and a closure fails as it does on threads', async () => {
  const r = await runChild([]);
  assert.is(r.compiles, true);
  assert.equal([r.passed, r.failures], [7, []]);
  assert.match(r.closures, /k is not defined in the worker: inline task 'anonymous' cannot capture variables/);
});

Adapter.run();

// ---
const Shared = suite('single-threaded executors sharing one thread');

/** An executor's share of the work: algorithms (built-in tasks), a graph and fork-join, `k` making its values its own. */
async function work(ex, k) {
  const a = ex.shared(Float64Array, 50_000);
  a.fill(k);
  const out = ex.shared(Float64Array, a.length);
  for (let r = 0; r < 3; r++) await transform(ex, a, out, (x, y, lo, hi) => { for (let i = lo; i < hi; i++) y[i] = x[i] * 2; });
  const keys = ex.shared(Float64Array, 1000);
  for (let i = 0; i < keys.length; i++) keys[i] = (i * 7919 * k) % 1000;
  await sort(ex, keys);
  const tf = new Taskflow(`graph ${k}`);
  const [first, second] = tf.emplace((x) => x + 1, (y) => y * 10);
  first.args(k).precede(second);
  return [await reduce(ex, out, 'sum'), keys[0] <= keys[999], (await ex.run(tf)).result(second)];
}

Shared('three executors at once each see their own core in algorithms, graphs and results', async () => {
  const exs = await Promise.all([1, 2, 3].map(() => Executor.create({ workers: 0 })));
  try {
    const got = await within(Promise.all(exs.map((ex, i) => work(ex, i + 1))), 60_000, 'the three executors');
    assert.equal(got, [[100_000, true, 20], [200_000, true, 30], [300_000, true, 40]]);
  } finally {
    await Promise.all(exs.map((ex) => ex.close()));
  }
});

Shared.run();
