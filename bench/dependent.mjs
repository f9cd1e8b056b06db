// dependent: dependent async tasks (executor.dependentAsync from the host, this.dependentAsync inside a
// task) at 2 workers: a chain of 100k links and all-to-all dependencies (task i depends on every task
// before it, N = 2000: about 2M edges), each from the host and from inside a task, and beside them the
// same chain as 100k `await executor.async` link by link (what a host loop without dependentAsync pays).
// Each case: one untimed run at a tenth of the size, then the median of 3 → ms, and ns per link or edge.
// Another build (BEATFLOW_MODULE, bench/tools/ab.mjs) without this.dependentAsync reports the task cases
// as errors.
import { childMain, createExecutor, median, now, fmt, table, errorCell } from './lib.mjs';

const SHAPES = {
  'chain:host': 'chain of 100k, executor.dependentAsync (--quick: 10k)',
  'chain:task': 'chain of 100k, this.dependentAsync in a task (--quick: 10k)',
  'chain:await': 'chain of 100k, await executor.async link by link (--quick: 10k)',
  'all:host': 'all-to-all N = 2000, executor.dependentAsync (--quick: 300)',
  'all:task': 'all-to-all N = 2000, this.dependentAsync in a task (--quick: 300)',
};

export const cases = () => Object.keys(SHAPES).map((s) => `beatflow:${s}`);
export const timeoutS = ({ quick }) => (quick ? 30 : 240);

/** One run of `shape` at size n on ex; returns ms. Checks the result, so a wrong answer is an error, not a figure. */
async function once(ex, shape, n) {
  const t0 = now();
  let got, want;
  if (shape === 'chain:host') {
    let prev = ex.dependentAsync(() => 0);
    for (let i = 1; i < n; i++) prev = ex.dependentAsync((x) => x + 1, prev);
    got = await prev.done;
    want = n - 1;
  } else if (shape === 'chain:await') {
    let x = 0;
    for (let i = 1; i < n; i++) x = await ex.async((v) => v + 1, x);
    got = x;
    want = n - 1;
  } else if (shape === 'chain:task') {
    got = await ex.async(function (n) {
      let prev = this.dependentAsync(() => 0);
      for (let i = 1; i < n; i++) prev = this.dependentAsync((x) => x + 1, prev);
      return this.join(prev);
    }, n);
    want = n - 1;
  } else if (shape === 'all:host') {
    const hs = [];
    for (let i = 0; i < n; i++) hs.push(ex.dependentAsync((...r) => r.length, { deps: hs.slice() }));
    got = (await Promise.all(hs.map((h) => h.done))).reduce((a, b) => a + b, 0);
    want = (n * (n - 1)) / 2;
  } else {
    got = await ex.async(function (n) {
      const hs = [];
      for (let i = 0; i < n; i++) hs.push(this.dependentAsync((...r) => r.length, { deps: hs.slice() }));
      return this.join(hs).reduce((a, b) => a + b, 0);
    }, n);
    want = (n * (n - 1)) / 2;
  }
  const ms = now() - t0;
  if (got !== want) throw new Error(`${shape} at ${n} gave ${got}, expected ${want}`);
  return ms;
}

export async function runCase(name, { quick }) {
  const shape = name.split(':').slice(1).join(':');
  const all = shape.startsWith('all');
  const n = all ? (quick ? 300 : 2000) : (quick ? 10_000 : 100_000);
  const ex = await createExecutor({ workers: 2 });
  await once(ex, shape, Math.max(10, Math.round(n / 10)));
  const runsMs = [];
  for (let i = 0; i < 3; i++) runsMs.push(await once(ex, shape, n));
  await ex.close();
  const ms = median(runsMs);
  const units = all ? (n * (n - 1)) / 2 : n;   // edges, or links
  return { shape, n, runsMs: runsMs.map((x) => +x.toFixed(1)), ms: +ms.toFixed(1), nsPerUnit: +((ms * 1e6) / units).toFixed(1) };
}

export function report(res) {
  const rows = Object.entries(res).map(([name, r]) => {
    const shape = name.split(':').slice(1).join(':');
    if (!r.ok) return [SHAPES[shape], errorCell(r), '–', '–', r.bgCores];
    const x = r.result;
    return [SHAPES[shape], `${fmt(x.ms)} ms`, x.runsMs.join(' / '), `${fmt(x.nsPerUnit)} ${shape.startsWith('all') ? 'ns/edge' : 'ns/link'}`, r.bgCores];
  });
  const ms = (s) => res[`beatflow:${s}`]?.ok ? res[`beatflow:${s}`].result.ms : NaN;
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(1)}×` : '–');
  return [
    '## dependent: dependent async tasks, 2 workers, median of 3',
    '',
    table(['case', 'median', 'runs (ms)', 'per unit', 'bg cores'], rows),
    '',
    `A chain through executor.dependentAsync is ${ratio(ms('chain:await'), ms('chain:host'))} faster than awaiting ` +
      `executor.async link by link; made inside a task it is ${ratio(ms('chain:host'), ms('chain:task'))} faster than from the host.`,
  ].join('\n');
}

childMain(import.meta.url, runCase);
