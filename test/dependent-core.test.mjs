// The core's dependent async tasks (assembly/dependent.ts; assembly/README.md "Dependent async tasks"),
// through its exports on 2 and 4 threads: some threads link dependent tasks to their dependencies while
// the others retire those dependencies, so links race with the atomic.xchg that closes a list. Every
// dependent must become ready exactly once (when its maker arms it, or through the injector when its last
// dependency retires), and never while a dependency it names has not retired. The plans spread the links over
// every source or pile them on three (every linker pushing on the same lists, the closes falling in the
// middle of it). Then the dependents retire
// while the makers' references are dropped, in any order: every slot and heap block comes back once.
// Over growing sizes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, growing, SCALE, EMPTY, NONE } from './helpers/core.mjs';

const TASK_LOG2 = 16;
const MAX = Math.min(3000, Math.round(3000 * SCALE));
/** The last rounds pile 16 links per dependent on three sources: long enough for linkers to overlap on a loaded machine. */
const HOT = Math.min(30_000, Math.round(20_000 * SCALE));

/**
 * A random plan for n sources and n dependents: each dependent names 1–4 sources, or `links` of the first
 * `hot` ones (a few that every linker then pushes on at once); about 1 source in 8 is held back, and the
 * others retire once `when[s]` dependents were made.
 */
function plan(n, hot, links, seed) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return s >>> 0; };
  const depStart = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
  const list = [];
  for (let j = 0; j < n; j++) {
    depStart[j] = list.length;
    const k = links > 0 ? links : 1 + (next() % 4);
    for (let i = 0; i < k; i++) list.push(next() % hot);
  }
  depStart[n] = list.length;
  const depList = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, list.length)));
  depList.set(list);
  const retire = new Int32Array(new SharedArrayBuffer(4 * n));
  const when = new Int32Array(new SharedArrayBuffer(4 * n));
  for (let i = 0; i < n; i++) { retire[i] = next() % 8 === 0 ? 0 : 1; when[i] = next() % n; }
  return { depStart, depList, retire, when };
}

const shared = (n) => new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
const live = (core) => core.liveTasks();
const heapBytes = (core) => core.u32[(core.L.header + core.L.H_heapBytes) >> 2];

/** Pops the injector until empty; each entry counted in `into` by the dependent it is. */
function drain(x, injector, bySlot, into, label) {
  for (let t = x.mpmcPop(injector); t !== EMPTY; t = x.mpmcPop(injector)) {
    const j = bySlot.get(t);
    assert.ok(j !== undefined, `${label}: slot ${t} came out of the injector but is no dependent`);
    into[j]++;
  }
}

for (const threads of [2, 4]) {
  const S = suite(`core: dependent tasks linked while their dependencies retire (${threads} threads)`);
  S('each dependent ready exactly once, only after its dependencies; every slot and block back', async () => {
    const env = await makeCore({ workers: 1, taskCapLog2: TASK_LOG2, dequeCapLog2: 8 });
    const { core } = env, x = core.x;
    const injector = core.L.injector;
    const barrier = shared(1);
    const linkRole = shared(threads);
    for (let i = 0; i < threads; i++) linkRole[i] = i % 2 === 0 ? 1 : 0;   // half link, half retire
    let rounds = 0;
    await withThreads('./dependent-worker.mjs', threads, env, { barrier }, async (th) => {
      const plans = [...growing(MAX).flatMap((n) => [[n, n, 0], [n, Math.min(n, 3), 8]]), [HOT, 3, 16], [HOT, 3, 16], [HOT, 3, 16]];
      for (const [n, hot, links] of plans) {
        const label = `n = ${n}, dependencies among ${hot}`;
        const heap0 = heapBytes(core);
        const { depStart, depList, retire, when } = plan(n, hot, links, 0x5eed + n + hot + rounds);
        const source = shared(n), serial = shared(n), slotOf = shared(n), serialOf = shared(n), readyAt = shared(n), made = shared(2);
        for (let s = 0; s < n; s++) {
          const t = x.taskAlloc();
          core.initLoneTask(t, 0, 0);
          source[s] = t;
          serial[s] = x.depInit(t, 0, 0, NONE);
          assert.is(x.depArm(NONE, t), 1, `${label}: a task with no dependency is ready when armed`);
        }
        const data = { depStart, depList, slotOf, serialOf, readyAt, source, serial, retire, when, made, linkRole };
        await th.round({ phase: 1, seed: n, plan: data }, 60_000, `${label}: link/retire`);
        const bySlot = new Map();
        for (let j = 0; j < n; j++) bySlot.set(slotOf[j], j);
        const readyQ = new Int32Array(n);
        drain(x, injector, bySlot, readyQ, label);
        for (let j = 0; j < n; j++) {
          let all = true;
          for (let i = depStart[j]; i < depStart[j + 1]; i++) if (retire[depList[i]] === 0) all = false;
          assert.is(readyAt[j] + readyQ[j], all ? 1 : 0, `${label}: dependent ${j} ready ${readyAt[j]} + ${readyQ[j]} times, its dependencies ${all ? 'all' : 'not all'} retired`);
        }
        // The held-back sources retire now: exactly the dependents still waiting become ready, once.
        for (let s = 0; s < n; s++) if (retire[s] === 0) x.retireFromHost(source[s], 0);
        const late = new Int32Array(n);
        drain(x, injector, bySlot, late, label);
        for (let j = 0; j < n; j++) assert.is(readyAt[j] + readyQ[j] + late[j], 1, `${label}: dependent ${j} ready once in all`);
        await th.round({ phase: 2, seed: n + 1, plan: data }, 60_000, `${label}: retire and let go`);
        assert.is(live(core), 0, `${label}: every task slot freed`);
        assert.is(heapBytes(core), heap0, `${label}: every heap block freed`);
        rounds++;
      }
    });
    assert.ok(rounds >= 17, `${rounds} rounds`);
  });
  S.run();
}

// ---
const One = suite('core: dependent task references');

One('a hold needs the serial, its maker and a reference; the last release frees the slot', async () => {
  const { core } = await makeCore({ workers: 1, taskCapLog2: 6 });
  const x = core.x;
  const a = x.taskAlloc();
  core.initLoneTask(a, 0, 0);
  const s = x.depInit(a, 0, 0, NONE);
  assert.ok((s >>> 0) >= 0x80000000, 'serials have bit 31 set');
  assert.is(x.depHold(a, s + 1), 0, 'another serial');
  assert.is(x.depHold(a, s), 1, 'its own serial');
  assert.is(x.depState(a, s), 0, 'not retired');
  x.depArm(NONE, a);
  x.retireFromHost(a, 0);
  assert.is(x.depState(a, s), 1, 'retired');
  assert.is(x.depDisown(NONE, a, s + 1), 0, 'not for another serial');
  assert.is(x.depDisown(NONE, a, s), 1, 'the maker lets go');
  assert.is(x.depDisown(NONE, a, s), 0, 'once');
  assert.is(x.depHold(a, s), 0, 'no hold once the maker let go');
  assert.is(x.depState(a, s), 2, 'a handle whose maker let go reads as gone (and done)');
  assert.is(live(core), 1, 'the held reference keeps it');
  x.depRelease(NONE, a);
  assert.is(live(core), 0, 'the last reference frees it');
  assert.is(x.depState(a, s), 2, 'gone');
});

One.run();
