// A condition task that runs while its worker helps inside a join (src/worker/join.ts runNested), choosing
// more successors than the worker's first choice buffer holds (64): the buffer is replaced, and finish
// must be handed the new one. With one worker, a subflow's tasks all run nested in the joining task.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import { within } from './helpers/executor.mjs';

const Wide = suite('condition tasks while helping');

Wide.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1 }); });
Wide.after(async (ctx) => { await ctx.ex.close(); });

for (const n of [3, 64, 65, 100, 300]) {
  Wide(`a subflow condition choosing all of ${n} successors runs each once`, async ({ ex }) => {
    const hits = ex.shared(Int32Array, n);
    const joined = await within(ex.async(function (c, k) {
      const sf = this.subflow('wide');
      const pick = sf.condition(function (m) { return Array.from({ length: m }, (_, i) => i); }).args(k);
      const outs = [];
      for (let i = 0; i < k; i++) outs.push(sf.emplace(function (arr, j) { Atomics.add(arr, j, 1); return j; }).args(c, i));
      pick.precede(...outs);
      const results = sf.join();
      return results.length;
    }, hits, n), 20_000, `wide ${n}`);
    assert.is(joined, n + 1, 'the condition and every successor');
    assert.equal([...hits], Array(n).fill(1), 'each successor ran once');
  });
}

Wide.run();
