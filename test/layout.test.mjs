// The memory map as the TypeScript side sees it (assembly/layout.ts → offsets.ts → core.L): every layout
// name the build reads exists in core.L (a misspelt one would be undefined, and its offsets NaN, writing
// nowhere without an error); the blocks declared for the host and worker side (frames, await list,
// choices, job block, map job, metrics block, cancellation token, the exit word) are laid out as their users
// assume; and the files that use those blocks type no offset in.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCore } from './helpers/core.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every file under dir (relative to the repository) whose name ends with ext. */
function files(dir, ext) {
  const out = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** The fields (name → byte offset) of a prefix in core.L: fields(L, 'J_') → { cursor: 0, … }. */
function fields(L, prefix) {
  return Object.fromEntries(Object.entries(L).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** Fields of `width` bytes each lie inside [0, size), aligned to their width, and do not overlap. */
function disjoint(f, size, width, what) {
  const offs = Object.entries(f).sort((a, b) => a[1] - b[1]);
  assert.ok(offs.length > 0, `${what}: no fields exported`);
  for (const [k, o] of offs) {
    const w = typeof width === 'number' ? width : width[k] ?? 4;
    assert.ok(o >= 0 && o + w <= size, `${what}.${k} at ${o} lies outside its ${size} bytes`);
    assert.is(o % w, 0, `${what}.${k} at ${o} is not aligned to ${w}`);
  }
  for (let i = 1; i < offs.length; i++) {
    const [pk, po] = offs[i - 1];
    const pw = typeof width === 'number' ? width : width[pk] ?? 4;
    assert.ok(offs[i][1] >= po + pw, `${what}.${offs[i][0]} overlaps ${what}.${pk}`);
  }
}

// ---

const Names = suite('core.L: every name the build reads');

Names.before(async (ctx) => { ctx.L = (await makeCore()).core.L; });

Names('each L.<name> in build/src resolves to a number', ({ L }) => {
  const missing = [];
  for (const f of files('build/src', '.js')) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/\bL\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (typeof L[m[1]] !== 'number') missing.push(`${f}: L.${m[1]}`);
    }
  }
  assert.equal([...new Set(missing)], [], 'names missing from core.L (assembly/offsets.ts exports)');
});

Names('the prefixes: off_X as X, size_/count_/flag_ under their full name', ({ L }) => {
  assert.type(L.T_fn, 'number');
  assert.type(L.size_Task, 'number');
  assert.type(L.count_MetricSlots, 'number');
  assert.type(L.flag_Condition, 'number');
  assert.is(L.off_T_fn, undefined);
});

Names.run();

// ---

const Blocks = suite('heap blocks declared in assembly/layout.ts');

Blocks.before(async (ctx) => { ctx.L = (await makeCore()).core.L; });

Blocks('the worker blocks are arrays of u32 entries (the worker and the host index a Uint32Array)', ({ L }) => {
  for (const k of ['size_FrameEntry', 'size_AwaitEntry', 'size_Choice']) {
    assert.ok(L[k] > 0 && L[k] % 4 === 0, `${k} = ${L[k]}: a whole number of u32 words`);
  }
  disjoint(fields(L, 'Fr_'), L.Fr_tasks + L.size_FrameEntry, 4, 'Frames');
  assert.ok(L.Fr_tasks > L.Fr_count, 'Frames: the entries follow the count');
});

Blocks('the job block: i32 words in one cache line, partial slots 8-aligned after it', ({ L }) => {
  const J = fields(L, 'J_');
  assert.equal(Object.keys(J).sort(), ['aux', 'auxN', 'best', 'cursor', 'done', 'grain', 'kind', 'n', 'parts', 'perPair', 'phase', 'runs', 'slots', 'stop']);
  disjoint(J, L.size_Job, 4, 'Job');
  assert.is(L.size_Job % 8, 0, 'the f64 partials after the block are aligned');
  assert.ok(L.size_Job <= 64, `Job is ${L.size_Job} bytes: more than a line`);
});

Blocks('the metrics block: a header line, then rings of 8-aligned slots (busyMs is an f64)', async ({ L }) => {
  const { BUCKETS } = await import('../build/src/observe/histogram.js');
  const { SLOTS } = await import('../build/src/observe/metrics-block.js');
  assert.is(L.count_MetricBuckets, BUCKETS, 'buckets: layout.ts and histogram.ts agree');
  assert.is(L.count_MetricSlots, SLOTS, 'slots per ring: layout.ts and metrics-block.ts agree');
  disjoint(fields(L, 'M_'), L.size_MetricsHeader, { hostOrigin: 8 }, 'MetricsHeader');
  assert.is(L.size_MetricsHeader % 64, 0, 'rings start on a line');
  const slot = fields(L, 'MS_');
  disjoint({ epoch1: slot.epoch1, runSamples: slot.runSamples, waitSamples: slot.waitSamples, busyMs: slot.busyMs }, L.MS_run, { busyMs: 8 }, 'MetricSlot');
  assert.is(L.MS_wait - L.MS_run, 4 * BUCKETS, 'the run histogram: BUCKETS u32');
  assert.is(L.size_MetricSlot - L.MS_wait, 4 * BUCKETS, 'the wait histogram: BUCKETS u32, then the slot ends');
  assert.is(L.size_MetricSlot % 8, 0, 'busyMs stays aligned in every slot of a ring');
  assert.is((L.size_MetricSlot * SLOTS) % 64, 0, 'each ring starts on a line');
});

Blocks("executor.map's job header and block rows: u32 words that fit their blocks", ({ L }) => {
  disjoint(fields(L, 'MJ_'), L.size_MapJob, 4, 'MapJob');
  disjoint(fields(L, 'MB_'), L.size_MapBlock, 4, 'MapBlock');
  assert.is(L.size_MapJob % 8, 0, 'the per-item f64 words after the header stay aligned');
});

Blocks('the cancellation token: its words fit the block', ({ L }) => {
  disjoint(fields(L, 'C_'), L.size_Token, 4, 'Token');
});

Blocks('the exit word (lifecycle) is a WorkerSlot word of its own', ({ L }) => {
  const W = fields(L, 'W_');
  disjoint(W, L.size_WorkerSlot, 4, 'WorkerSlot');
  assert.ok(W.exit >= 64, 'not on line 0, which thieves and wakers hammer');
});

Blocks.run();

// ---

const Typed = suite('no typed-in offsets where the blocks are used');

// The files that read or write these blocks: each takes its offsets from core.L.
const USERS = [
  'src/algorithms/spec.ts', 'src/algorithms/job.ts', 'src/algorithms/drive.ts', 'src/algorithms/builtins.ts',
  'src/algorithms/scan.ts', 'src/algorithms/sort.ts',
  'src/observe/metrics-block.ts', 'src/observe/metrics.ts', 'src/observe/sampler.ts',
  'src/engine/pool.ts', 'src/engine/memory.ts', 'src/engine/cancel.ts', 'src/engine/batch.ts', 'src/engine/batch-task.ts',
  ...files('src/worker', '.ts'),
];

Typed('no `(p + N) >> k`, `(p >> 2) + N`, J_* or control-stride constants', () => {
  const bad = [];
  for (const f of USERS) {
    readFileSync(join(root, f), 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/\+\s*\d+\)\s*>>>?\s*[23]\b/.test(code) || />>\s*2\)\s*\+\s*[1-9]/.test(code) || /\bJ_[A-Z]|CONTROL_STRIDE|JOB_BYTES/.test(code)) {
        bad.push(`${f}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.equal(bad, [], 'hand-numbered offsets');
});

Typed('the pool keeps no control array of its own: the exit words live in the shared memory', () => {
  const pool = readFileSync(join(root, 'src/engine/pool.ts'), 'utf8');
  assert.not.match(pool, /new SharedArrayBuffer/);
  assert.match(pool, /L\.W_exit/);
});

Typed.run();
