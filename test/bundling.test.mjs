// What a user who bundles the package wrongly sees: an error naming the file that did not ship and what
// to do, not a blame on their task module. Simulated with copies of build/ that lack a file (under
// build/, so the copies still resolve the package's dependencies from node_modules).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { within, rejection } from './helpers/executor.mjs';

const build = fileURLToPath(new URL('../build/', import.meta.url));
const scratch = join(build, 'bundle-test');

/** A copy of build/src (and core.wasm unless `core` is false) with `drop` (paths under src/) removed; its root URL. */
function copyBuild(name, { core = true, drop = [] } = {}) {
  const dir = join(scratch, `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(build, 'src'), join(dir, 'src'), { recursive: true });
  if (core) cpSync(join(build, 'core.wasm'), join(dir, 'core.wasm'));
  for (const p of drop) rmSync(join(dir, 'src', p));
  return pathToFileURL(dir + '/');
}

// ---

const Core = suite('core.wasm left behind');

Core.after(() => rmSync(scratch, { recursive: true, force: true }));

Core('compileCore names the URL it read and says how to ship the file', async () => {
  const root = copyBuild('no-core', { core: false });
  const { compileCore } = await import(new URL('src/engine/memory.js', root).href);
  const e = await rejection(compileCore());
  assert.ok(e.message.includes(new URL('core.wasm', root).href), e.message);
  assert.match(e.message, /could not be read/);
  assert.match(e.message, /mark beatflow as external, or copy build\/core\.wasm/);
  assert.ok(e.cause, 'the read error is kept as the cause');
  // Not cached: a later call tries again (and fails again here).
  assert.match((await rejection(compileCore())).message, /could not be read/);
});

Core('Executor.create fails with the same message', async () => {
  const root = copyBuild('no-core-ex', { core: false });
  const { Executor } = await import(new URL('src/index.js', root).href);
  const e = await rejection(within(Executor.create({ workers: 1 }), 10_000, 'create'));
  assert.match(e.message, /WebAssembly core .*core\.wasm could not be read/);
});

Core.run();

// ---

const Entry = suite('worker entry left behind');

Entry.after(() => rmSync(scratch, { recursive: true, force: true }));

Entry('a missing build/src/worker/main.js: the worker entry is named, not the task module', async () => {
  const root = copyBuild('no-entry', { drop: ['worker/main.js'] });
  const { Executor } = await import(new URL('src/index.js', root).href);
  const module = new URL('./fixtures/tasks.mjs', import.meta.url);
  const e = await rejection(within(Executor.create({ workers: 1, module }), 10_000, 'create'));
  assert.ok(e.message.includes(new URL('src/worker/main.js', root).href), e.message);
  assert.match(e.message, /worker entry .* could not be started: .*Cannot find module/);
  assert.match(e.message, /mark beatflow as external/);
  assert.not.match(e.message, /task module/);
});

Entry('a file the worker entry imports is missing: still the worker entry', async () => {
  const root = copyBuild('no-run', { drop: ['worker/run.js'] });
  const { Executor } = await import(new URL('src/index.js', root).href);
  const e = await rejection(within(Executor.create({ workers: 1 }), 10_000, 'create'));
  assert.match(e.message, /worker entry .*worker\/main\.js could not be started: .*run\.js/);
});

Entry('a task module that fails in the worker is still blamed on the module', async () => {
  const { Executor } = await import('beatflow');
  const url = new URL('./fixtures/bad-module.mjs', import.meta.url);
  const e = await rejection(within(Executor.create({ workers: 1, module: url }), 10_000, 'create'));
  assert.match(e.message, /task module .*bad-module\.mjs failed to load in a worker: module load failure on purpose/);
});

Entry.run();
