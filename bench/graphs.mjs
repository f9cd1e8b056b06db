// graphs: beatflow static task graphs at 1 and 2 workers, against C++ Taskflow (anchors).
// Build the graph once (untimed, but reported), run it once (lays it out; reported), then time
// 5 re-runs: median ms/run → ns/task. Task bodies are empty (tasks.noop). One process per
// (shape, workers) case. With TASKFLOW_INCLUDE set to the root of a Taskflow clone, each (shape,
// workers) first runs the same graph in C++ (peers/taskflow-graphs.cpp, the same method), and the
// ratios divide by that figure of the same command and machine instead of the anchors'.
import { childMain, createExecutor, loadBeatflow, median, now, fmt, table, errorCell } from './lib.mjs';
import { runTaskflowCase, taskflowCase, taskflowFigure, taskflowRuns } from './peers/taskflow.mjs';
import * as tasks from './tasks.mjs';

const SHAPES = {
  chain: 'linear chain (i → i+1)',
  tree: 'binary tree (i → 2i+1, 2i+2)',
  wavefront: 'wavefront (right + down)',
  empty: 'independent, no edges',
};
// taskflow.md §1 "run ns/task", T=1 / T=2 (2^22 tasks, 2048² wavefront, idle machine).
const TASKFLOW = { chain: [22.2, 22.0], tree: [40.9, 63.4], wavefront: [47.5, 38.2], empty: [31.7, 61.7] };
const TARGET = 4; // ≤ 4× Taskflow

export const cases = ({ quick } = {}) => Object.keys(SHAPES).flatMap((s) => [1, 2].flatMap((t) => [...taskflowCase(s, t, quick), `beatflow:${s}:T${t}`]));
export const timeoutS = ({ quick }) => (quick ? 30 : 180);

// emplace n noop tasks. Arguments are spread in chunks: 2^20 arguments in one call overflow
// V8's stack. emplace returns one handle for one fn, an array for several.
const CHUNK = 4096;
function emplaceN(tf, n) {
  const out = [];
  for (let i = 0; i < n; i += CHUNK) {
    const k = Math.min(CHUNK, n - i);
    const got = tf.emplace(...new Array(k).fill(tasks.noop));
    if (k === 1) out.push(got);
    else for (const t of got) out.push(t);
  }
  if (out.length !== n) throw new Error(`emplace returned ${out.length} handles for ${n} tasks`);
  return out;
}

function build(Taskflow, shape, log2) {
  const tf = new Taskflow(shape);
  let n = 1 << log2;
  if (shape === 'chain') {
    const ts = emplaceN(tf, n);
    for (let i = 0; i + 1 < n; i++) ts[i].precede(ts[i + 1]);
  } else if (shape === 'tree') {
    n -= 1; // a full tree of depth log2
    const ts = emplaceN(tf, n);
    for (let i = 0; 2 * i + 2 < n; i++) {
      ts[i].precede(ts[2 * i + 1]);
      ts[i].precede(ts[2 * i + 2]);
    }
  } else if (shape === 'wavefront') {
    const side = 1 << (log2 >> 1);
    const ts = emplaceN(tf, n);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const t = ts[r * side + c];
        if (c + 1 < side) t.precede(ts[r * side + c + 1]);
        if (r + 1 < side) t.precede(ts[(r + 1) * side + c]);
      }
    }
  } else if (shape === 'empty') {
    emplaceN(tf, n);
  } else throw new Error(`unknown shape ${shape}`);
  return { tf, n };
}

export async function runCase(name, { quick }) {
  if (name.startsWith('taskflow:')) return runTaskflowCase(name, 'graphs', timeoutS({ quick }));
  const [, shape, t] = name.split(':');
  const workers = Number(t.slice(1));
  const log2 = quick ? 16 : 20;
  const { Taskflow } = await loadBeatflow();
  const ex = await createExecutor({ workers, maxTasks: 1 << 21 });

  let t0 = now();
  const { tf, n } = build(Taskflow, shape, log2);
  const buildMs = now() - t0;
  t0 = now();
  await ex.run(tf);
  const firstRunMs = now() - t0;
  const runsMs = [];
  for (let i = 0; i < 5; i++) {
    t0 = now();
    await ex.run(tf);
    runsMs.push(now() - t0);
  }
  await ex.close();
  const ms = median(runsMs);
  const r2 = (x) => +x.toFixed(2);
  return {
    shape, workers, tasks: n,
    buildMs: r2(buildMs), firstRunMs: r2(firstRunMs), runsMs: runsMs.map(r2),
    medianMs: r2(ms), nsPerTask: r2((ms * 1e6) / n),
  };
}

export function report(res) {
  const rows = Object.entries(res).filter(([name]) => name.startsWith('beatflow:')).map(([name, r]) => {
    const [, shape, t] = name.split(':');
    const { ns: tfNs, cell } = taskflowFigure(res, shape, t, TASKFLOW[shape][Number(t.slice(1)) - 1]);
    if (!r.ok) return [SHAPES[shape], '–', t.slice(1), errorCell(r), '–', '–', '–', cell, '–', r.bgCores];
    const x = r.result;
    const q = x.nsPerTask / tfNs;
    return [SHAPES[shape], x.tasks, x.workers, fmt(x.buildMs), fmt(x.firstRunMs), fmt(x.medianMs, 2), fmt(x.nsPerTask),
      cell, `${q.toFixed(2)}×${q <= TARGET ? '' : ' (> 4×)'}`, r.bgCores];
  });
  return [
    '## graphs: beatflow static graphs, empty task bodies, median of 5 re-runs',
    '',
    table(['shape', 'tasks', 'T', 'build ms', 'first run ms', 're-run ms', '**ns/task**', 'Taskflow ns/task', 'ours / Taskflow', 'bg cores'], rows),
    '',
    taskflowRuns(res, (k) => SHAPES[k], errorCell) +
      `Anchors: taskflow.md §1 run ns/task (C++, 2^22 tasks, 2048² wavefront, counter/atomic bodies; another machine). Target ≤ ${TARGET}×.`,
  ].join('\n');
}

childMain(import.meta.url, runCase);
