// A subflow of independent tasks whose failing task runs on a worker other than the one joining it
// (stolen, or a job while its siblings run inline): the failure stops the subflow as it stops the same
// subflow laid out (src/worker/fork-stop.ts). Its tasks not started yet are skipped, those running see
// ctx.cancelled, and the join throws that failure. No timing: the failing task fails only once a
// sibling runs on the joining task's worker, and every other task waits until it sees ctx.cancelled
// (fixtures/fork-stop-tasks.mjs), so a worker's second task is one it took after the stop: none may start.
// At 1, 2 and 4 workers, learning on (the siblings predicted short: inline) and off (jobs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as t from './fixtures/fork-stop-tasks.mjs';
import { predictShort } from './helpers/predict.mjs';
import { within, retired } from './helpers/executor.mjs';

const module = new URL('./fixtures/fork-stop-tasks.mjs', import.meta.url);


/** Runs the subflow of n members, with an edge (laid out) or without (fork-join): its outcome, the tasks that started and the gate's words. */
async function stopping(ex, n, edge, alone) {
  const log = ex.shared(Int32Array, n + 1), gate = ex.shared(Int32Array, t.GATE_WORDS);
  const r = await within(ex.async(t.stopping, log, gate, n, edge, alone), 30_000, `n ${n}, edge ${edge}`);
  const out = { ...r, ran: [...log.subarray(1, 1 + log[0])], gate: [...gate] };
  ex.free(log);
  ex.free(gate);
  return out;
}

for (const workers of [1, 2, 4]) {
  for (const learning of [true, false]) {
    const S = suite(`a failure elsewhere stops a subflow (${workers} worker${workers === 1 ? '' : 's'}, learning ${learning ? 'on' : 'off'})`);
    S.before(async (ctx) => {
      ctx.ex = await Executor.create({ workers, module, learning });
      if (learning) await predictShort(ctx.ex, t.fib, ['member']);
    });
    S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

    S('no task starts after the stop; those running see ctx.cancelled; the join throws the failure, fork-join as laid out', async ({ ex }) => {
      const alone = workers === 1;
      for (const n of [6, 12, 24, 48]) {
        for (const edge of [false, true]) {
          const how = `n ${n}, ${edge ? 'laid out' : 'fork-join'}`;
          const r = await stopping(ex, n, edge, alone);
          assert.is(new Set(r.ran).size, r.ran.length, `${how}: none ran twice (${r.ran})`);
          assert.is(r.error?.cls, 'RangeError', `${how}: ${JSON.stringify(r)}`);
          assert.match(r.error.message, /^failed \d+$/, how);
          assert.is(r.error.suppressed, undefined, `${how}: one failure`);
          if (alone) continue;
          assert.is(r.gate[t.GAVE_UP], 0, `${how}: every waiting task saw ctx.cancelled (ran ${r.ran})`);
          const perWorker = r.gate.slice(t.STARTED_ON, t.STARTED_ON + workers);
          assert.ok(perWorker.every((k) => k <= 1), `${how}: no worker started a task after the stop (tasks per worker ${perWorker}, ran ${r.ran})`);
          assert.ok(r.ran.length >= 2 && r.ran.length <= workers, `${how}: one task a worker at most started (ran ${r.ran})`);
          assert.is(r.gate[t.SAW], r.ran.length - 1, `${how}: all but the failing one saw ctx.cancelled`);
        }
      }
      if (learning) assert.ok(ex.stats().workers.reduce((a, w) => a + w.inlined, 0) > 0, 'members ran inline');
      await retired(ex);
    });

    S('a failing child of ctx.spawn stops none of its siblings', async ({ ex }) => {
      for (const n of [6, 24]) {
        const log = ex.shared(Int32Array, n + 1), gate = ex.shared(Int32Array, t.GATE_WORDS);
        const failed = await within(ex.async(t.spawning, log, gate, n), 30_000, `n ${n}`);
        const ran = [...log.subarray(1, 1 + log[0])].sort((a, b) => a - b);
        assert.equal(ran, [...Array(n).keys()], `n ${n}: every child ran once`);
        assert.ok(failed <= 1, `n ${n}`);
        ex.free(log);
        ex.free(gate);
      }
      await retired(ex);
    });

    S.run();
  }
}
