// Keeping the matmul autotune (src/gpu/tuning.ts, tuning-file.ts): executor.gpu.tuning() exports what was
// measured as JSON-able data, useTuning() adopts it so the next matmul skips the autotune, and
// options.gpu.tuningDir keeps it in a file that a later executor (or process) adopts at create(). On a real
// adapter (Dawn's GLES compatibility adapter on llvmpipe where there is no GPU). Bad data gets a TypeError
// naming the field; a corrupt file costs a warning and is rewritten. Skipped, saying why, only where no
// adapter can exist; under CI=true that fails instead.
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor, usePlatform } from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { clearTunings } from '../build/src/gpu/matmul.js';

const { ex, gpu, S: T, it } = await gpuSuite('gpu autotune kept', 'gpu tuning', 1);
const FILE = 'beatflow-gpu-tuning.json';

const product = (on) => {
  const a = on.shared(Float32Array, 64).fill(1), b = on.shared(Float32Array, 64).fill(2), out = on.shared(Float32Array, 64);
  return { run: () => on.gpu.matmul(a, b, out, 8, 8, 8), out };
};

/** Runs f with console.warn captured; returns what it printed. */
async function warnings(f) {
  const seen = [], warn = console.warn;
  console.warn = (m) => seen.push(String(m));
  try { await f(); } finally { console.warn = warn; }
  return seen;
}

it('tuning() exports the shape measured; useTuning() of it skips the autotune; JSON round trip', async () => {
  clearTunings();
  assert.equal(gpu.tuning().entries, [], 'nothing measured yet');
  const p = product(ex);
  const first = await p.run();
  assert.ok(first.tuneMs > 0, 'measured now');
  const t = gpu.tuning();
  assert.is(t.format, 'beatflow-gpu-tuning');
  assert.is(t.version, 1);
  assert.is(t.entries.length, 1);
  const e = t.entries[0];
  assert.is(e.shape, `${first.tile}/${first.depth}/${first.workgroupSize.join('x')}`);
  assert.equal(Object.keys(e.timings), Object.keys(first.timings));
  assert.ok(!Number.isNaN(Date.parse(e.tunedAt)));
  assert.ok(e.adapter.length > 0);
  assert.is(p.out[0], 16);
  clearTunings();
  assert.is(gpu.useTuning(JSON.parse(JSON.stringify(t))), 1);
  const again = await p.run();
  assert.is(again.tuneMs, 0, 'adopted: no autotune');
  assert.equal([again.tile, again.depth, again.workgroupSize], [first.tile, first.depth, first.workgroupSize]);
  assert.equal(gpu.tuning().entries, t.entries, 'exported again as it came');
});

it('useTuning: entries of other adapters are kept for export and leave this one\'s alone; a shape this version lacks is not adopted', async () => {
  const mine = gpu.tuning().entries;
  assert.is(mine.length, 1, 'tuned by the test before');
  const other = { key: JSON.stringify(['acme', 'x', 'y', 'z', false, { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256, maxComputeWorkgroupStorageSize: 16384 }]),
    adapter: 'acme', shape: '16/16/16x16', timings: { '16/16/16x16': 1 }, tunedAt: '2026-12-06T00:00:00.000Z' };
  const future = { ...other, key: 'another key', shape: '128/8/32x8' };
  const taken = { ...mine[0], shape: '8/8/8x8' };   // this adapter's key with another shape: it was tuned here, so not taken
  assert.is(gpu.useTuning({ format: 'beatflow-gpu-tuning', version: 1, entries: [other, future, taken] }), 1);
  assert.equal(gpu.tuning().entries.map((e) => [e.adapter, e.shape]), [[mine[0].adapter, mine[0].shape], ['acme', '16/16/16x16'], ['acme', '128/8/32x8']]);
  const r = await product(ex).run();
  assert.equal([r.tuneMs, `${r.tile}/${r.depth}/${r.workgroupSize.join('x')}`], [0, mine[0].shape], 'its own tuning, untouched');
});

it('bad data: a TypeError naming the field', () => {
  const what = 'beatflow: executor.gpu.useTuning(tuning)';
  const ok = { key: 'k', adapter: 'a', shape: '8/8/8x8', timings: {}, tunedAt: '' };
  const cases = [
    [null, `${what}: tuning must be an object from executor.gpu.tuning() (got null)`],
    [{ format: 'x', version: 1, entries: [] }, `${what}: tuning.format must be 'beatflow-gpu-tuning' (got "x")`],
    [{ format: 'beatflow-gpu-tuning', version: 2, entries: [] }, `${what}: tuning.version is 2, but this beatflow reads version 1`],
    [{ format: 'beatflow-gpu-tuning', version: 1, entries: {} }, `${what}: tuning.entries must be an array`],
    [{ format: 'beatflow-gpu-tuning', version: 1, entries: [{ ...ok, shape: 8 }] }, `${what}: tuning.entries[0].shape must be a string (got 8)`],
    [{ format: 'beatflow-gpu-tuning', version: 1, entries: [ok, { ...ok, timings: { a: 'slow' } }] }, `${what}: tuning.entries[1].timings must be an object of milliseconds by shape`],
  ];
  for (const [v, message] of cases) {
    assert.throws(() => gpu.useTuning(v), (e) => e instanceof TypeError && e.message.startsWith(message), message);
  }
});

it('options.gpu.tuningDir: written after the autotune, adopted by the next executor; a corrupt file is rewritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beatflow-tuning-'));
  try {
    clearTunings();
    const ex1 = await Executor.create({ workers: 1, gpu: { tuningDir: dir } });
    const r1 = await product(ex1).run();
    assert.ok(r1.tuneMs > 0);
    await ex1.close();   // waits for the file to be written
    const saved = JSON.parse(readFileSync(join(dir, FILE), 'utf8'));
    assert.is(saved.entries.length, 1);
    assert.is(saved.entries[0].shape, `${r1.tile}/${r1.depth}/${r1.workgroupSize.join('x')}`);

    clearTunings();   // a new process, as far as the cache knows
    const ex2 = await Executor.create({ workers: 1, gpu: { tuningDir: dir } });
    const r2 = await product(ex2).run();
    assert.is(r2.tuneMs, 0, 'adopted from the file');
    assert.equal([r2.tile, r2.depth], [r1.tile, r1.depth]);
    await ex2.close();

    writeFileSync(join(dir, FILE), '{ not json');
    clearTunings();
    let ex3;
    const seen = await warnings(async () => { ex3 = await Executor.create({ workers: 1, gpu: { tuningDir: dir } }); });
    assert.is(seen.length, 1, seen.join('\n'));
    assert.match(seen[0], new RegExp(`the GPU tuning file .*${FILE} was not used \\(.*\\); the next autotune writes it again`));
    const r3 = await product(ex3).run();
    assert.ok(r3.tuneMs > 0, 'tuned again');
    await ex3.close();
    assert.is(JSON.parse(readFileSync(join(dir, FILE), 'utf8')).entries.length, 1, 'rewritten whole');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.not.ok(existsSync(dir));
});

it('tuningDir where the platform has no file system (a browser): a TypeError saying what to do instead', async () => {
  const { platform: node } = await import('../build/src/platform/node.js');
  usePlatform({ ...node, files: undefined, name: 'this browser' });
  try {
    const e = await Executor.create({ workers: 1, gpu: { tuningDir: '/tmp/x' } }).then(() => undefined, (x) => x);
    assert.instance(e, TypeError);
    assert.is(e.message, 'beatflow: options.gpu.tuningDir needs a file system, which this browser does not give: store executor.gpu.tuning() yourself and pass it to executor.gpu.useTuning()');
  } finally {
    usePlatform(node);
  }
});

T.after(() => ex.close());
T.run();
