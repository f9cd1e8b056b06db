// forkjoin: recursive divide and conquer through this.spawn / this.join (helping while joining), at 1
// and 2 workers, with the learning scheduler's predictive inlining on (the default) and off (the plain
// twin, `learning: false`, every child a job), each case in turn in one command, against C++ Taskflow's
// figures (anchors): fib(30) through spawn/join beside Taskflow's TaskGroup+corun (71.7 / 35.5 ns/task),
// fib(30) through subflows beside tf::Subflow (62.9 / 29.0), and skynet (10-ary) depth 7 beside 60.5 /
// 30.8 ns/task. A task is a call, inline or not, so both twins count the same tasks. One process per
// (case, workers, twin); one untimed run, then the median of 5, as Taskflow's own harness measures
// (anchors/taskflow.md: one untimed repetition, the median of 5 timed).
// Taskflow beside us: with TASKFLOW_INCLUDE set to the root of a Taskflow clone, each (case, workers)
// first runs the same program in C++ (peers/taskflow.mjs, peers/taskflow-forkjoin.cpp: every call a
// task, as here; the anchors' fib was fib(31) with one child run inline, counting the spawned ones),
// and the ratios are taken against those figures of the same command and machine: the anchors were
// measured on another. Not with --quick, whose sizes are smaller.
import { childMain, createExecutor, loadBeatflow, median, now, fmt, table, errorCell } from './lib.mjs';
import { runTaskflowCase, taskflowCase, taskflowFigure, taskflowRuns } from './peers/taskflow.mjs';
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
const TASKFLOW_KIND = { fib: 'TaskGroup+corun fib(31), one child inline, per spawned task', subflow: 'tf::Subflow fib(30)', skynet: 'TaskGroup skynet depth 7' };
/** The programs the Taskflow cases run: beatflow's own, every call a task (peers/taskflow-forkjoin.cpp). */
const TASKFLOW_RUN_KIND = { fib: 'TaskGroup+corun fib(30), both children spawned', 'fib-inline': 'fib(30) in Taskflow\'s idiom, one child inline (per call, as ours)',
  subflow: 'tf::Subflow fib(30)', skynet: 'TaskGroup skynet depth 7' };
const TARGET = 1;   // ours / Taskflow
const RUNS = 5;     // timed runs after the untimed one, as Taskflow's harness

// `beatflow:<kind>:T<n>` is the default executor (inlining on); `…:off` the same with learning: false.
// Each pair runs on, off, so the two twins see the machine at the same minutes; Taskflow's case, when
// there is one, just before them.
export const cases = ({ quick } = {}) => Object.keys(KINDS).flatMap((k) => [1, 2].flatMap((t) => [
  ...taskflowCase(k, t, quick), ...(k === 'fib' ? taskflowCase('fib-inline', t, quick) : []),
  `beatflow:${k}:T${t}`, `beatflow:${k}:T${t}:off`]));
export const timeoutS = ({ quick }) => (quick ? 30 : 180);

export async function runCase(name, opts) {
  return name.startsWith('taskflow:') ? runTaskflowCase(name, 'forkjoin', timeoutS(opts)) : runBeatflow(name, opts);
}

async function runBeatflow(name, { quick }) {
  const [, kind, t, twin] = name.split(':');
  const workers = Number(t.slice(1));
  const learning = twin !== 'off';
  await loadBeatflow();
  const ex = await createExecutor({ workers, maxTasks: 1 << 21, learning });
  const cpuMs = [];
  const once = async () => {
    const c0 = process.cpuUsage();
    const t0 = now();
    const n = quick ? 25 : 30;
    const leaves = quick ? 1e5 : 1e7;
    const r = kind === 'skynet' ? await ex.async(tasks.skynet, 0, leaves, 10) : await ex.async(kind === 'fib' ? tasks.fib : tasks.sfib, n);
    const ms = now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1e3);
    const want = kind === 'skynet' ? (leaves * (leaves - 1)) / 2 : (quick ? 75025 : 832040);
    if (r !== want) throw new Error(`${kind} returned ${r}, expected ${want}`);
    return ms;
  };
  await once();
  const count = (k) => ex.stats().workers.reduce((a, w) => a + w[k], 0);
  const inlined0 = count('inlined'), executed0 = count('executed');
  const runsMs = [];
  cpuMs.length = 0;
  for (let i = 0; i < RUNS; i++) runsMs.push(await once());
  const inlined = count('inlined') - inlined0, executed = count('executed') - executed0;
  await ex.close();
  const ms = median(runsMs);
  const n = (quick ? QUICK_TASKS : TASKS)[kind];
  return {
    kind, workers, learning, tasks: n, runsMs: runsMs.map((x) => +x.toFixed(1)), medianMs: +ms.toFixed(1),
    nsPerTask: +((ms * 1e6) / n).toFixed(1), cpuNsPerTask: +((median(cpuMs) * 1e6) / n).toFixed(1),
    inlineShare: +(inlined / (inlined + executed)).toFixed(4),
  };
}

export function report(res) {
  // Taskflow's idiom for fib beside ours through spawn/join, which inlines by prediction
  const idiom = [1, 2].map((T) => [T, res[`taskflow:fib-inline:T${T}`], res[`beatflow:fib:T${T}`]]).filter(([, tf, ours]) => tf?.ok && ours?.ok)
    .map(([T, tf, ours]) => `${(ours.result.nsPerTask / tf.result.nsPerTask).toFixed(2)}× at ${T}`);
  const rows = Object.entries(res).filter(([name]) => name.startsWith('beatflow:')).map(([name, r]) => {
    const [, kind, t, twin] = name.split(':');
    const T = Number(t.slice(1));
    const { ns: tfNs, cell: tfCell } = taskflowFigure(res, kind, t, TASKFLOW[kind][T - 1]);
    const label = twin === 'off' ? 'off' : 'on';
    if (!r.ok) return [KINDS[kind], T, label, '–', errorCell(r), '–', '–', tfCell, '–', '–', '–', r.bgCores];
    const x = r.result;
    const q = x.nsPerTask / tfNs;
    const other = res[twin === 'off' ? `beatflow:${kind}:${t}` : `beatflow:${kind}:${t}:off`];
    const speedup = twin !== 'off' && other?.ok ? `${(other.result.nsPerTask / x.nsPerTask).toFixed(2)}×` : '–';
    return [KINDS[kind], T, label, x.tasks, `${fmt(x.medianMs)} ms`, fmt(x.nsPerTask), fmt(x.cpuNsPerTask), tfCell,
      `${q.toFixed(2)}×${q <= TARGET ? ' (met)' : ' (not met)'}`, speedup, `${(100 * x.inlineShare).toFixed(1)} %`, r.bgCores];
  });
  return [
    `## forkjoin: recursive divide and conquer through spawn/join, median of ${RUNS} after an untimed run, predictive inlining on and off`,
    '',
    table(['case', 'T', 'inlining', 'tasks', 'median', '**ns/task**', 'CPU ns/task', 'Taskflow ns/task', 'ours / Taskflow', 'off / on', 'run inline', 'bg cores'], rows),
    '',
    taskflowRuns(res, (k) => TASKFLOW_RUN_KIND[k], errorCell) + (idiom.length > 0 ? `Ours through spawn/join over Taskflow's fib idiom: ${idiom.join(', ')}. ` : '') +
      `Anchors: taskflow.md §1 (another machine) — ${Object.values(TASKFLOW_KIND).join('; ')}. `,
    `Target ≤ ${TARGET}×. "off": learning: false ` +
      '(every child a job); "off / on": the plain twin\'s ns/task over the inlining one\'s, same command; ' +
      '"run inline": the share of the calls that ran inline (the rest were jobs). "CPU ns/task": the process\'s ' +
      'CPU time over the same runs (every thread: at 2 workers it counts both, searching included), which ' +
      'other processes\' load does not inflate as it does wall time.',
  ].join('\n');
}

childMain(import.meta.url, runCase);
