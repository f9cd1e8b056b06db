// Threads for test/helpers/graph-loop.mjs: the real worker loop (next() / finish()) over runs laid out
// by hand. The k-th task started (k counted over all threads) is recorded in order[k]; it may cancel
// the run or fail, as the host set in ctl before starting the run. Ends on SHUTDOWN.
import { serve } from './thread.mjs';

// ctl indices and modes, mirrored in graph-loop.mjs
const STARTED = 0, MODE = 1, STOP_AT = 2, RUN = 3, FAILS = 4;
const CANCEL = 1, FAIL = 2;
const FAILING = 3;   // in FAIL mode, the tasks started stopAt … stopAt + FAILING - 1 fail

serve((msg, { x, data }) => {
  const { ctl, counts, order } = data;
  const w = msg.w;
  let ran = 0;
  let t = x.next(w);
  while (t >= 0) {
    const k = Atomics.add(ctl, STARTED, 1);
    order[k] = t;
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
