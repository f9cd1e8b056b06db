// memory: idle RSS of a 2-worker runtime, against 2 raw worker_threads (the floor) and the pools.
// Import the library, gc, RSS; create the pool, run one task on each worker, gc, wait 500 ms,
// RSS again. One process per case.
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { childMain, createExecutor, loadBeatflow, loadPeer, sleep, fmt, table, errorCell, MiB, PEERS, PEER_LABEL } from './lib.mjs';
import * as tasks from './tasks.mjs';

export const cases = () => ['raw', 'beatflow', ...PEERS.filter((p) => p !== 'piscina-c16')];
export const timeoutS = () => 30;

// gc() without running node --expose-gc: a runtime that hands process.execArgv to its workers
// would fail on that flag ("invalid execArgv flags"), and a bench should not depend on it.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// Anchors (js-pools.md §4), delta MiB, run 1 / run 2.
const ANCHOR = { raw: '18.4 / 18.2', piscina: '17.9 / 18.3', tinypool: '17.9 / 18.3', workerpool: '22.6 / 22.7' };
const rss = () => process.memoryUsage.rss() / MiB;

function rawWorkers(n) {
  const ws = Array.from({ length: n }, () => new Worker(new URL('./peers/raw-worker.mjs', import.meta.url)));
  const ask = (w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(0); });
  return { touchAll: () => Promise.all(ws.map(ask)), close: () => Promise.all(ws.map((w) => w.terminate())) };
}

// Run pairs of tasks until both workers have answered (each pool spreads concurrent tasks).
async function touchEach(whoami, n) {
  const seen = new Set();
  for (let tries = 0; tries < 50 && seen.size < n; tries++) {
    for (const id of await Promise.all(Array.from({ length: n }, whoami))) seen.add(id);
  }
  return seen.size;
}

export async function runCase(name) {
  let open;
  if (name === 'beatflow') await loadBeatflow();
  else if (name !== 'raw') open = await loadPeer(name);
  gc();
  await sleep(100);
  const before = rss();

  let workersSeen, close;
  if (name === 'raw') {
    const w = rawWorkers(2);
    workersSeen = new Set(await w.touchAll()).size;
    close = w.close;
  } else if (name === 'beatflow') {
    const ex = await createExecutor({ workers: 2 });
    workersSeen = await touchEach(() => ex.async(tasks.whoami, 2e6), 2);
    close = () => ex.close();
  } else {
    const pool = open(2);
    workersSeen = await touchEach(pool.whoami, 2);
    close = pool.close;
  }
  gc();
  await sleep(500);
  const after = rss();
  await close();
  const r1 = (x) => +x.toFixed(1);
  return { beforeMiB: r1(before), afterMiB: r1(after), deltaMiB: r1(after - before), workersSeen };
}

export function report(res) {
  const floor = res.raw?.ok ? res.raw.result.deltaMiB : null;
  const rows = Object.entries(res).map(([name, r]) => {
    const label = name === 'raw' ? '2 raw worker_threads (floor)' : name === 'beatflow' ? '**beatflow**' : PEER_LABEL[name];
    if (!r.ok) return [label, errorCell(r), '–', '–', '–', '–', ANCHOR[name] ?? '–', r.bgCores];
    const x = r.result;
    return [label, fmt(x.beforeMiB), fmt(x.afterMiB), fmt(x.deltaMiB), floor != null && name !== 'raw' ? fmt(x.deltaMiB - floor) : '–',
      x.workersSeen, ANCHOR[name] ?? '–', r.bgCores];
  });
  return [
    '## memory: idle RSS with 2 workers (each ran a task), after gc + 500 ms',
    '',
    table(['what', 'RSS before MiB', 'RSS after MiB', '**delta MiB**', 'delta − floor', 'workers touched', 'anchors delta', 'bg cores'], rows),
  ].join('\n');
}

childMain(import.meta.url, runCase);
