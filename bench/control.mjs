// control: what scheduling control costs and how fast it acts (issue 5's figures), 2 workers.
//   priority        100k no-op tasks per burst: executor.async (the tiny bench's path) while no priority was
//                   used; then asyncAt at mixed priorities (the four core queues in use) in turns with async;
//                   then submit() at normal and mixed priorities. Median of 9 bursts each; ratios to the
//                   first async.
//   cancel-latency  a task spins on this.cancelled; the host cancels its token and the task notes when it
//                   saw the flag: cancel → observed, in µs (median and p90 over 200 cancels).
import { childMain, createExecutor, loadBeatflow, median, percentile, now, fmt, table, errorCell } from './lib.mjs';
import * as tasks from './tasks.mjs';

export const cases = () => ['beatflow:priority', 'beatflow:cancel-latency'];
export const timeoutS = ({ quick }) => (quick ? 30 : 120);
const LEVELS = ['critical', 'high', 'normal', 'low'];

export async function runCase(name, { quick }) {
  const kind = name.split(':')[1];
  const { CancellationToken } = await loadBeatflow();
  const ex = await createExecutor({ workers: 2, maxTasks: 1 << 21 });
  try {
    if (kind === 'priority') {
      const n = quick ? 10_000 : 100_000;
      const paths = {
        async: () => ex.async(tasks.noop),
        asyncAtMixed: (i) => ex.asyncAt(LEVELS[i & 3], tasks.noop),
        submitNormal: () => ex.submit(tasks.noop),
        submitMixed: (i) => ex.submit(tasks.noop, [], { priority: LEVELS[i & 3] }),
      };
      const burst = async (f) => {
        const t0 = now();
        const ps = new Array(n);
        for (let i = 0; i < n; i++) ps[i] = f(i);
        await Promise.all(ps);
        return (n / (now() - t0)) * 1e3;
      };
      const rates = { async: [], asyncAtMixed: [], asyncAfter: [], submitNormal: [], submitMixed: [] };
      const rounds = quick ? 2 : 9;
      await burst(paths.async);
      for (let r = 0; r < rounds; r++) rates.async.push(await burst(paths.async));   // no priority used yet: one queue
      await burst(paths.asyncAtMixed);
      for (let r = 0; r < rounds; r++) {   // the four queues in use from here on
        rates.asyncAtMixed.push(await burst(paths.asyncAtMixed));
        rates.asyncAfter.push(await burst(paths.async));
      }
      for (let r = 0; r < rounds; r++) {   // last: submit() allocates a job and a handle per task
        rates.submitNormal.push(await burst(paths.submitNormal));
        rates.submitMixed.push(await burst(paths.submitMixed));
      }
      return { n, tasksPerS: Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Math.round(median(v))])) };
    }
    const us = [];
    const flag = ex.shared(Int32Array, 1);
    for (let i = 0; i < (quick ? 30 : 200); i++) {
      const token = new CancellationToken();
      flag[0] = 0;
      const p = ex.submit(tasks.untilCancelled, [flag], { token });
      while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 0));   // running: a cancel now is seen, not a withdrawal
      const at = performance.timeOrigin + now();
      token.cancel();
      us.push((await p - at) * 1000);
    }
    return { cancels: us.length, medianUs: +median(us).toFixed(1), p90Us: +percentile(us, 90).toFixed(1) };
  } finally {
    await ex.close();
  }
}

export function report(res) {
  const rows = [];
  const pr = res['beatflow:priority'];
  if (pr && !pr.ok) rows.push(['priority', errorCell(pr), '–', '–', pr.bgCores]);
  else if (pr) {
    const r = pr.result.tasksPerS;
    const row = (label, k, base) => [label, fmt(r[k]), base ? `${((1 - r[k] / r[base]) * 100).toFixed(1)} %` : '–', base ?? '–', pr.bgCores];
    rows.push(row('executor.async (the tiny bench), first phase (before any priority is used)', 'async'));
    rows.push(row('executor.async, in turns with asyncAt (4 queues on)', 'asyncAfter'));
    rows.push(row('**executor.asyncAt, mixed priorities (4 queues)**', 'asyncAtMixed', 'asyncAfter'));
    rows.push(row('submit() (handle: cancel, reprioritize), normal', 'submitNormal', 'asyncAfter'));
    rows.push(row('submit(), mixed priorities', 'submitMixed', 'asyncAfter'));
  }
  const cl = res['beatflow:cancel-latency'];
  const latency = !cl ? '' : cl.ok
    ? `Cancellation latency (token.cancel() → a running task sees this.cancelled), ${cl.result.cancels} cancels: median ${fmt(cl.result.medianUs)} µs, p90 ${fmt(cl.result.p90Us)} µs (bg cores ${cl.bgCores}).`
    : `Cancellation latency: ${errorCell(cl)}`;
  return [
    '## control: cost of priorities on tiny tasks (2 workers, median of 9 bursts, in turns) and cancellation latency',
    '',
    rows.length ? table(['path', 'tasks/s', 'slower by', 'than', 'bg cores'], rows) : '',
    '',
    pr?.ok ? `Priorities cost ${((1 - pr.result.tasksPerS.asyncAtMixed / pr.result.tasksPerS.asyncAfter) * 100).toFixed(1)} % on tiny tasks (asyncAt at mixed levels vs async, in turns; target ≤ 10 %: ${pr.result.tasksPerS.asyncAtMixed / pr.result.tasksPerS.asyncAfter >= 0.9 ? 'met' : 'NOT met'}). submit() pays for its handle (a job record, two closures), not for the priority.` : '',
    '',
    latency,
  ].join('\n');
}

childMain(import.meta.url, runCase);
