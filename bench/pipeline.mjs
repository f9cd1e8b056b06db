// pipeline: a 3-stage pipeline, parse → transform → aggregate, over 100k short CSV-like lines, at 1 and 2
// workers, against the same three functions in a plain single-threaded loop on the host (the baseline,
// measured in the same run). Two token sizes:
//   line:  one token per line (100k tokens): the per-token cost of the pipeline itself;
//   batch: one token per 1000 lines (100 tokens): the same work in coarse tokens.
// parse and transform are parallel worker stages; aggregate is a serial host stage (it keeps the running
// sums). Warm-up run, then the median of 3 timed runs. Each case runs in its own process.
import { childMain, loadBeatflow, median, now, fmt, ratio, table, errorCell } from './lib.mjs';

export const cases = () => ['baseline-line', 'line-1w', 'line-2w', 'baseline-batch', 'batch-1w', 'batch-2w'];
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

export async function runCase(name, { quick }) {
  const n = quick ? 10_000 : 100_000;
  const size = name.includes('batch') ? 'batch' : 'line';
  const input = makeInput(n, size);
  const agg = { sum: 0, count: 0 };
  const aggregate = size === 'line'
    ? (x) => { agg.sum += x; agg.count++; }
    : (v) => { for (let i = 0; i < v.length; i++) agg.sum += v[i]; agg.count += v.length; };

  let once, close = async () => {}, workers = 0, lines = 0;
  if (name.startsWith('baseline')) {
    const [p, t] = size === 'line' ? [parse, transform] : [parseBatch, transformBatch];
    once = async () => { for (const x of input) aggregate(t(p(x))); };
  } else {
    const { Executor, Pipeline, Pipe } = await loadBeatflow();
    if (typeof Pipeline !== 'function') throw new Error("'beatflow' does not export Pipeline: build it first (npm run build)");
    workers = Number(/(\d)w$/.exec(name)[1]);
    lines = LINES[size];
    const ex = await Executor.create({ workers });
    const pipeline = new Pipeline({ lines, name },
      Pipe.parallel(size === 'line' ? parse : parseBatch, 'parse'),
      Pipe.parallel(size === 'line' ? transform : transformBatch, 'transform'),
      Pipe.serial(aggregate, { name: 'aggregate', on: 'host' }));
    once = async () => { await pipeline.run(ex, input); };
    close = () => ex.close();
  }

  const timed = async () => {
    agg.sum = 0; agg.count = 0;
    const t0 = now();
    await once();
    const ms = now() - t0;
    if (agg.count !== n) throw new Error(`aggregated ${agg.count} lines, expected ${n}`);
    return ms;
  };
  await timed();   // warm-up (workers compile the stage functions, the JIT settles)
  const ms = [];
  for (let i = 0; i < 3; i++) ms.push(await timed());
  const sum = agg.sum;
  await close();
  const med = median(ms);
  return { size, workers, lines, n, tokens: input.length, ms: ms.map((x) => +x.toFixed(1)), linesPerS: Math.round((n / med) * 1e3),
    tokensPerS: Math.round((input.length / med) * 1e3), checksum: sum };
}

export function report(res) {
  const rows = [];
  const verdicts = [];
  for (const size of ['line', 'batch']) {
    const base = res[`baseline-${size}`];
    const baseRate = base?.ok ? base.result.linesPerS : null;
    for (const name of [`baseline-${size}`, `${size}-1w`, `${size}-2w`]) {
      const r = res[name];
      if (!r) continue;
      const isBase = name.startsWith('baseline');
      if (r.ok && !isBase && base?.ok && r.result.checksum !== base.result.checksum) verdicts.push(`${name}: checksum differs from the baseline!`);
      rows.push([
        isBase ? `plain loop on the host, token = ${size === 'line' ? '1 line' : `${BATCH} lines`}` : `**beatflow** pipeline, token = ${size === 'line' ? '1 line' : `${BATCH} lines`}`,
        isBase ? '–' : r.ok ? r.result.workers : '–',
        isBase ? '–' : r.ok ? r.result.lines : '–',
        r.ok ? fmt(r.result.tokensPerS) : errorCell(r),
        r.ok ? fmt(r.result.linesPerS) : '–',
        r.ok ? r.result.ms.join(', ') : '–',
        isBase ? '1×' : r.ok ? ratio(r.result.linesPerS, baseRate) : '–',
        r.bgCores,
      ]);
    }
  }
  const n = Object.values(res).find((r) => r.ok)?.result.n ?? '';
  return [
    `## pipeline: parse → transform → aggregate over ${n} CSV-like lines (median of 3 runs)`,
    '',
    table(['case', 'workers', 'lines (tokens in flight)', 'tokens/s', 'CSV lines/s', 'run ms', '÷ plain loop', 'bg cores'], rows),
    '',
    'parse and transform: parallel worker stages; aggregate: a serial host stage. Baseline: the same three functions in a loop on the host.',
    ...verdicts,
  ].join('\n');
}

childMain(import.meta.url, runCase);
