// The Node adapter: worker_threads, node:fs, node:os. Bun runs it too (bun.ts).
import { availableParallelism } from 'node:os';
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, parentPort, workerData } from 'node:worker_threads';
// Unprefixed on purpose: webpack 5.112 renders `new Worker(new URL(…))` on a named import of
// 'node:worker_threads' as `….Worker__webpack_require__.wc`, a TypeError at run time; on 'worker_threads' it
// bundles the worker.
import { Worker as BundledWorker } from 'worker_threads';
import { getHeapStatistics } from 'node:v8';
import { messages } from '../errors.js';
import { atomicsWait } from './wait.js';
import { workerEntry } from './current.js';
import type { KeepAlive, Platform, SpawnOptions, TextFiles, ThreadHandle, WorkerContext } from './types.js';
import { TimerKeepAlive } from './keep-alive.js';

/** webpack's module loader: a function inside a webpack bundle, undeclared anywhere else. */
declare const __webpack_require__: unknown;

/**
 * Workers inherit the host's flags (execArgv left undefined), except that --input-type applies only to an
 * --eval/stdin entry point and makes a worker fail at start. An explicit list is checked more strictly
 * than inheritance (process-wide flags such as --expose-gc are refused), so one is passed only when
 * --input-type must be dropped, and then without the flags a worker cannot take.
 */
function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => a.startsWith('--input-type'))) return undefined;
  const processWide = /^--(input-type|expose[-_]gc|max[-_]old[-_]space[-_]size|inspect|title|prof|cpu-prof|heap-prof|trace[-_]|perf[-_])/;
  return argv.filter((a) => !processWide.test(a));
}

/**
 * Starts a worker thread on its entry: options.workerUrl, else the package's. A failure to load it arrives
 * as the thread's 'error', then 'exit'. Inside a webpack bundle (whose parser leaves `webpackIgnore` on
 * workerEntry() and bundles the `new Worker(new URL('literal', import.meta.url))` below as a worker
 * chunk) the Node worker entry, which installs this adapter statically; unbundled, worker/main.js.
 */
function spawnThread(opts: SpawnOptions): ThreadHandle {
  const options = {
    workerData: opts.workerData,
    resourceLimits: opts.resourceLimits,
    name: opts.name,
    execArgv: workerExecArgv(),
    stdout: false,
    stderr: false,
  };
  if (opts.entry !== undefined) return new Worker(opts.entry, options) as unknown as ThreadHandle;
  if (typeof __webpack_require__ === 'undefined') return new Worker(workerEntry(), options) as unknown as ThreadHandle;
  return new BundledWorker(new URL('../entries/worker-node.js', import.meta.url), options) as unknown as ThreadHandle;
}

/**
 * Worker threads are unref'd, so an idle executor that is never closed does not hold the process open;
 * this holds it while something is owed. One timer handle.
 */
const keepAlive = (): KeepAlive => new TimerKeepAlive((t) => t.ref(), (t) => t.unref());

function workerContext<T>(): Promise<WorkerContext<T>> {
  const port = parentPort;
  if (!port) return Promise.reject(new Error(messages.notInWorker));
  return Promise.resolve({
    data: workerData as T, post: (m) => port.postMessage(m), close: () => port.close(),
    listen: (fn) => { port.on('message', fn); port.unref(); },
  });
}

/** Small text files: written to a temporary name beside the file, then renamed over it. */
const files: TextFiles = {
  async read(dir, name) {
    try { return await readFile(join(dir, name), 'utf8'); } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
      throw e;
    }
  },
  async write(dir, name, text) {
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.tmp`);
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, join(dir, name));
  },
  path: (dir, name) => join(dir, name),
};

export const platform: Platform = {
  name: 'node',
  unsupported: [],
  check() {},
  readBytes: async (url) => new Uint8Array(await readFile(fileURLToPath(url))),
  cpuCount: () => availableParallelism(),
  baseUrl: () => pathToFileURL(process.cwd() + '/'),
  spawnThread,
  keepAlive,
  yieldToEventLoop: () => new Promise((r) => setImmediate(r)),
  waitAsync: atomicsWait,
  readSysfs(path) {
    if (process.platform !== 'linux') return undefined;
    try { return readFileSync(path, 'utf8'); } catch { return undefined; }
  },
  workerContext,
  exitThread: () => process.exit(0),
  heapUsedBytes: () => getHeapStatistics().used_heap_size,
  files,
};
