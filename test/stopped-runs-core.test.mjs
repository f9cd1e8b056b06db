// The core's side of stopped runs (assembly/README.md, Sleep: exploit): the real worker loop on 1, 2
// and 4 threads runs graphs laid out by hand, and one task cancels the run, or several fail, part way
// through. Every run must end (its RUN_BIT entry on the completion ring, once) and every task must be
// retired exactly once: run, or skipped, never both, never neither. Over growing sizes, independent
// tasks and chains, each stop point early and late, with thieves (helpers/graph-loop.mjs checks).
import { suite } from 'uvu';
import { growing, SCALE } from './helpers/core.mjs';
import { GraphLoop, NO_STOP, CANCEL, FAIL, NORMAL } from './helpers/graph-loop.mjs';
import * as assert from 'uvu/assert';

const TASK_LOG2 = 11;
const MAX = Math.min(1 << TASK_LOG2, Math.max(364, Math.round(1500 * SCALE)));

/** Chains of len tasks (len 1: independent tasks): i → i + 1 within a chain. */
const chains = (n, len) => (i) => (i % len !== len - 1 && i + 1 < n ? [i + 1] : []);

for (const workers of [1, 2, 4]) {
  const S = suite(`core: stopped runs end, every task retired once (${workers} thread${workers > 1 ? 's' : ''})`);
  S('cancelled and failing runs over growing sizes, independent tasks and chains', async () => {
    const loop = await GraphLoop.start(workers, TASK_LOG2);
    try {
      let rounds = 0, stoppedEarly = 0, skippedEarly = 0;
      for (const n of growing(MAX)) {
        for (const len of [1, 4]) {
          for (const [mode, at] of [[NO_STOP, 0], [CANCEL, 0], [CANCEL, n >> 1], [FAIL, 0], [FAIL, n >> 1]]) {
            const label = `n=${n}, chains of ${len}, ${['no stop', 'cancel', 'fail'][mode]} at ${at}`;
            const { skipped } = await loop.run(n, chains(n, len), () => NORMAL, mode, at, label);
            // A stop at the first task skips the rest on one thread. With thieves, the task that stops the
            // run can be stolen, preempted and run last, after all the others (nothing left to skip), so
            // there the claim is over all rounds: stops at the first task skip work.
            if (mode !== NO_STOP && at === 0 && n > 4) {
              if (workers === 1) assert.ok(skipped > 0, `${label}: something was skipped`);
              stoppedEarly++;
              if (skipped > 0) skippedEarly++;
            }
            rounds++;
          }
        }
      }
      assert.ok(rounds >= 40, `${rounds} rounds`);
      assert.ok(skippedEarly > stoppedEarly / 2, `${skippedEarly} of ${stoppedEarly} runs stopped at their first task skipped something`);
    } finally {
      await loop.stop();
    }
  });
  S.run();
}
