// Pure policies of the parallel algorithms: chunking (src/algorithms/partition.ts) and the merge
// pieces of the sort (src/algorithms/merge.ts), by tables and exhaustive small cases. No workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chooseGrain, guidedChunk, staticGrain, taskCount, staticRanges, nextProbe, checkPartition, TARGET_CHUNK_NS, KERNEL_CHUNK_NS, MIN_CHUNKS_PER_WORKER,
} from '../build/src/algorithms/partition.js';
import { corank, gatherPiece, mergeRange, floatLess, intLess, runCount, runRange, mergePieceAt, pairCount } from '../build/src/algorithms/merge.js';

const Grain = suite('chooseGrain: TARGET_CHUNK_NS of work per chunk, at least MIN_CHUNKS_PER_WORKER chunks per worker');
Grain('table', () => {
  assert.is(TARGET_CHUNK_NS, 50_000);
  assert.is(MIN_CHUNKS_PER_WORKER, 4);
  const rows = [
    // n, workers, ns/item → grain
    [0, 2, 1, 1],                  // nothing to split
    [1, 2, 1, 1],
    [1e7, 2, 0.3, 166_666],        // a cheap kernel: by cost (50 µs / 0.3 ns)
    [1e7, 2, 1000, 50],            // 1 µs per item: 50 per chunk
    [1e5, 2, 0.3, 12_500],         // small array: balance wins (1e5 / 8)
    [1000, 4, 1e6, 1],             // 1 ms per item: one item per chunk
    [1e6, 2, 0, 125_000],          // under timer resolution: as cheap as can be, balance decides
    [1e6, 2, -1, 125_000],
  ];
  for (const [n, w, ns, want] of rows) assert.is(chooseGrain(n, w, ns), want, `chooseGrain(${n}, ${w}, ${ns})`);
  // A built-in kernel's chunks: KERNEL_CHUNK_NS of work (10 µs / 0.3 ns), balance still wins for small arrays.
  assert.is(KERNEL_CHUNK_NS, 10_000);
  assert.is(chooseGrain(1e7, 2, 0.3, KERNEL_CHUNK_NS), 33_333);
  assert.is(chooseGrain(1e5, 2, 0.3, KERNEL_CHUNK_NS), 12_500);
});
Grain('probe lengths grow ×8 until a probe takes 5 µs', () => {
  assert.is(nextProbe(64, 100), 512);
  assert.is(nextProbe(512, 4_999), 4096);
  assert.is(nextProbe(4096, 5_000), 0);
});
Grain.run();

// ---

const Chunks = suite('guided, static and task counts');
Chunks('guidedChunk = max(grain, ⌈remaining / 2·workers⌉), at most remaining', () => {
  const rows = [[1000, 10, 2, 250], [100, 10, 2, 25], [30, 10, 2, 10], [7, 10, 2, 7], [0, 10, 2, 0], [1, 1, 4, 1], [1e6, 1, 1, 500_000]];
  for (const [rem, g, w, want] of rows) assert.is(guidedChunk(rem, g, w), want, `guidedChunk(${rem}, ${g}, ${w})`);
});
Chunks('guided claims cover [0, n) exactly, shrinking to the grain', () => {
  for (const [n, g, w] of [[1, 1, 2], [1000, 7, 2], [12345, 100, 4], [99, 1000, 3]]) {
    let lo = 0, prev = Infinity, count = 0;
    while (lo < n) {
      const c = guidedChunk(n - lo, g, w);
      assert.ok(c >= 1 && c <= prev, 'chunks never grow');
      if (lo + c < n) assert.ok(c >= Math.min(g, n - lo), 'no chunk below the grain but the last');
      prev = c; lo += c; count++;
    }
    assert.is(lo, n);
    assert.ok(count <= Math.ceil(n / g) + 1);
  }
});
Chunks('staticGrain, taskCount and staticRanges partition [0, n) among the parts', () => {
  assert.is(staticGrain(10, 3, undefined), 4);
  assert.is(staticGrain(10, 3, 2), 2);
  assert.is(staticGrain(0, 3, undefined), 1);
  assert.is(taskCount(0, 5, 4), 0);
  assert.is(taskCount(3, 5, 4), 1);
  assert.is(taskCount(100, 5, 4), 4);
  assert.equal(staticRanges(10, 4, 3, 0), [[0, 4]]);
  assert.equal(staticRanges(10, 4, 3, 2), [[8, 10]]);
  assert.equal(staticRanges(10, 2, 2, 1), [[2, 4], [6, 8]]);
  for (const [n, g, parts] of [[10, 3, 2], [100, 7, 4], [1, 1, 1], [64, 8, 3]]) {
    const seen = new Array(n).fill(0);
    for (let p = 0; p < parts; p++) for (const [lo, hi] of staticRanges(n, g, parts, p)) for (let i = lo; i < hi; i++) seen[i]++;
    assert.ok(seen.every((c) => c === 1), `n=${n} g=${g} parts=${parts}: each index exactly once`);
  }
});
Chunks('checkPartition names the option in its errors', () => {
  assert.equal(checkPartition('f()', undefined), ['guided', 0]);
  assert.equal(checkPartition('f()', { partitioner: 'static', grain: 5 }), ['static', 5]);
  assert.throws(() => checkPartition('reduce(x)', { partitioner: 'fast' }), /reduce\(x\): options\.partitioner must be one of 'static', 'dynamic', 'guided' \(got "fast"\)/);
  for (const g of [0, -1, 1.5, '3', 2 ** 31]) {
    assert.throws(() => checkPartition('f()', { grain: g }), /options\.grain must be a positive integer number of items/);
  }
});
Chunks.run();

// ---

const Merge = suite('merge pieces (sort)');
const rand = (n, k, seed) => { let s = seed; return Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s % k; }); };

Merge('floatLess is TypedArray.prototype.sort order: −0 before +0, NaN last', () => {
  const xs = [3, NaN, -0, 0, -Infinity, Infinity, 1.5, NaN, -2];
  const ref = Float64Array.from(xs).sort();
  const got = xs.slice().sort((x, y) => (floatLess(x, y) ? -1 : floatLess(y, x) ? 1 : 0));
  assert.equal(got.map((v) => Object.is(v, -0) ? '-0' : String(v)), Array.from(ref, (v) => Object.is(v, -0) ? '-0' : String(v)));
});
Merge('corank splits every prefix of a stable merge, for all k', () => {
  for (const [m, l, seed] of [[0, 5, 1], [5, 0, 2], [7, 9, 3], [16, 16, 4], [1, 30, 5]]) {
    const x = new Int32Array(rand(m, 6, seed).sort((a, b) => a - b)), y = new Int32Array(rand(l, 6, seed + 9).sort((a, b) => a - b));
    // reference stable merge, tagging origin
    const tags = [];
    let i = 0, j = 0;
    while (i < m || j < l) { if (j >= l || (i < m && !(y[j] < x[i]))) tags.push(0), i++; else tags.push(1), j++; }
    for (let k = 0; k <= m + l; k++) {
      assert.is(corank(k, x, 0, m, y, 0, l, intLess), tags.slice(0, k).filter((t) => t === 0).length, `m=${m} l=${l} k=${k}`);
    }
  }
});
Merge('gather + merge over the pieces of every round sorts like one stable merge', () => {
  for (const [n, runs, perPair] of [[1, 1, 1], [10, 2, 3], [1000, 4, 5], [1001, 8, 2], [37, 2, 40]]) {
    const keyed = rand(n, 50, n);                               // stability: sort by key = v >> 3, payload keeps order
    const a = new Int32Array(keyed.map((v, i) => (v << 16) | i));
    const less = (x, y) => (x >> 19) < (y >> 19);
    for (let r = 0; r < runs; r++) {
      const [lo, hi] = runRange(n, runs, r);
      a.subarray(lo, hi).sort((x, y) => (x >> 19) - (y >> 19));
    }
    const tmp = new Int32Array(n);
    for (let round = 0; 2 ** round < runs; round++) {
      const pieces = pairCount(n, runs, round) * perPair, splits = [], covered = new Array(n).fill(0);
      for (let q = 0; q < pieces; q++) {
        const p = mergePieceAt(n, runs, round, perPair, q);
        if (!p) continue;
        for (let k = p[0] + p[3]; k < p[0] + p[4]; k++) covered[k]++;
        splits[q] = gatherPiece(a, tmp, p[0], p[1], p[2], p[3], p[4], less);
      }
      assert.ok(covered.every((c) => c === 1), `round ${round}: pieces cover every output once`);
      for (let q = 0; q < pieces; q++) {
        const p = mergePieceAt(n, runs, round, perPair, q);
        if (p) mergeRange(tmp, a, p[0] + p[3], p[0] + p[3] + splits[q], p[0] + p[4], less);
      }
    }
    const ref = Array.from(keyed, (v, i) => (v << 16) | i).sort((x, y) => (x >> 19) - (y >> 19));
    assert.equal(Array.from(a), ref, `n=${n} runs=${runs} perPair=${perPair}`);
  }
});
Merge('runCount: powers of two up to the task count, never runs shorter than minRun', () => {
  assert.is(runCount(1e6, 2, 4096), 2);
  assert.is(runCount(1e6, 4, 4096), 4);
  assert.is(runCount(1e6, 3, 4096), 4);
  assert.is(runCount(10000, 4, 4096), 2);
  assert.is(runCount(5000, 4, 4096), 1);
  assert.is(runCount(1e6, 1, 4096), 1);
});
Merge.run();
