// Embedding (docs/platforms.md, "The embeddable core" and "Bundlers"): the core passed as options.wasm in
// each of its forms and refused when it is not beatflow's; the task module as a namespace, single-threaded
// only; the workers' script named by options.workerUrl. Threads at 1 and 2 workers where they run.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Executor } from 'beatflow';
import { missingExports } from '../build/src/engine/core-source.js';
import { fixtures, rejection, within } from './helpers/executor.mjs';
import * as tasks from './fixtures/tasks.mjs';

const coreUrl = new URL(import.meta.resolve('beatflow/core.wasm'));
const bytes = readFileSync(coreUrl);
const EMPTY = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);   // a valid module with nothing in it

/** Creates an executor with `opts`, runs fib(15) and add on it, closes it; resolves to their results. */
async function runs(opts) {
  const ex = await within(Executor.create({ module: fixtures, ...opts }), 20_000, 'create');
  try {
    return [await ex.async(tasks.fib, 15), await ex.async((a, b) => a + b, 2, 3)];
  } finally {
    await ex.close();
  }
}

// ---
const Wasm = suite('options.wasm');

Wasm('the package exports build/core.wasm, and it has every function the host calls', () => {
  assert.is(fileURLToPath(coreUrl), fileURLToPath(new URL('../build/core.wasm', import.meta.url)));
  assert.equal(missingExports(new WebAssembly.Module(bytes)), []);
});

for (const workers of [1, 2]) {
  Wasm(`a Module, bytes, an ArrayBuffer, a DataView, a URL and a path all run tasks (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
    const module = await WebAssembly.compile(bytes);
    const forms = {
      module, bytes: new Uint8Array(bytes), buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), url: coreUrl, path: fileURLToPath(coreUrl),
    };
    for (const [form, wasm] of Object.entries(forms)) assert.equal(await runs({ workers, wasm }), [610, 5], form);
  });
}

Wasm('one compiled Module serves several executors at once, single-threaded ones included', async () => {
  const wasm = await WebAssembly.compile(bytes);
  const all = await Promise.all([runs({ workers: 2, wasm }), runs({ workers: 0, wasm }), runs({ workers: 1, wasm })]);
  assert.equal(all, [[610, 5], [610, 5], [610, 5]]);
});

Wasm('a module that is not the core is refused before anything runs, naming what it lacks', async () => {
  const e = await rejection(Executor.create({ workers: 1, wasm: await WebAssembly.compile(EMPTY) }));
  assert.instance(e, TypeError);
  assert.match(e.message, /^beatflow: options\.wasm is not beatflow's WebAssembly core: it lacks layoutSize, configure, setSpin, setLinger, setHostBusy and \d+ more\. Pass build\/core\.wasm of this beatflow version \('beatflow\/core\.wasm'\)$/);
  const bytesToo = await rejection(Executor.create({ workers: 0, wasm: EMPTY }));
  assert.match(bytesToo.message, /options\.wasm is not beatflow's WebAssembly core/, 'bytes are checked once compiled');
});

Wasm('bytes that are not WebAssembly, a promise, a missing file: each error names what to do', async () => {
  const junk = await rejection(Executor.create({ workers: 0, wasm: new Uint8Array([1, 2, 3, 4]) }));
  assert.match(junk.message, /^beatflow: options\.wasm could not be compiled: /);
  assert.not.match(junk.message, /compiles no WebAssembly at run time/, 'only where the runtime refuses to compile');
  assert.ok(junk.cause, 'the compile error is kept as the cause');
  const promise = await rejection(Executor.create({ workers: 0, wasm: WebAssembly.compile(bytes) }));
  assert.instance(promise, TypeError);
  assert.match(promise.message, /options\.wasm must be a WebAssembly\.Module, the bytes of build\/core\.wasm .* \(got /);
  const missing = new URL('./no-such-core.wasm', import.meta.url);
  const gone = await rejection(Executor.create({ workers: 0, wasm: missing }));
  assert.ok(gone.message.includes(`the WebAssembly core ${missing.href} could not be read`), gone.message);
  assert.match(gone.message, /or pass it as options\.wasm/);
});

Wasm.run();

// ---
const Namespace = suite('options.module as a module namespace');

Namespace('single-threaded: exports run by name, spawned children too, inline tasks beside them', async () => {
  const ex = await Executor.create({ workers: 0, module: tasks });
  try {
    assert.equal(await Promise.all([ex.async(tasks.fib, 15), ex.async(tasks.add, 2, 3), ex.async((x) => x * 2, 21)]), [610, 5, 42]);
  } finally {
    await ex.close();
  }
});

Namespace('with threads it is refused, saying to pass the URL or workers: 0', async () => {
  for (const workers of [1, 2]) {
    const e = await rejection(Executor.create({ workers, module: tasks }));
    assert.instance(e, TypeError);
    assert.match(e.message, /options\.module is a module namespace, which worker threads cannot import: pass the module's URL .*or workers: 0/);
  }
});

Namespace.run();

// ---
const WorkerUrl = suite('options.workerUrl');

WorkerUrl('threads start on the script it names: the node worker entry of beatflow/worker', async () => {
  const workerUrl = new URL('../build/src/entries/worker-node.js', import.meta.url);
  for (const workers of [1, 2]) assert.equal(await runs({ workers, workerUrl }), [610, 5], `${workers} workers`);
  assert.equal(await runs({ workers: 1, workerUrl: fileURLToPath(workerUrl) }), [610, 5], 'a path');
});

WorkerUrl('a script that does not load is named in the error, not the task module', async () => {
  const workerUrl = new URL('./no-such-worker.js', import.meta.url);
  const e = await rejection(within(Executor.create({ workers: 1, module: fixtures, workerUrl }), 20_000, 'create'));
  assert.ok(e.message.includes(`the worker entry ${workerUrl.href} could not be started`), e.message);
  assert.match(e.message, /pass its URL as options\.workerUrl/);
});

WorkerUrl.run();
