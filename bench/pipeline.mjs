// pipeline: a 3-stage pipeline, parse → transform → aggregate, over 100k short CSV-like lines, at 1 and 2
// workers, against the same three functions in a plain single-threaded loop on the host (the baseline).
// Two token sizes:
//   line:  one token per line (100k tokens): the per-token cost of the pipeline itself;
//   batch: one token per 1000 lines (100 tokens): the same work in coarse tokens.
// parse and transform are parallel worker stages; aggregate is a serial host stage (it keeps the running
// sums). Each case runs in its own process: a warm-up of each, then 3 rounds of (plain loop, pipeline),
// interleaved so that both see the same machine load (a VM's steal time varies); the ratio is of the two
// medians. Every run's sum is checked against the plain loop's.
//
// task-1w, task-2w: the same pipeline (line tokens) as a graph task, pipeline.task(tf, input) in a
// one-task taskflow run with executor.run, against pipeline.run on the same input, 9 rounds interleaved
// (alternating which goes first) over 100, 1000 and 10k lines, and 45 over none (the fixed cost alone):
// what the hop to the host and the graph run add per run (engine/hop.ts), beside what a run costs anyway.
import { childMain, loadBeatflow, median, now, fmt, ratio, table, errorCell } from './lib.mjs';

export const cases = () => ['line-1w', 'line-2w', 'batch-1w', 'batch-2w', 'task-1w', 'task-2w'];
export const timeoutS = ({ quick }) => (quick ? 30 : 120);

const BATCH = 1000;
/** Tokens in flight: enough to keep 2 workers and the host busy on line tokens; 2 per worker for batches. */
const LINES = { line: 64, batch: 4 };

// The stage functions: self-contained (they are sent to the workers as source), used as they are by the
// baseline loop.
const parse = (line) => { const f = line.split(','); return [+f[0], +f[1], +f[2]]; };
const transform = ([a, b, c]) => Math.sqrt(a * a + b * b) * c;
const parseBatch = (text) => {
  const rows = text.split('\n');
  const out = new Float64Array(rows.length * 3);
  for (let i = 0; i < rows.length; i++) { const f = rows[i].split(','); out[3 * i] = +f[0]; out[3 * i + 1] = +f[1]; out[3 * i + 2] = +f[2]; }
  return out;
};
const transformBatch = (v) => {
  const out = new Float64Array(v.length / 3);
  for (let i = 0; i < out.length; i++) { const a = v[3 * i], b = v[3 * i + 1]; out[i] = Math.sqrt(a * a + b * b) * v[3 * i + 2]; }
  return out;
};

function makeInput(n, size) {
  const lines = Array.from({ length: n }, (_, i) => `${i % 1000},${(i * 7) % 1013},${(i * 13) % 97}`);
  if (size === 'line') return lines;
  const batches = [];
  for (let i = 0; i < n; i += BATCH) batches.push(lines.slice(i, i + BATCH).join('\n'));
  return batches;
}

/** Times one run of `once`, checking that all `n` lines reached `agg` (reset first): [ms, sum]. */
const timer = (agg, n) => async (once) => {
  agg.sum = 0; agg.count = 0;
  const t0 = now();
  await once();
  const ms = now() - t0;
  if (agg.count !== n) throw new Error(`aggregated ${agg.count} lines, expected ${n}`);
  return [ms, agg.sum];
};

/** A pipeline run directly and as a graph task, interleaved: medians per size, and their difference. */
async function runTaskCase(workers, quick) {
  const { Executor, Pipeline, Pipe, Taskflow } = await loadBeatflow();
  const ex = await Executor.create({ workers });
  const agg = { sum: 0, count: 0 };
  const pipeline = new Pipeline({ lines: LINES.line, name: 'csv' },
    Pipe.parallel(parse, 'parse'), Pipe.parallel(transform, 'transform'),
    Pipe.serial((x) => { agg.sum += x; agg.count++; }, { name: 'aggregate', on: 'host' }));
  const rows = [];
  for (const n of quick ? [0, 100, 1000] : [0, 100, 1000, 10_000]) {
    const input = makeInput(n, 'line');
    const tf = new Taskflow('pipeline task');
    pipeline.task(tf, input);
    const timed = async (once) => (await timer(agg, n)(once))[0];
    const direct = () => pipeline.run(ex, input);
    const asTask = () => ex.run(tf);
    await timed(direct); await timed(asTask);   // warm-ups (and the taskflow's first layout)
    const d = [], t = [];
    const rounds = (quick ? 5 : 9) * (n === 0 ? 5 : 1);   // an empty source: the fixed cost alone, over more rounds
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) { d.push(await timed(direct)); t.push(await timed(asTask)); } else { t.push(await timed(asTask)); d.push(await timed(direct)); }
    }
    rows.push({ n, directMs: +median(d).toFixed(3), taskMs: +median(t).toFixed(3) });
  }
  await ex.close();
  return { size: 'task', workers, rows };
}

export async function runCase(name, { quick }) {
  if (name.startsWith('task')) return runTaskCase(Number(/(\d)w$/.exec(name)[1]), quick);
  const n = quick ? 10_000 : 100_000;
  const size = name.startsWith('batch') ? 'batch' : 'line';
  const workers = Number(/(\d)w$/.exec(name)[1]);
  const lines = LINES[size];
  const input = makeInput(n, size);
  const agg = { sum: 0, count: 0 };
  const aggregate = size === 'line'
    ? (x) => { agg.sum += x; agg.count++; }
    : (v) => { for (let i = 0; i < v.length; i++) agg.sum += v[i]; agg.count += v.length; };
  const [p, t] = size === 'line' ? [parse, transform] : [parseBatch, transformBatch];

  const { Executor, Pipeline, Pipe } = await loadBeatflow();
  if (typeof Pipeline !== 'function') throw new Error("'beatflow' does not export Pipeline: build it first (npm run build)");
  const ex = await Executor.create({ workers });
  const pipeline = new Pipeline({ lines, name },
    Pipe.parallel(p, 'parse'), Pipe.parallel(t, 'transform'), Pipe.serial(aggregate, { name: 'aggregate', on: 'host' }));

  const timed = timer(agg, n);
  const loop = async () => { for (const x of input) aggregate(t(p(x))); };
  const piped = () => pipeline.run(ex, input);

  await timed(loop);    // warm-ups: the JIT settles, the workers compile the stage functions
  await timed(piped);
  const base = [], pipe = [];
  for (let i = 0; i < 3; i++) {
    const [bm, want] = await timed(loop);
    const [pm, got] = await timed(piped);
    if (got !== want) throw new Error(`the pipeline's sum ${got} differs from the plain loop's ${want}`);
    base.push(bm); pipe.push(pm);
  }
  await ex.close();
  const round = (xs) => xs.map((x) => +x.toFixed(1));
  return {
    size, workers, lines, n, tokens: input.length, baselineMs: round(base), ms: round(pipe),
    baselineLinesPerS: Math.round((n / median(base)) * 1e3),
    linesPerS: Math.round((n / median(pipe)) * 1e3), tokensPerS: Math.round((input.length / median(pipe)) * 1e3),
  };
}

export function report(res) {
  const tasks = Object.entries(res).filter(([name]) => name.startsWith('task'));
  res = Object.fromEntries(Object.entries(res).filter(([name]) => !name.startsWith('task')));
  const taskRows = tasks.flatMap(([name, r]) => (r.ok
    ? r.result.rows.map((row) => [r.result.workers, row.n, row.directMs, row.taskMs, `${(row.taskMs - row.directMs).toFixed(3)} ms`, ratio(row.taskMs, row.directMs), r.bgCores])
    : [[name, '–', errorCell(r), '–', '–', '–', r.bgCores]]));
  const rows = Object.entries(res).map(([name, r]) => [
    `token = ${r.ok ? (r.result.size === 'line' ? '1 line' : `${BATCH} lines`) : name}`,
    r.ok ? r.result.workers : '–',
    r.ok ? r.result.lines : '–',
    r.ok ? fmt(r.result.tokensPerS) : errorCell(r),
    r.ok ? fmt(r.result.linesPerS) : '–',
    r.ok ? r.result.ms.join(', ') : '–',
    r.ok ? fmt(r.result.baselineLinesPerS) : '–',
    r.ok ? r.result.baselineMs.join(', ') : '–',
    r.ok ? ratio(r.result.linesPerS, r.result.baselineLinesPerS) : '–',
    r.bgCores,
  ]);
  const n = Object.values(res).find((r) => r.ok)?.result.n ?? '';
  const sections = [];
  if (rows.length > 0) {
    sections.push(
      `## pipeline: parse → transform → aggregate over ${n} CSV-like lines (median of 3, interleaved with the plain loop)`,
      '',
      table(['**beatflow** pipeline', 'workers', 'lines', 'tokens/s', 'CSV lines/s', 'run ms', 'plain loop lines/s', 'loop ms', 'pipeline ÷ loop', 'bg cores'], rows),
      '',
      'parse, transform: parallel worker stages; aggregate: a serial host stage. Plain loop: the same three functions on the host, one thread.');
  }
  if (taskRows.length > 0) {
    sections.push(...(rows.length > 0 ? [''] : []),
      '## pipeline as a graph task: pipeline.task(tf, lines) in a one-task run vs pipeline.run (medians, interleaved)',
      '',
      table(['workers', 'lines', 'pipeline.run ms', 'graph task ms', 'difference', 'task ÷ run', 'bg cores'], taskRows));
  }
  return sections.join('\n');
}

childMain(import.meta.url, runCase);
