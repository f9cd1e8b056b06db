// Shared helpers for the benches: statistics, markdown tables, the child-process protocol,
// and how to open beatflow and the JS peer pools with the same settings everywhere.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const MiB = 1024 * 1024;

// ---------- statistics ----------
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Nearest-rank percentile, p in [0, 100].
export function percentile(xs, p) {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// ---------- formatting ----------
export function fmt(x, digits = 1) {
  if (x == null || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  if (Math.abs(x) >= 1e6) return (x / 1e6).toFixed(2) + ' M';
  if (Math.abs(x) >= 1e4) return (x / 1e3).toFixed(1) + ' k';
  return x.toFixed(digits);
}

export const ratio = (a, b) => (a > 0 && b > 0 ? (a / b).toFixed(a / b >= 10 ? 0 : 2) + '×' : '–');

export function table(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c ?? '–').replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

// A result cell for a case that failed: "error: <message>".
export const errorCell = (r) => `error: ${r?.error ?? 'not run'}`.slice(0, 160);

// ---------- child-process protocol ----------
// Parent side: run `node <file> <caseName> ...flags` with a wall-clock limit. The child reports
// one message over IPC: { ok, result } or { ok: false, error }, plus its own CPU time.
// bgCores = CPU taken by everyone else during the case, in cores: other processes plus the VM
// host's steal time (from /proc/stat), minus the child's own CPU. Above ~0.15 the numbers are suspect.
function busySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ = 100; steal: the VM host
  } catch {
    return NaN;
  }
}

// Wait (up to maxS) until the rest of the machine uses < 0.15 core over a 0.5 s window.
// Returns the seconds waited and the last load seen.
export async function waitIdle(maxS) {
  const t0 = now();
  let load;
  do {
    const b0 = busySeconds();
    await sleep(500);
    load = (busySeconds() - b0) / 0.5;
  } while (load >= 0.15 && now() - t0 < maxS * 1e3);
  return { waitedS: +((now() - t0) / 1e3).toFixed(1), load: +load.toFixed(2) };
}

export function runChild(file, args, { timeoutS, execArgv = [] }) {
  return new Promise((resolve) => {
    const t0 = now();
    const busy0 = busySeconds();
    const child = spawn(process.execPath, [...execArgv, file, ...args], {
      stdio: ['ignore', process.stderr, 'inherit', 'ipc'], // the child's chatter goes to stderr
    });
    let msg = null;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('message', (m) => (msg = m));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallS = (now() - t0) / 1e3;
      const bgCores = msg?.cpuS != null ? Math.max(0, (busySeconds() - busy0 - msg.cpuS) / wallS) : null;
      const out = msg ?? {
        ok: false,
        error: timedOut ? `timed out after ${timeoutS} s` : `child exited (code ${code}, signal ${signal}) without a result`,
      };
      resolve({ ...out, wallS: +wallS.toFixed(2), bgCores: bgCores == null ? null : +bgCores.toFixed(2) });
    });
  });
}

// Child side: call at the bottom of a bench file. When the file is run directly as
// `node bench/x.mjs <case> [--quick]` it runs that one case and reports it (over IPC, or as JSON
// on stdout when run by hand), then exits even if a pool left handles open.
export function childMain(moduleUrl, runCase) {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const [name, ...flags] = process.argv.slice(2);
  const opts = { quick: flags.includes('--quick') };
  const finish = (msg) => {
    const { user, system } = process.cpuUsage();
    // a program the case ran (a C++ peer) reports its own CPU time, or its error does: the case's, not others' load
    msg.cpuS = (user + system) / 1e6 + (msg.result?.childCpuS ?? msg.childCpuS ?? 0);
    if (process.send) process.send(msg, () => process.exit(0));
    else {
      console.log(JSON.stringify(msg, null, 2));
      process.exit(msg.ok ? 0 : 1);
    }
  };
  runCase(name, opts).then(
    (result) => finish({ ok: true, result }),
    (err) => {
      console.error(`[${name}]`, err?.stack ?? err);
      finish({ ok: false, error: String(err?.message ?? err), ...(err?.childCpuS > 0 && { childCpuS: err.childCpuS }) });
    },
  );
}

// ---------- beatflow ----------
export const TASKS_URL = new URL('./tasks.mjs', import.meta.url);

// BEATFLOW_MODULE=<path> benches another build (or a mock) instead of the package itself.
export async function loadBeatflow() {
  const spec = process.env.BEATFLOW_MODULE ? pathToFileURL(resolve(process.env.BEATFLOW_MODULE)).href : 'beatflow';
  let bf;
  try {
    bf = await import(spec);
  } catch (e) {
    throw new Error(`cannot import '${spec}': ${e.message} (build it first: npm run build)`);
  }
  const missing = ['Executor', 'Taskflow'].filter((k) => typeof bf[k] !== 'function');
  if (missing.length) {
    throw new Error(
      `'beatflow' does not export ${missing.join(' and ')} (it exports: ${Object.keys(bf).join(', ') || 'nothing'}); ` +
        'the runtime is not built or not finished (npm run build)',
    );
  }
  return bf;
}

/**
 * The shared core behind an executor, for benches that run a kernel on this thread beside it: through
 * the engine of the build being benched (engine/engine.js beside its index.js), or the older builds'
 * own accessor.
 */
export async function coreOf(ex, indexUrl) {
  if (typeof ex._sharedCore === 'function') return ex._sharedCore();
  const index = indexUrl ?? (process.env.BEATFLOW_MODULE ? pathToFileURL(resolve(process.env.BEATFLOW_MODULE)).href : import.meta.resolve('beatflow'));
  // The package's entry is build/src/index.js, or build/src/entries/<runtime>.js where the exports map
  // picks one per runtime: the engine sits in build/src/engine/ either way.
  const root = /\/entries\/[^/]+$/.test(new URL(index).pathname) ? new URL('../', index) : new URL('./', index);
  const { engineOf } = await import(new URL('./engine/engine.js', root).href);
  return engineOf(ex, 'bench').core;
}

export async function createExecutor({ workers = 2, maxTasks, learning } = {}) {
  const { Executor } = await loadBeatflow();
  const opts = { workers, module: TASKS_URL, ...(maxTasks && { maxTasks }), ...(learning !== undefined && { learning }) };
  try {
    return await Executor.create(opts);
  } catch (e) {
    throw new Error(`beatflow Executor.create({ workers: ${workers}, maxTasks: ${maxTasks ?? 'default'} }) failed: ${e.message}`);
  }
}

// ---------- JS peer pools ----------
// Settings follow the anchors: min = max = N threads, ESM task `x => x`, library defaults otherwise.
const PEER_TASK = new URL('./peers/task.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = fileURLToPath(new URL('./peers/workerpool-worker.mjs', import.meta.url));

export const PEERS = ['piscina', 'piscina-c16', 'tinypool', 'workerpool'];
export const PEER_LABEL = {
  'piscina': 'piscina (defaults)',
  'piscina-c16': 'piscina, concurrentTasksPerWorker=16',
  'tinypool': 'tinypool',
  'workerpool': 'workerpool',
};

// Imports the library (the memory bench measures after this) and returns open(workers).
export async function loadPeer(name) {
  if (name.startsWith('piscina')) {
    const { Piscina } = await import('piscina');
    return (workers) => {
      const extra = name === 'piscina-c16' ? { concurrentTasksPerWorker: 16 } : {};
      const pool = new Piscina({ filename: PEER_TASK.href, minThreads: workers, maxThreads: workers, ...extra });
      return { run: (x) => pool.run(x), whoami: () => pool.run(0, { name: 'whoami' }), close: () => pool.destroy() };
    };
  }
  if (name === 'tinypool') {
    const { Tinypool } = await import('tinypool');
    return (workers) => {
      const pool = new Tinypool({ filename: PEER_TASK.href, minThreads: workers, maxThreads: workers });
      return { run: (x) => pool.run(x), whoami: () => pool.run(0, { name: 'whoami' }), close: () => pool.destroy() };
    };
  }
  if (name === 'workerpool') {
    const { default: workerpool } = await import('workerpool');
    return (workers) => {
      const pool = workerpool.pool(WORKERPOOL_SCRIPT, { minWorkers: workers, maxWorkers: workers, workerType: 'thread' });
      return { run: (x) => pool.exec('echo', [x]), whoami: () => pool.exec('whoami', []), close: () => pool.terminate() };
    };
  }
  throw new Error(`unknown peer '${name}'`);
}
