// roundtrip: 10k sequential `await run(echo, i)`, each timed with performance.now(), after a
// 1k warm-up; p50/p99 in µs. A 0.5 s tinybench run of the same call cross-checks the p50.
// 2 workers; each case (pool) runs in its own process.
import { Bench } from 'tinybench';
import { childMain, createExecutor, loadPeer, median, percentile, now, fmt, ratio, table, errorCell, PEERS, PEER_LABEL } from './lib.mjs';
import * as tasks from './tasks.mjs';

export const cases = () => ['beatflow', ...PEERS.filter((p) => p !== 'piscina-c16')];
export const timeoutS = ({ quick }) => (quick ? 20 : 60);

// Anchors (js-pools.md §1–2), RT p50 µs, run 1 / run 2.
const ANCHOR = { piscina: '62.8 / 65.8', tinypool: '78.1 / 78.0', workerpool: '55.3 / 24.8' };
const TARGET_P50_US = 10;

export async function runCase(name, { quick }) {
  const n = quick ? 1_000 : 10_000;
  const warm = quick ? 200 : 1_000;

  let call, close;
  if (name === 'beatflow') {
    const ex = await createExecutor({ workers: 2 });
    call = (i) => ex.async(tasks.echo, i);
    close = () => ex.close();
  } else {
    const pool = (await loadPeer(name))(2);
    call = (i) => pool.run(i);
    close = () => pool.close();
  }

  for (let i = 0; i < warm; i++) {
    const v = await call(i);
    if (v !== i) throw new Error(`echo(${i}) returned ${v}`);
  }
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await call(i);
    lat[i] = now() - t0;
  }

  const bench = new Bench({ time: quick ? 200 : 500, warmupTime: 100 });
  let k = 0;
  bench.add('rt', async () => {
    await call(k++);
  });
  await bench.run();
  const tb = bench.tasks[0].result;
  await close();

  const us = (ms) => +(ms * 1e3).toFixed(2);
  return {
    n,
    p50Us: us(percentile(lat, 50)),
    p99Us: us(percentile(lat, 99)),
    meanUs: us(lat.reduce((a, b) => a + b, 0) / n),
    tinybenchP50Us: tb.latency ? us(tb.latency.p50) : null,
  };
}

export function report(res) {
  const bf = res.beatflow?.ok ? res.beatflow.result.p50Us : null;
  const rows = Object.entries(res).map(([name, r]) => [
    name === 'beatflow' ? '**beatflow**' : PEER_LABEL[name],
    ...(r.ok ? [fmt(r.result.p50Us, 2), fmt(r.result.p99Us, 1), fmt(r.result.meanUs, 1), fmt(r.result.tinybenchP50Us, 2)] : [errorCell(r), '–', '–', '–']),
    name === 'beatflow' || !r.ok ? '–' : ratio(r.result.p50Us, bf),
    ANCHOR[name] ?? '–',
    r.bgCores,
  ]);
  const verdict = bf != null ? `beatflow p50 = ${fmt(bf, 2)} µs (target ≤ ${TARGET_P50_US} µs: ${bf <= TARGET_P50_US ? 'met' : 'NOT met'})` : `target (p50 ≤ ${TARGET_P50_US} µs): not evaluated`;
  return [
    `## roundtrip: ${Object.values(res).find((r) => r.ok)?.result.n ?? ''} sequential awaited echo tasks, 2 workers`,
    '',
    table(['pool', 'p50 µs', 'p99 µs', 'mean µs', 'tinybench p50 µs', 'p50 / beatflow p50', 'anchors p50 µs', 'bg cores'], rows),
    '',
    verdict,
  ].join('\n');
}

childMain(import.meta.url, runCase);
