// recovery: crash-recovery time, worker death → replacement ready, 1 worker. Each round submits a task
// that calls process.exit, awaits its rejection (the death, as the caller sees it), then awaits a no-op
// on the replacement. Reported per round: `detect` (submit → rejection), `ready` (beatflow only: the
// pool's own exit event → replacement 'ready' message, executor.lifecycle().lastRecoveryMs), and `e2e`
// (submit of the crashing task → the next task's result). Baseline, measured in the same process just
// before: a bare worker_threads Worker started on an empty module until its first message (the floor
// any pool pays to replace a thread). Each case (pool) runs in its own process.
import { Worker } from 'node:worker_threads';
import { childMain, createExecutor, median, now, fmt, ratio, table, errorCell, sleep } from './lib.mjs';

export const cases = () => ['beatflow', 'piscina'];
export const timeoutS = ({ quick }) => (quick ? 30 : 90);

const EXIT_TASK = new URL('./peers/exit-task.mjs', import.meta.url);

/** ms from new Worker() to its first message, for a module that only posts one. */
async function bareStart() {
  const t0 = now();
  const w = new Worker('import { parentPort } from "node:worker_threads"; parentPort.postMessage(1);', { eval: true, type: 'module' });
  await new Promise((r) => w.once('message', r));
  const ms = now() - t0;
  await w.terminate();
  return ms;
}

async function settle(p) {
  try { await p; } catch { /* the crash, expected */ }
}

export async function runCase(name, { quick }) {
  const rounds = quick ? 5 : 20;
  const bare = [];
  for (let i = 0; i < rounds; i++) bare.push(await bareStart());

  let crash, probe, readyMs, close;
  if (name === 'beatflow') {
    const ex = await createExecutor({ workers: 1 });
    crash = () => ex.async(function die() { process.exit(3); });
    probe = () => ex.async(function noop() {});
    readyMs = async (before) => {
      while (ex.lifecycle().lastRecoveryMs === before) await sleep(1);
      return ex.lifecycle().lastRecoveryMs;
    };
    close = () => ex.close();
  } else {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: EXIT_TASK.href, minThreads: 1, maxThreads: 1 });
    crash = () => pool.run('exit');
    probe = () => pool.run(1);
    close = () => pool.destroy();
  }
  await probe();
  const detect = [], e2e = [], ready = [];
  let last;
  for (let i = 0; i < rounds; i++) {
    const t0 = now();
    await settle(crash());
    const t1 = now();
    await probe();
    const t2 = now();
    detect.push(t1 - t0);
    e2e.push(t2 - t0);
    if (readyMs) ready.push((last = await readyMs(last)));
    await sleep(20);
  }
  await close();
  const r = (xs) => xs.map((x) => +x.toFixed(1));
  return {
    rounds,
    bareStartMs: +median(bare).toFixed(1), bareRange: [Math.min(...bare), Math.max(...bare)].map((x) => +x.toFixed(1)),
    detectMs: +median(detect).toFixed(1),
    readyMs: ready.length ? +median(ready).toFixed(1) : null, readyRange: ready.length ? [Math.min(...ready), Math.max(...ready)].map((x) => +x.toFixed(1)) : null,
    e2eMs: +median(e2e).toFixed(1), e2eRange: [Math.min(...e2e), Math.max(...e2e)].map((x) => +x.toFixed(1)),
    e2eAll: r(e2e),
  };
}

export function report(res) {
  const rows = Object.entries(res).map(([name, r]) => [
    name === 'beatflow' ? '**beatflow**' : 'piscina (min = max = 1)',
    r.ok ? fmt(r.result.detectMs) : errorCell(r),
    r.ok ? (r.result.readyMs == null ? '–' : `${fmt(r.result.readyMs)} (${r.result.readyRange.join('–')})`) : '–',
    r.ok ? `${fmt(r.result.e2eMs)} (${r.result.e2eRange.join('–')})` : '–',
    r.ok ? `${fmt(r.result.bareStartMs)} (${r.result.bareRange.join('–')})` : '–',
    r.ok ? ratio(r.result.e2eMs, r.result.bareStartMs) : '–',
    r.bgCores,
  ]);
  return [
    `## recovery: worker death → replacement ready, 1 worker (median of ${Object.values(res).find((r) => r.ok)?.result.rounds ?? '?'} crashes, ms, range in brackets)`,
    '',
    table(['pool', 'death seen (submit → rejection)', 'exit event → ready', 'crash submit → next result', 'bare Worker start (baseline)', 'e2e / baseline', 'bg cores'], rows),
  ].join('\n');
}

childMain(import.meta.url, runCase);
