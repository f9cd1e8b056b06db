// CPU topology (src/observe/topology.ts): the sysfs parser on fixture trees, the steal-domain policy as tables,
// the steal order of the core (assembly/worker.ts stealRound) on a host-side core, and executor.topology.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import { parseCpuList, readTopology, stealDomains, flatTopology } from '../build/src/observe/topology.js';
import { makeCore } from './helpers/core.mjs';
import { within } from './helpers/executor.mjs';

const CPU = '/sys/devices/system/cpu';
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * A sysfs tree as a reader. cpus: { [n]: { caches: [[level, type, sharedList], …], pkg, core } }.
 * Records every path asked for in `reader.asked`.
 */
function tree({ online, cpus, status }) {
  const files = new Map();
  if (online !== undefined) files.set(`${CPU}/online`, `${online}\n`);
  if (status !== undefined) files.set('/proc/self/status', status);
  for (const [n, c] of Object.entries(cpus ?? {})) {
    (c.caches ?? []).forEach(([level, type, list], i) => {
      files.set(`${CPU}/cpu${n}/cache/index${i}/level`, `${level}\n`);
      files.set(`${CPU}/cpu${n}/cache/index${i}/type`, `${type}\n`);
      files.set(`${CPU}/cpu${n}/cache/index${i}/shared_cpu_list`, `${list}\n`);
    });
    if (c.pkg !== undefined) files.set(`${CPU}/cpu${n}/topology/physical_package_id`, `${c.pkg}\n`);
    if (c.core !== undefined) files.set(`${CPU}/cpu${n}/topology/core_id`, `${c.core}\n`);
  }
  const asked = [];
  const read = (p) => { asked.push(p); return files.get(p); };
  read.asked = asked;
  return read;
}

/** A CPU with private L1d/L1i/L2 and an L3 shared by `l3`. */
const cpu = (n, l3, pkg, core, l2 = String(n)) => ({
  caches: [[1, 'Data', l2], [1, 'Instruction', l2], [2, 'Unified', l2], [3, 'Unified', l3]], pkg, core,
});

// ---

const Parse = suite('topology: parseCpuList');

Parse('ranges, singles, whitespace and order', () => {
  assert.equal(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  assert.equal(parseCpuList(' 5 '), [5]);
  assert.equal(parseCpuList('4,0-1'), [0, 1, 4]);
  assert.equal(parseCpuList(''), []);
});

Parse('what is not a CPU list', () => {
  for (const bad of ['0-', '3-1', 'a', '1,,2', '-1', '0-99999999']) assert.is(parseCpuList(bad), undefined, bad);
});

Parse.run();

// ---

const Read = suite('topology: readTopology on fixture trees');

Read('two sockets, an L3 each: two domains, two packages', () => {
  const cpus = {};
  for (const n of range(0, 7)) cpus[n] = cpu(n, n < 4 ? '0-3' : '4-7', n < 4 ? 0 : 1, n % 4);
  const t = readTopology(tree({ online: '0-7', cpus }), 99);
  assert.is(t.source, 'sysfs');
  assert.is(t.cacheLevel, 3);
  assert.equal(t.cpus, range(0, 7));
  assert.equal(t.l3Domains, [range(0, 3), range(4, 7)]);
  assert.equal(t.packages, [range(0, 3), range(4, 7)]);
  assert.equal(t.cores, range(0, 7).map((c) => [c]));
});

Read('SMT siblings share a core; one L3 is one domain', () => {
  // 4 logical CPUs: 0 and 2 are the two threads of core 0, 1 and 3 of core 1 (Linux numbers them so).
  const cpus = {};
  for (const n of range(0, 3)) cpus[n] = cpu(n, '0-3', 0, n % 2, n % 2 === 0 ? '0,2' : '1,3');
  const t = readTopology(tree({ online: '0-3', cpus }), 99);
  assert.equal(t.l3Domains, [[0, 1, 2, 3]]);
  assert.equal(t.cores, [[0, 2], [1, 3]]);
  assert.equal(t.packages, [[0, 1, 2, 3]]);
});

Read('a CPU whose last-level cache was seen through a sibling is not read again', () => {
  const cpus = {};
  for (const n of range(0, 63)) cpus[n] = cpu(n, '0-63', 0, n);
  const read = tree({ online: '0-63', cpus });
  const t = readTopology(read, 99);
  assert.equal(t.l3Domains, [range(0, 63)]);
  const cacheReads = read.asked.filter((p) => p.includes('/cache/'));
  assert.ok(cacheReads.every((p) => p.startsWith(`${CPU}/cpu0/`)), 'only cpu0\'s caches were read');
});

Read('no L3: the last level (here a shared L2) makes the domains', () => {
  const cpus = {};
  for (const n of range(0, 3)) cpus[n] = { caches: [[1, 'Data', String(n)], [1, 'Instruction', String(n)], [2, 'Unified', n < 2 ? '0-1' : '2-3']], pkg: 0, core: n };
  const t = readTopology(tree({ online: '0-3', cpus }), 99);
  assert.is(t.cacheLevel, 2);
  assert.equal(t.l3Domains, [[0, 1], [2, 3]]);
});

Read('an instruction cache never counts as the last level', () => {
  const cpus = { 0: { caches: [[2, 'Unified', '0'], [3, 'Instruction', '0-1']], pkg: 0, core: 0 }, 1: { caches: [[2, 'Unified', '1'], [3, 'Instruction', '0-1']], pkg: 0, core: 1 } };
  const t = readTopology(tree({ online: '0-1', cpus }), 99);
  assert.is(t.cacheLevel, 2);
  assert.equal(t.l3Domains, [[0], [1]]);
});

Read('the affinity mask (Cpus_allowed_list) limits the CPUs and the domains', () => {
  const cpus = {};
  for (const n of range(0, 7)) cpus[n] = cpu(n, n < 4 ? '0-3' : '4-7', n < 4 ? 0 : 1, n % 4);
  const status = 'Name:\tnode\nCpus_allowed:\tf0\nCpus_allowed_list:\t2-5\nMems_allowed:\t1\n';
  const t = readTopology(tree({ online: '0-7', cpus, status }), 99);
  assert.equal(t.cpus, [2, 3, 4, 5]);
  assert.equal(t.l3Domains, [[2, 3], [4, 5]]);
});

Read('caches missing but packages known: the packages are the domains', () => {
  const cpus = { 0: { pkg: 0, core: 0 }, 1: { pkg: 1, core: 0 } };
  const t = readTopology(tree({ online: '0-1', cpus }), 99);
  assert.is(t.source, 'sysfs');
  assert.is(t.cacheLevel, 0);
  assert.equal(t.l3Domains, [[0], [1]]);
});

Read('missing sysfs → the flat model with the fallback CPU count', () => {
  const t = readTopology(tree({}), 3);
  assert.is(t.source, 'flat');
  assert.match(t.reason, /online/);
  assert.equal(t.cpus, [0, 1, 2]);
  assert.equal(t.l3Domains, [[0, 1, 2]]);
  assert.equal(t.cores, [[0], [1], [2]]);
  assert.is(readTopology(tree({ online: 'garbage' }), 2).source, 'flat');
  assert.is(readTopology(tree({ online: '0-1' }), 2).source, 'flat', 'no caches and no packages');
  assert.equal(readTopology(tree({ online: '0-1' }), 2).cpus, [0, 1]);
});

Read('this machine: whatever the source, the domains partition the CPUs', () => {
  const t = readTopology();
  assert.ok(t.source === 'sysfs' || t.source === 'flat');
  assert.equal(t.l3Domains.flat().sort((a, b) => a - b), [...t.cpus]);
  assert.equal(t.packages.flat().sort((a, b) => a - b), [...t.cpus]);
  assert.equal(t.cores.flat().sort((a, b) => a - b), [...t.cpus]);
});

Read.run();

// ---

const Policy = suite('topology: stealDomains');

const doms = (...sizes) => {
  let c = 0;
  return { ...flatTopology(1, 'test'), l3Domains: sizes.map((n) => range(c, (c += n) - 1)) };
};
const shape = (sd) => sd.domains.map((d) => [d.start, d.count]);

Policy('one cache domain: one steal domain of every worker (the flat order)', () => {
  const sd = stealDomains(doms(8), 5);
  assert.equal(shape(sd), [[0, 5]]);
  assert.equal(sd.domainOf, [0, 0, 0, 0, 0]);
});

Policy('table: workers split in proportion to the domains, consecutive slots', () => {
  const table = [
    [[8, 8], 16, [[0, 8], [8, 8]], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]],
    [[4, 4], 3, [[0, 2], [2, 1]], [0, 0, 1]],               // remainder tie: the earlier domain
    [[6, 2], 4, [[0, 3], [3, 1]], [0, 0, 0, 1]],
    [[2, 2, 2, 2], 2, [[0, 1], [1, 1]], [0, 1]],            // fewer workers than domains: empty ones dropped
    [[1, 3], 8, [[0, 2], [2, 6]], [0, 0, 1, 1, 1, 1, 1, 1]],
    [[3, 3, 2], 5, [[0, 2], [2, 2], [4, 1]], [0, 0, 1, 1, 2]],
  ];
  for (const [sizes, workers, want, of] of table) {
    const sd = stealDomains(doms(...sizes), workers);
    assert.equal(shape(sd), want, `${sizes} × ${workers}`);
    assert.equal(sd.domainOf, of, `${sizes} × ${workers}: domainOf`);
  }
});

Policy('property: every worker in exactly one domain, which contains it', () => {
  let s = 7;
  const rnd = (n) => { s = (s * 1103515245 + 12345) >>> 0; return s % n; };
  for (let i = 0; i < 500; i++) {
    const sizes = Array.from({ length: 1 + rnd(6) }, () => 1 + rnd(16));
    const workers = 1 + rnd(40);
    const sd = stealDomains(doms(...sizes), workers);
    assert.is(sd.domainOf.length, workers);
    assert.is(sd.domains.reduce((a, d) => a + d.count, 0), workers);
    sd.domainOf.forEach((d, w) => {
      const dom = sd.domains[d];
      assert.ok(w >= dom.start && w < dom.start + dom.count, `worker ${w} in its domain (${sizes} × ${workers})`);
    });
  }
});

Policy('a bad worker count is refused with the argument named', () => {
  assert.throws(() => stealDomains(doms(2), 0), /workers must be a positive integer/);
  assert.throws(() => stealDomains(doms(2), 1.5), /workers must be a positive integer/);
});

Policy.run();

// ---

const Order = suite('topology: the core steals within its domain first');

/**
 * Host-side core with n workers. putOn(v) pushes a fresh task on worker v's deque; steal(w) runs one
 * helpNext(w) (its own deque first, so tests leave that empty; then one steal round) and says whose
 * deque the task came from.
 */
async function stealer(n) {
  const { core } = await makeCore({ workers: n, taskCapLog2: 8 });
  const x = core.x;
  const owner = new Map();
  const putOn = (v) => {
    const t = x.taskAlloc();
    core.initLoneTask(t, 0, 0);
    assert.ok(x.dequePush(core.workerPtr(v), t), 'pushed');
    owner.set(t, v);
  };
  const steal = (w) => {
    const t = x.helpNext(w);
    if (t < 0) return t;
    const v = owner.get(t);
    owner.delete(t);
    x.taskFree(t);
    return v;
  };
  const drain = () => {
    for (let v = 0; v < n; v++) for (let t = x.dequePop(core.workerPtr(v)); t >= 0; t = x.dequePop(core.workerPtr(v))) { owner.delete(t); x.taskFree(t); }
  };
  return { core, x, putOn, steal, drain };
}

Order('4 workers in domains {0,1} {2,3}: a thief takes from its partner while it has work', async () => {
  const s = await stealer(4);
  for (const [w, start] of [[0, 0], [1, 0], [2, 2], [3, 2]]) assert.is(s.x.setStealDomain(w, start, 2), 1);
  for (let trial = 0; trial < 200; trial++) {
    for (const v of [1, 2, 3]) s.putOn(v);
    assert.is(s.steal(0), 1, `trial ${trial}: worker 0 stole from 1`);
    s.drain();
    for (const v of [0, 1, 2]) s.putOn(v);
    assert.is(s.steal(3), 2, `trial ${trial}: worker 3 stole from 2`);
    s.drain();
  }
});

Order('then the other domains, from a random victim among them', async () => {
  const s = await stealer(4);
  for (const [w, start] of [[0, 0], [1, 0], [2, 2], [3, 2]]) s.x.setStealDomain(w, start, 2);
  const seen = new Set();
  for (let trial = 0; trial < 200; trial++) {
    s.putOn(2); s.putOn(3);
    const v = s.steal(0);
    assert.ok(v === 2 || v === 3, `trial ${trial}: took from ${v}`);
    seen.add(v);
    s.drain();
  }
  assert.equal([...seen].sort(), [2, 3], 'both far victims were chosen first at some point');
  assert.is(s.steal(0), -1, 'nothing anywhere: EMPTY');
});

Order('6 workers in 3 domains: the range after ours wraps around', async () => {
  const s = await stealer(6);
  for (let w = 0; w < 6; w++) s.x.setStealDomain(w, w & ~1, 2);
  for (let trial = 0; trial < 100; trial++) {
    for (let v = 0; v < 5; v++) s.putOn(v);
    assert.is(s.steal(5), 4, 'worker 5: its partner first');
    s.drain();
    for (const v of [0, 1, 3, 4, 5]) s.putOn(v);
    assert.is(s.steal(2), 3, 'worker 2: its partner first');
    s.drain();
    s.putOn(0);
    assert.is(s.steal(5), 0, 'worker 5 reaches worker 0 across the wrap');
    s.drain();
  }
});

Order('one domain of every worker steals in exactly the order of no domains', async () => {
  const flat = await stealer(5), one = await stealer(5);
  for (let w = 0; w < 5; w++) assert.is(one.x.setStealDomain(w, 0, 5), 1);
  for (let trial = 0; trial < 300; trial++) {
    for (const s of [flat, one]) for (let v = 1; v < 5; v++) s.putOn(v);
    assert.is(one.steal(0), flat.steal(0), `trial ${trial}: same victim`);
    flat.drain(); one.drain();
  }
});

Order('the steal counter counts each steal', async () => {
  const s = await stealer(2);
  const steals = () => s.core.u32[(s.core.workerPtr(0) + s.core.L.W_steals) >> 2];
  const before = steals();
  for (let i = 0; i < 10; i++) { s.putOn(1); assert.is(s.steal(0), 1); }
  assert.is(steals() - before, 10);
});

Order('setStealDomain refuses a range that is not inside the workers or does not contain the worker', async () => {
  const s = await stealer(4);
  for (const [w, start, count] of [[0, 2, 2], [3, 0, 2], [4, 0, 4], [0, 0, 0], [0, 0, 5], [2, 1, 4]]) {
    assert.is(s.x.setStealDomain(w, start, count), 0, `(${w}, ${start}, ${count})`);
  }
  const word = (f) => s.core.u32[(s.core.workerPtr(0) + s.core.L[f]) >> 2];
  assert.is(word('W_domStart'), 0);
  assert.is(word('W_domCount'), 0, 'nothing written');
});

Order.run();

// ---

const Exposed = suite('topology: executor.topology');

Exposed('exposed, frozen, and what the workers were configured with', async () => {
  const ex = await Executor.create({ workers: 3 });
  try {
    const t = ex.topology;
    assert.ok(t.source === 'sysfs' || t.source === 'flat');
    assert.is(t.pinned, false);
    assert.ok(Object.isFrozen(t) && Object.isFrozen(t.stealDomains) && Object.isFrozen(t.l3Domains[0]));
    assert.is(t.domainOf.length, 3);
    assert.is(t.stealDomains.reduce((a, d) => a + d.count, 0), 3);
    assert.equal(t.l3Domains.flat().sort((a, b) => a - b), [...t.cpus]);
    const m = ex.metrics();
    for (let w = 0; w < 3; w++) {
      const d = t.stealDomains[t.domainOf[w]];
      assert.equal(m.workers[w].stealDomain, { start: d.start, count: d.count }, `worker ${w}'s slot holds its domain`);
    }
    assert.is(await ex.async((a) => a + 1, 1), 2, 'and tasks run');
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

Exposed.run();
