// Run by test/single-thread-edge.test.mjs in a child process, usually under
// --disallow-code-generation-from-strings: beatflow with the workerd adapter installed, as it runs in a
// workerd worker (no threads, waits that poll, no source compiled), short of workerd itself. Prints one
// JSON line: the conformance subset's counts, what inline closures returned (or the error they raised),
// and whether this process compiles source.
import * as bf from 'beatflow';
import { usePlatform } from '../../build/src/platform/current.js';
import { platform } from '../../build/src/platform/workerd.js';
import { compilesSource } from '../../build/src/engine/functions.js';
import { conformance } from '../conformance/suite.js';
import * as tasks from '../conformance/tasks.js';

usePlatform(platform);
const wasm = await WebAssembly.compile(await (await import('node:fs/promises')).readFile(new URL(import.meta.resolve('beatflow/core.wasm'))));
const r = await conformance(bf, { tasks, options: { wasm }, workers: 0 });
const ex = await bf.Executor.create({ workers: 0, wasm, module: tasks });
const outcome = (p) => p.then((v) => v, (e) => e.message);
let closures, spawned;
try {
  const adder = (k) => (x) => x + k;
  closures = await outcome(Promise.all([1, 2, 3].map((k) => ex.async(adder(k), 10))));
  spawned = await outcome(ex.async(function (n) {
    const scale = (k) => (x) => x * k;   // children spawned as closures: one source, three objects
    return this.join([1, 2, 3].map((k) => this.spawn(scale(k), n)));
  }, 5));
} finally {
  await ex.close();
}
console.log(JSON.stringify({ ...r, closures, spawned, compiles: compilesSource() }));
