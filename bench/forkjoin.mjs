// forkjoin: recursive divide and conquer through this.spawn / this.join (helping while joining), at 1
// and 2 workers, against C++ Taskflow's figures (anchors): fib(30) through spawn/join beside Taskflow's
// TaskGroup+corun (71.7 / 35.5 ns/task), fib(30) through subflows beside tf::Subflow (62.9 / 29.0), and
// skynet (10-ary) depth 7 beside 60.5 / 30.8 ns/task. One process per (case, workers); one untimed run,
// then the median of 3.
import { childMain, createExecutor, loadBeatflow, median, now, fmt, table, errorCell } from './lib.mjs';
import * as tasks from './tasks.mjs';

const KINDS = {
  fib: 'fib(30) through spawn/join (--quick: fib(25))',
  subflow: 'fib(30) through subflows (--quick: fib(25))',
  skynet: 'skynet, depth 7, 10-ary spawn/join (--quick: depth 5)',
};
// Every call is a task: fib(n) makes 2·fib(n+1) − 1 calls; skynet depth d makes (10^(d+1) − 1) / 9.
const TASKS = { fib: 2692537, subflow: 2692537, skynet: 11111111 };
const QUICK_TASKS = { fib: 242785, subflow: 242785, skynet: 111111 };
const TASKFLOW = { fib: [71.7, 35.5], subflow: [62.9, 29.0], skynet: [60.5, 30.8] };
const TASKFLOW_KIND = { fib: 'TaskGroup+corun fib(31)', subflow: 'tf::Subflow fib(30)', skynet: 'TaskGroup skynet depth 7' };

export const cases = () => Object.keys(KINDS).flatMap((k) => [`beatflow:${k}:T1`, `beatflow:${k}:T2`]);
export const timeoutS = ({ quick }) => (quick ? 30 : 180);

export async function runCase(name, { quick }) {
  const [, kind, t] = name.split(':');
  const workers = Number(t.slice(1));
  await loadBeatflow();
  const ex = await createExecutor({ workers, maxTasks: 1 << 21 });
  const once = async () => {
    const t0 = now();
    const n = quick ? 25 : 30;
    const leaves = quick ? 1e5 : 1e7;
    const r = kind === 'skynet' ? await ex.async(tasks.skynet, 0, leaves, 10) : await ex.async(kind === 'fib' ? tasks.fib : tasks.sfib, n);
    const ms = now() - t0;
    const want = kind === 'skynet' ? (leaves * (leaves - 1)) / 2 : (quick ? 75025 : 832040);
    if (r !== want) throw new Error(`${kind} returned ${r}, expected ${want}`);
    return ms;
  };
  await once();
  const runsMs = [];
  for (let i = 0; i < 3; i++) runsMs.push(await once());
  await ex.close();
  const ms = median(runsMs);
  const n = (quick ? QUICK_TASKS : TASKS)[kind];
  return { kind, workers, tasks: n, runsMs: runsMs.map((x) => +x.toFixed(1)), medianMs: +ms.toFixed(1), nsPerTask: +((ms * 1e6) / n).toFixed(1) };
}

export function report(res) {
  const rows = Object.entries(res).map(([name, r]) => {
    const [, kind, t] = name.split(':');
    const T = Number(t.slice(1));
    const tfNs = TASKFLOW[kind][T - 1];
    if (!r.ok) return [KINDS[kind], T, '–', errorCell(r), '–', tfNs, '–', r.bgCores];
    const x = r.result;
    const q = x.nsPerTask / tfNs;
    return [KINDS[kind], T, x.tasks, `${fmt(x.medianMs)} ms`, fmt(x.nsPerTask), tfNs, `${q.toFixed(2)}×${q <= 4 ? ' (met)' : ' (not met)'}`, r.bgCores];
  });
  return [
    '## forkjoin: recursive divide and conquer through spawn/join, median of 3',
    '',
    table(['case', 'T', 'tasks', 'median', '**ns/task**', 'Taskflow ns/task', 'ours / Taskflow', 'bg cores'], rows),
    '',
    `Taskflow: taskflow.md §1 — ${Object.values(TASKFLOW_KIND).join('; ')}. Target ≤ 4×.`,
  ].join('\n');
}

childMain(import.meta.url, runCase);
