// The workerd lane's worker (test/lane-workerd.test.mjs bundles it with esbuild, as wrangler would). `/`
// runs the conformance subset on an executor of its own, single-threaded, with the core embedded as a
// wasm module and the task module bundled in, and answers with the counts. `/extras` answers with what
// is particular to workerd: the errors for a core that is missing, bytes it cannot compile or a module
// that is not the core (`empty.wasm`, embedded by the lane), inline tasks that close over different
// values, and threads asked for where there are none.
import * as bf from 'beatflow';
import core from 'beatflow/core.wasm';
import empty from './empty.wasm';
import * as tasks from './tasks.js';
import { conformance } from './suite.js';

const { Executor } = bf;
const message = (p) => p.then(() => 'resolved', (e) => `${e?.name}: ${e?.message}`);

async function extras() {
  const noWasm = await message(Executor.create({ workers: 0 }));
  const bytes = await message(Executor.create({ workers: 0, wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }));
  const notCore = await message(Executor.create({ workers: 0, wasm: empty }));
  const ex = await Executor.create({ workers: 4, wasm: core, module: tasks });
  try {
    const adder = (k) => (x) => x + k;   // one source, two closures: each runs as itself
    const closures = await Promise.all([ex.async(adder(1), 1), ex.async(adder(2), 1)]);
    return { noWasm, bytes, notCore, closures, workers: ex.workers, single: ex.singleThreaded, fib: await ex.async(tasks.fib, 15) };
  } finally {
    await ex.close();
  }
}

export default {
  async fetch(request) {
    try {
      if (new URL(request.url).pathname === '/extras') return Response.json(await extras());
      let single;
      const r = await conformance(bf, { tasks, options: { wasm: core }, workers: 0, created: (ex) => { single = ex.singleThreaded; } });
      return Response.json({ ...r, single });
    } catch (e) {
      return Response.json({ error: `${e?.name}: ${e?.message}\n${e?.stack}` }, { status: 500 });
    }
  },
};
