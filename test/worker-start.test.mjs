// A worker thread's start-up (src/worker/main.ts) as the pool sees it: the stage messages it posts
// ('started' once its own code runs, 'loaded' once the task module is imported, 'ready' with the built-in
// modules it bound), and where the built-ins come from: the one list in src/builtins.ts, which the worker
// binds in order and the host registers by identity; the worker's own files import no built-in module.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync } from 'node:fs';
import { makeCore, withTimeout } from './helpers/core.mjs';
import { BUILTIN_MODULES } from '../build/src/builtins.js';
import { BUILTINS } from '../build/src/algorithms/builtins.js';

const ENTRY = new URL('../build/src/worker/main.js', import.meta.url);

/** Starts the worker entry on a fresh one-worker core; resolves with the messages it posted up to 'ready' (or its exit). */
async function start(moduleUrl) {
  const { module, core } = await makeCore({ workers: 1 });
  const th = new Worker(ENTRY, { workerData: { module, memory: core.memory, worker: 0, moduleUrl } });
  const seen = [];
  let error;
  const exited = new Promise((r) => th.on('exit', r));
  th.on('error', (e) => { error = e; });
  await withTimeout(new Promise((resolve) => {
    th.on('message', (m) => { seen.push(m); if (m.type === 'ready') resolve(); });
    exited.then(resolve);
  }), 10_000, 'worker start');
  core.x.wakeAllForShutdown();   // the loop returns SHUTDOWN and the thread ends
  const code = await withTimeout(exited, 10_000, 'worker exit');
  return { seen, error, code };
}

// ---

const Stages = suite('worker start-up messages');

Stages('started, loaded, then ready naming the built-in modules of the list, in order', async () => {
  const { seen, code } = await start(undefined);
  assert.equal(seen.map((m) => m.type), ['started', 'loaded', 'ready']);
  assert.equal(seen[2].builtins, BUILTIN_MODULES.map((m) => m.name));
  assert.is(code, 0, 'a shut-down worker exits cleanly');
});

Stages('a task module that throws on import: started, never loaded', async () => {
  const { seen, error } = await start(new URL('./fixtures/bad-module.mjs', import.meta.url).href);
  assert.equal(seen.map((m) => m.type), ['started']);
  assert.match(String(error?.message), /module load failure on purpose/);
});

Stages.run();

// ---

const List = suite('built-in task modules: one list');

List('the algorithms are an entry, named beatflow.<name>, by identity', () => {
  const algo = BUILTIN_MODULES.find((m) => m.name === 'algorithms');
  assert.ok(algo, 'BUILTIN_MODULES lists the algorithms');
  assert.equal(Object.keys(algo.functions).sort(), Object.keys(BUILTINS).map((k) => `beatflow.${k}`).sort());
  for (const [k, fn] of Object.entries(BUILTINS)) assert.is(algo.functions[`beatflow.${k}`], fn, k);
  assert.ok(Object.isFrozen(BUILTIN_MODULES));
});

List('names are unique across the list', () => {
  const names = BUILTIN_MODULES.flatMap((m) => Object.keys(m.functions));
  assert.is(new Set(names).size, names.length);
  assert.is(new Set(BUILTIN_MODULES.map((m) => m.name)).size, BUILTIN_MODULES.length);
});

List('the worker files load built-ins only through the list (no import of src/algorithms)', () => {
  const dir = new URL('../build/src/worker/', import.meta.url);
  const offenders = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(new URL(f, dir), 'utf8');
    for (const m of text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) if (m[1].includes('/algorithms/')) offenders.push(`${f}: ${m[1]}`);
  }
  assert.equal(offenders, []);
  assert.match(readFileSync(new URL('start.js', dir), 'utf8'), /from '\.\.\/builtins\.js'/);
});

List('an executor resolves a built-in by identity and runs it on the workers', async () => {
  const { Executor, reduce } = await import('beatflow');
  const ex = await Executor.create({ workers: 2 });
  try {
    const a = ex.shared(Float64Array, 50_000).fill(1);
    const sum = (v, lo, hi) => { let s = 0; for (let i = lo; i < hi; i++) s += v[i]; return s; };
    assert.is(await reduce(ex, a, sum, { combine: (x, y) => x + y }), 50_000);
    assert.is(await reduce(ex, a, 'sum'), 50_000);
  } finally {
    await ex.close();
  }
});

List.run();
