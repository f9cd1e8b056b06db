// tiny: 100k no-op tasks submitted at once from the host, then Promise.all; 2 workers.
// A 10k warm-up burst first, then the median of 3 timed bursts (no new burst starts after 9 s,
// as in the anchors, so slow pools get 1–2). Peak RSS is the child process's maxRSS, which is
// reached during the bursts. Each case (pool) runs in its own process.
// `beatflow-map` is the batch form: one executor.map(echo, items) call over the same 100k items (one
// promise for the call, results in order, checked), timed the same way.
import { childMain, createExecutor, loadPeer, median, now, fmt, ratio, table, errorCell, MiB, PEERS, PEER_LABEL } from './lib.mjs';
import * as tasks from './tasks.mjs';

export const cases = () => ['beatflow', 'beatflow-map', ...PEERS];
export const timeoutS = ({ quick }) => (quick ? 20 : 120);

// Anchors (js-pools.md §1–2), tasks/s, run 1 / run 2.
const ANCHOR = { 'piscina': '31.0 k / 33.7 k', 'piscina-c16': '73.4 k / 71.4 k', 'tinypool': '16.8 k / 15.9 k', 'workerpool': '13.4 k / 12.5 k' };
const TARGET = 30; // beatflow ≥ 30× piscina defaults
const TARGET_TASKS = 1e6; // one promise per task: ≥ 1 M tasks/s
const TARGET_MAP = 3e6; // executor.map: ≥ 3 M items/s

export async function runCase(name, { quick }) {
  const n = quick ? 10_000 : 100_000;
  const warm = quick ? 2_000 : 10_000;
  const maxRuns = quick ? 1 : 3;

  let submit, close, burst;
  if (name === 'beatflow') {
    const ex = await createExecutor({ workers: 2, maxTasks: 1 << 21 });
    submit = () => ex.async(tasks.noop);
    close = () => ex.close();
  } else if (name === 'beatflow-map') {
    const ex = await createExecutor({ workers: 2 });
    close = () => ex.close();
    burst = async (k) => {
      const items = Array.from({ length: k }, (_, i) => i);
      const t0 = now();
      const out = await ex.map(tasks.echo, items);
      const rate = (k / (now() - t0)) * 1e3;
      if (out.length !== k || out[k - 1] !== k - 1) throw new Error('executor.map returned wrong results');
      return rate;
    };
  } else {
    const pool = (await loadPeer(name))(2);
    submit = () => pool.run();
    close = () => pool.close();
  }

  burst ??= async (k) => {
    const t0 = now();
    const ps = new Array(k);
    for (let i = 0; i < k; i++) ps[i] = submit();
    await Promise.all(ps);
    return (k / (now() - t0)) * 1e3;
  };

  await burst(warm);
  const rates = [];
  const start = now();
  while (rates.length < maxRuns && (rates.length === 0 || now() - start < 9000)) rates.push(await burst(n));
  await close();
  return {
    tasks: n,
    runsTasksPerS: rates.map(Math.round),
    tasksPerS: Math.round(median(rates)),
    peakRssMiB: +((process.resourceUsage().maxRSS * 1024) / MiB).toFixed(0),
  };
}

export function report(res) {
  const bf = res.beatflow?.ok ? res.beatflow.result.tasksPerS : null;
  const bfMap = res['beatflow-map']?.ok ? res['beatflow-map'].result.tasksPerS : null;
  const rows = Object.entries(res).map(([name, r]) => [
    name === 'beatflow' ? '**beatflow**' : name === 'beatflow-map' ? '**beatflow, executor.map (items/s)**' : PEER_LABEL[name],
    r.ok ? fmt(r.result.tasksPerS) : errorCell(r),
    r.ok ? r.result.runsTasksPerS.map((x) => fmt(x)).join(', ') : '–',
    r.ok ? r.result.peakRssMiB : '–',
    name.startsWith('beatflow') ? '–' : r.ok ? ratio(bf, r.result.tasksPerS) : '–',
    ANCHOR[name] ?? '–',
    r.bgCores,
  ]);
  const pisc = res.piscina?.ok ? res.piscina.result.tasksPerS : null;
  const met = (ok) => (ok ? 'met' : 'NOT met');
  const verdict = [
    bf && pisc ? `beatflow / piscina defaults = ${ratio(bf, pisc)} (target ≥ ${TARGET}×: ${met(bf / pisc >= TARGET)})` : 'target (≥ 30× piscina defaults): not evaluated',
    bf ? `beatflow, one promise per task: ${fmt(bf)} tasks/s (target ≥ ${fmt(TARGET_TASKS)}: ${met(bf >= TARGET_TASKS)})` : '',
    bfMap ? `beatflow executor.map: ${fmt(bfMap)} items/s${pisc ? ` = ${ratio(bfMap, pisc)} piscina defaults` : ''} (target ≥ ${fmt(TARGET_MAP)}: ${met(bfMap >= TARGET_MAP)})` : '',
  ].filter(Boolean).join('  \n');
  return [
    `## tiny: ${Object.values(res).find((r) => r.ok)?.result.tasks ?? ''} no-op tasks at once, 2 workers (median of ≤ 3 bursts)`,
    '',
    table(['pool', 'tasks/s', 'runs', 'peak RSS MiB', 'beatflow ×', 'anchors tasks/s', 'bg cores'], rows),
    '',
    verdict,
  ].join('\n');
}

childMain(import.meta.url, runCase);
