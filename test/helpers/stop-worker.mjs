// Threads for test/stopped-runs-core.test.mjs: the real worker loop (next() / finish()) over a run laid
// out by hand. Each task run bumps counts[t]; the k-th task started (k counted over all threads) may
// cancel the run or fail, as the host set in ctl before starting the run. Ends on SHUTDOWN.
import { serve } from './thread.mjs';

// ctl indices, mirrored in test/stopped-runs-core.test.mjs
const STARTED = 0, MODE = 1, STOP_AT = 2, RUN = 3, FAILS = 4;
const CANCEL = 1, FAIL = 2;
const FAILING = 3;   // in FAIL mode, tasks stopAt … stopAt + FAILING - 1 (by start order) fail

serve((msg, { x, data }) => {
  const { ctl, counts } = data;
  const w = msg.w;
  let ran = 0;
  let t = x.next(w);
  while (t >= 0) {
    const k = Atomics.add(ctl, STARTED, 1);
    Atomics.add(counts, t, 1);
    ran++;
    const mode = Atomics.load(ctl, MODE), at = Atomics.load(ctl, STOP_AT);
    let failed = 0;
    if (mode === CANCEL && k === at) x.runCancel(Atomics.load(ctl, RUN));
    if (mode === FAIL && k >= at && k < at + FAILING) { failed = 1; Atomics.add(ctl, FAILS, 1); }
    t = x.finish(w, t, failed, 0, 0);
  }
  return { last: t, ran };
});
