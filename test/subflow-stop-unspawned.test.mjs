// A fork-join that throws before its join (here: an argument that cannot cross, found after a job was
// spawned: for a job, or, learning on and `other` predicted short, for a child run inline) leaves that
// job running. A job of a fork-join failing on another worker marks its spawner
// (src/worker/fork-stop.ts); once the task caught the throw, that mark must not stop the task's next
// subflow, whose tasks all succeed. The job's failure is still the task's, when it ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as t from './fixtures/fork-stop-unspawned.mjs';
import { predictShort } from './helpers/predict.mjs';
import { within, rejection, retired } from './helpers/executor.mjs';

const module = new URL('./fixtures/fork-stop-unspawned.mjs', import.meta.url);


for (const [workers, learning] of [[1, false], [3, false], [3, true]]) {
  test(`a fork-join that threw before its join stops no later subflow of its task (${workers} worker${workers === 1 ? '' : 's'}, learning ${learning ? 'on' : 'off'})`, async () => {
    const ex = await Executor.create({ workers, module, learning });
    try {
      if (learning) await predictShort(ex, t.fib, ['other']);
      for (let i = 0; i < 4; i++) {
        const gate = ex.shared(Int32Array, t.GATE_WORDS);
        const e = await within(rejection(ex.async(t.twoSubflows, gate)), 20_000, `try ${i}`);
        const g = [...gate];
        ex.free(gate);
        assert.is(g[t.SAW], 0, `no job of the second subflow saw ctx.cancelled (gate ${g})`);
        assert.is(g[t.RESULT], 1, `the second subflow's join gave its values (gate ${g})`);
        if (g[t.STARTED] !== 0) {
          assert.instance(e, RangeError, 'the first job\'s failure is the task\'s');
          assert.is(e.message, 'leftover failed');
        }
      }
      await retired(ex);
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}

test.run();
