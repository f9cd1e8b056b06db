// Task fingerprints and the table of their duration predictors (assembly/README.md "Learners").
//
// A fingerprint is (function id, shape): shape = size class << 25 | graph node. The size class is
// 1 + floor(log2 L) of the largest argument length L (bytes of an encoded argument, elements of a shared
// array; 0 when every argument fits its word: numbers, booleans, null, tuples); SPILLED (63) when the
// arguments did not fit the record. The graph node is the task's slot + 1 for a task of a laid-out graph
// (a slot names one node while its graph stays laid out), 0 for async tasks. A spawned child's shape is
// FORK_LEVEL_NODE + its fork-join level (layout.ts), from its record's `state` word, with size class 0:
// the level, not its arguments' size, tells its children apart (src/worker/forecast.ts).
//
// The table is open-addressed: a fingerprint hashes to a home entry and may live in any of the PROBE
// entries from there (each entry stores its full key, so two fingerprints never share a predictor).
// A fingerprint whose window is full evicts the entry there with the fewest samples (counted in
// LearnTable.evicted): the cap bounds memory, and a rarely seen fingerprint is what is lost.
//
// Who writes: whichever worker retires a task feeds its fingerprint's predictor, so an entry has many
// writers. Each entry is guarded by its own seqlock (seqlock.ts): a writer that finds it held drops the
// sample (LearnTable.contended) rather than waiting: a predictor loses one sample of thousands, a worker
// never spins behind another. Per-worker shards merged on read were the alternative; they would multiply
// the table by the worker count and make every read a merge of 1€ states, which do not merge.
import { header, taskAt, Task, TaskFlag, NONE, LearnTable, Predictor, FORK_LEVEL_NODE, FORK_LEVELS } from "../layout";
import { seqTryLock, seqUnlock, seqBegin, seqValid, loadF64, storeF64 } from "./seqlock";
import { oneEuroFold } from "./one-euro";

const PROBE: u32 = 4;          // entries a fingerprint may occupy from its home: 4 lines, one hash
const SPILLED: u32 = 63;       // size class of arguments that did not fit the record (src/engine/kinds.ts)
const KIND_ENCODED: u32 = 5;   // argument kinds with a length in the word's high half (src/engine/kinds.ts Kind)
const KIND_SHARED: u32 = 8;    //   8..15: a shared array view
const READ_TRIES: u32 = 64;    // a reader's retries while writers keep an entry busy

// @ts-ignore: decorator
@inline function entryAt(table: usize, i: u32): usize { return table + offsetof<LearnTable>() + (<usize>i << 6); }

/** murmur3's fmix32 over the two key words. */
function hashKey(fn1: u32, shape: u32): u32 {
  let h = fn1 * 0x9e3779b1 ^ (shape * 0x85ebca77 + 0x165667b1);
  h ^= h >> 16; h *= 0x7feb352d; h ^= h >> 15; h *= 0x846ca68b; h ^= h >> 16;
  return h;
}

/** The shape word of task t's fingerprint (see the file comment). */
export function taskShape(t: u32): u32 {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  if ((task.flags & TaskFlag.Child) != 0) return FORK_LEVEL_NODE + min(task.state, FORK_LEVELS - 1);   // size class 0
  const node: u32 = task.run != NONE ? t + 1 : 0;
  return sizeClassOf(p, task.argInfo) << 25 | node;
}

function sizeClassOf(p: usize, info: u32): u32 {
  const argc = info & 15;
  if (argc == 15) return SPILLED;
  let m: u32 = 0;
  for (let k: u32 = 0; k < argc; k++) {
    const kind = (info >> (4 + 4 * k)) & 15;
    if (kind == KIND_ENCODED || kind >= KIND_SHARED) m = max(m, load<u32>(p + offsetof<Task>("a0") + (<usize>k << 3) + 4));
  }
  return m == 0 ? 0 : 32 - clz<u32>(m);
}

/** Bytes of a learners' block with cap predictors (cap a power of two). */
export function learnSize(cap: u32): usize {
  return offsetof<LearnTable>() + (<usize>cap << 6);
}

/**
 * Host, before any worker starts, on a zeroed block of learnSize(cap) bytes: writes the configuration and
 * names the block in the header (table 0: no learners).
 */
export function learnSetup(table: usize, cap: u32, minCutoff: f64, beta: f64, dCutoff: f64, emaAlpha: f64, enabled: u32): void {
  if (table != 0) {
    const l = changetype<LearnTable>(table);
    l.cap = cap; l.minCutoff = minCutoff; l.beta = beta; l.dCutoff = dCutoff; l.emaAlpha = emaAlpha;
    atomic.store<u32>(table + offsetof<LearnTable>("enabled"), enabled);
  }
  header().learn = <u32>table;
}

/** Host, at any time: turns feeding on (1) or off (0). */
export function learnEnable(table: usize, on: u32): void {
  atomic.store<u32>(table + offsetof<LearnTable>("enabled"), on);
}

/**
 * Worker, after running task t for `ms` milliseconds (an unclamped clock difference): folds it into the
 * predictor of t's fingerprint. Nothing happens when there is no learners' block or it is disabled.
 */
export function learnObserve(t: u32, ms: f64): void {
  const table = <usize>header().learn;
  if (table == 0 || atomic.load<u32>(table + offsetof<LearnTable>("enabled")) == 0) return;
  observe(table, changetype<Task>(taskAt(t)).fn + 1, taskShape(t), ms);
}

/** Any thread: folds sample ms into fingerprint (fn, shape) of table. 1 folded, 0 dropped (not finite or < 0), -1 contended. */
export function predictObserve(table: usize, fn: u32, shape: u32, ms: f64): i32 {
  return observe(table, fn + 1, shape, ms);
}

/**
 * Any thread: folds sample ms into fingerprint (fn, shape) and returns its prediction after the sample
 * (the 1€ value, one atomic load: a writer folding another sample meanwhile makes it that one's), or NaN
 * when the sample was dropped or contended. A worker's fork-join predictions (src/worker/forecast.ts).
 */
export function predictFold(table: usize, fn: u32, shape: u32, ms: f64): f64 {
  const e = fold(table, fn + 1, shape, ms);
  return e > CONTENDED ? loadF64(e + offsetof<Predictor>("x")) : NaN;
}

function observe(table: usize, fn1: u32, shape: u32, v: f64): i32 {
  const e = fold(table, fn1, shape, v);
  return e == DROPPED ? 0 : e == CONTENDED ? -1 : 1;
}

// fold's answers other than an entry's address (entries are 64-byte aligned, never 0 or 1)
const DROPPED: usize = 0;
const CONTENDED: usize = 1;

/** Folds v into fingerprint (fn1, shape): the entry it went into, DROPPED or CONTENDED (counted). */
function fold(table: usize, fn1: u32, shape: u32, v: f64): usize {
  // NaN fails both comparisons; a negative difference is a clock that went backwards
  if (!(v >= 0 && v < f64.POSITIVE_INFINITY)) { atomic.add<u32>(table + offsetof<LearnTable>("dropped"), 1); return DROPPED; }
  const mask = changetype<LearnTable>(table).cap - 1;
  const h = hashKey(fn1, shape);
  let e: usize = 0, victim: usize = 0, fewest: u32 = U32.MAX_VALUE;
  for (let k: u32 = 0; k < PROBE; k++) {
    const c = entryAt(table, (h + k) & mask);
    const f = atomic.load<u32>(c + offsetof<Predictor>("fn1"));
    if (f == 0 || (f == fn1 && atomic.load<u32>(c + offsetof<Predictor>("shape")) == shape)) { e = c; break; }
    const n = atomic.load<u32>(c + offsetof<Predictor>("samples"));
    if (n < fewest) { fewest = n; victim = c; }
  }
  const evict = e == 0;
  if (evict) e = victim;
  const s = seqTryLock(e);
  if (s < 0) { atomic.add<u32>(table + offsetof<LearnTable>("contended"), 1); return CONTENDED; }
  const f = atomic.load<u32>(e + offsetof<Predictor>("fn1"));
  if (f != fn1 || atomic.load<u32>(e + offsetof<Predictor>("shape")) != shape) {
    if (f != 0 && !evict) {
      // a free entry another fingerprint claimed between our probe and our lock: drop, never evict it
      seqUnlock(e, <u32>s);
      atomic.add<u32>(table + offsetof<LearnTable>("contended"), 1);
      return CONTENDED;
    }
    if (f != 0) atomic.add<u32>(table + offsetof<LearnTable>("evicted"), 1);
    atomic.store<u32>(e + offsetof<Predictor>("fn1"), fn1);
    atomic.store<u32>(e + offsetof<Predictor>("shape"), shape);
    atomic.store<u32>(e + offsetof<Predictor>("samples"), 0);
  }
  const l = changetype<LearnTable>(table);   // config: written before the workers started
  oneEuroFold(e, v, l.minCutoff, l.beta, l.dCutoff, l.emaAlpha);
  seqUnlock(e, <u32>s);
  atomic.add<u32>(table + offsetof<LearnTable>("observed"), 1);
  return e;
}

/**
 * Any thread: copies entry i's state to out (f64[8]: fn1, shape, samples, mean, m2, x, dx, ema), consistent
 * under its seqlock. 1 copied, 0 the entry is free, -1 writers kept it busy (try again later).
 */
export function predictReadAt(table: usize, i: u32, out: usize): i32 {
  const e = entryAt(table, i);
  for (let tries: u32 = 0; tries < READ_TRIES; tries++) {
    const s = seqBegin(e);
    if (s < 0) continue;
    const fn1 = atomic.load<u32>(e + offsetof<Predictor>("fn1"));
    store<f64>(out, fn1);
    store<f64>(out, atomic.load<u32>(e + offsetof<Predictor>("shape")), 8);
    store<f64>(out, atomic.load<u32>(e + offsetof<Predictor>("samples")), 16);
    store<f64>(out, loadF64(e + offsetof<Predictor>("mean")), 24);
    store<f64>(out, loadF64(e + offsetof<Predictor>("m2")), 32);
    store<f64>(out, loadF64(e + offsetof<Predictor>("x")), 40);
    store<f64>(out, loadF64(e + offsetof<Predictor>("dx")), 48);
    store<f64>(out, loadF64(e + offsetof<Predictor>("ema")), 56);
    if (seqValid(e, s)) return fn1 == 0 ? 0 : 1;
  }
  return -1;
}

/** Any thread: like predictReadAt, for fingerprint (fn, shape). 1 found, 0 not in the table, -1 busy. */
export function predictRead(table: usize, fn: u32, shape: u32, out: usize): i32 {
  const mask = changetype<LearnTable>(table).cap - 1;
  const h = hashKey(fn + 1, shape);
  for (let k: u32 = 0; k < PROBE; k++) {
    const i = (h + k) & mask;
    const r = predictReadAt(table, i, out);
    if (r < 0) return r;
    if (r == 0) return 0;
    if (<u32>load<f64>(out) == fn + 1 && <u32>load<f64>(out, 8) == shape) return 1;
  }
  return 0;
}

/**
 * Any thread: fingerprint (fn, shape)'s prediction (its 1€ value, one atomic load), NaN when it has none.
 * A worker's first look at a function's fork-join levels (src/worker/forecast.ts), so a restored snapshot
 * warm-starts them too.
 */
export function predictValue(table: usize, fn: u32, shape: u32): f64 {
  const mask = changetype<LearnTable>(table).cap - 1;
  const fn1 = fn + 1;
  const h = hashKey(fn1, shape);
  for (let k: u32 = 0; k < PROBE; k++) {
    const e = entryAt(table, (h + k) & mask);
    const f = atomic.load<u32>(e + offsetof<Predictor>("fn1"));
    if (f == 0) return NaN;
    if (f == fn1 && atomic.load<u32>(e + offsetof<Predictor>("shape")) == shape) return loadF64(e + offsetof<Predictor>("x"));
  }
  return NaN;
}

/**
 * Host (warm start): sets fingerprint (fn, shape)'s state, claiming or evicting an entry as observe does.
 * 1 done, -1 busy (try again). Non-finite values are refused with 0.
 */
export function predictRestore(table: usize, fn: u32, shape: u32, samples: u32, mean: f64, m2: f64, x: f64, dx: f64, ema: f64): i32 {
  if (!(isFinite(mean) && isFinite(m2) && isFinite(x) && isFinite(dx) && isFinite(ema)) || samples == 0) return 0;
  // claim through the normal path with a placeholder sample, then overwrite under the lock
  const mask = changetype<LearnTable>(table).cap - 1;
  const fn1 = fn + 1;
  const r = observe(table, fn1, shape, x >= 0 ? x : 0);
  if (r < 0) return -1;
  atomic.sub<u32>(table + offsetof<LearnTable>("observed"), 1);
  const h = hashKey(fn1, shape);
  for (let k: u32 = 0; k < PROBE; k++) {
    const e = entryAt(table, (h + k) & mask);
    if (atomic.load<u32>(e + offsetof<Predictor>("fn1")) != fn1 || atomic.load<u32>(e + offsetof<Predictor>("shape")) != shape) continue;
    const s = seqTryLock(e);
    if (s < 0) return -1;
    atomic.store<u32>(e + offsetof<Predictor>("samples"), samples);
    storeF64(e + offsetof<Predictor>("mean"), mean);
    storeF64(e + offsetof<Predictor>("m2"), m2);
    storeF64(e + offsetof<Predictor>("x"), x);
    storeF64(e + offsetof<Predictor>("dx"), dx);
    storeF64(e + offsetof<Predictor>("ema"), ema);
    storeF64(e + offsetof<Predictor>("rv"), samples > 1 ? m2 / <f64>(samples - 1) : 0);   // the noise floor starts at the sample variance
    seqUnlock(e, <u32>s);
    return 1;
  }
  return -1;
}

/**
 * Host: frees every entry and clears the counters. Entries a writer holds are retried; a sample that
 * races the reset may survive it, in an entry of its own. Returns the entries it could not take (0).
 */
export function predictReset(table: usize): u32 {
  const cap = changetype<LearnTable>(table).cap;
  let busy: u32 = 0;
  for (let i: u32 = 0; i < cap; i++) {
    const e = entryAt(table, i);
    let s: i64 = -1;
    for (let tries: u32 = 0; tries < 1 << 16 && s < 0; tries++) s = seqTryLock(e);
    if (s < 0) { busy++; continue; }
    atomic.store<u32>(e + offsetof<Predictor>("fn1"), 0);
    atomic.store<u32>(e + offsetof<Predictor>("shape"), 0);
    atomic.store<u32>(e + offsetof<Predictor>("samples"), 0);
    seqUnlock(e, <u32>s);
  }
  atomic.store<u32>(table + offsetof<LearnTable>("observed"), 0);
  atomic.store<u32>(table + offsetof<LearnTable>("dropped"), 0);
  atomic.store<u32>(table + offsetof<LearnTable>("contended"), 0);
  atomic.store<u32>(table + offsetof<LearnTable>("evicted"), 0);
  return busy;
}
