// The Node adapter: worker_threads, node:fs, node:os. Bun runs it too (bun.ts).
import { availableParallelism } from 'node:os';
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { messages } from '../errors.js';
import { atomicsWait } from './wait.js';
import { workerEntry } from './current.js';
import type { KeepAlive, Platform, SpawnOptions, TextFiles, ThreadHandle, WorkerContext } from './types.js';
import { TimerKeepAlive } from './keep-alive.js';

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

/** Starts a worker thread on its entry. A failure to load it arrives as the thread's 'error', then 'exit'. */
function spawnThread(opts: SpawnOptions): ThreadHandle {
  return new Worker(opts.entry ?? workerEntry(), {
    workerData: opts.workerData,
    resourceLimits: opts.resourceLimits,
    name: opts.name,
    execArgv: workerExecArgv(),
    stdout: false,
    stderr: false,
  }) as unknown as ThreadHandle;
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
