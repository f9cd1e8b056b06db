// The Web Worker adapter: browsers (a cross-origin isolated page), and Deno through deno.ts. Threads are
// module workers on the worker entry; the start-up data travels in a first message (inbox.ts), and the
// worker's last message carries its exit code, since a Web Worker has no 'exit' event. The host never
// blocks: it waits with Atomics.waitAsync, or a poll where there is none (wait-async.ts), and workers
// block in Wasm.
import { messages } from '../errors.js';
import { runtimeName } from './current.js';
import { atomicsWait } from './wait.js';
import { EXIT, INIT, exitWith, startData, type ErrorRecord } from './inbox.js';
import type { KeepAlive, Platform, SpawnOptions, ThreadHandle, WorkerContext } from './types.js';
import { macrotask } from './wait-async.js';

type Event = 'message' | 'error' | 'exit' | 'online';
let nextThreadId = 1;

function rebuild(r: ErrorRecord): Error {
  const e = new Error(r.message);
  e.name = r.name;
  if (r.stack !== undefined) e.stack = r.stack;
  return e;
}

/**
 * A module worker on `opts.entry` (options.workerUrl, or Deno's), else on the package's browser worker
 * entry. That one is written as `new Worker(new URL('literal', import.meta.url), { type: 'module' })`,
 * the form Vite and webpack recognise: they bundle the entry, with everything it imports, as a worker
 * of the application, so a bundled page needs no options.workerUrl.
 */
function startModuleWorker(opts: SpawnOptions): { worker: Worker; entry: URL } {
  if (opts.entry !== undefined) return { worker: new Worker(opts.entry, { type: 'module', name: opts.name }), entry: opts.entry };
  const worker = new Worker(new URL('../entries/worker-browser.js', import.meta.url), { type: 'module', name: opts.name });
  return { worker, entry: browserEntry() };
}

/**
 * The browser worker entry's URL, for messages about it. The comments keep bundlers from following it: in
 * a bundle the worker has another URL, which the page cannot learn.
 */
function browserEntry(): URL {
  return new URL(/* webpackIgnore: true */ /* @vite-ignore */ '../entries/worker-browser.js', import.meta.url);
}

/** A module worker with Node's Worker events: 'exit' comes from its last message, a load failure or terminate(). */
class WebThread implements ThreadHandle {
  readonly threadId = nextThreadId++;
  readonly #worker: Worker;
  readonly #listeners: Record<Event, ((arg: any) => void)[]> = { message: [], error: [], exit: [], online: [] };
  #exited = false;

  constructor(opts: SpawnOptions) {
    const { worker: w, entry } = startModuleWorker(opts);
    this.#worker = w;
    w.onmessage = (e: MessageEvent) => {
      const m = e.data as Record<string, any> | null;
      if (m === null || typeof m !== 'object' || !(EXIT in m)) { this.#emit('message', m); return; }
      if (m.error !== undefined) this.#emit('error', rebuild(m.error as ErrorRecord));
      this.#exit(m[EXIT] as number);
    };
    w.onerror = (e: ErrorEvent) => {   // the script failed to load or evaluate (inbox.ts handles the rest)
      e.preventDefault?.();
      const fail = (detail: string | undefined): void => { this.#emit('error', new Error(messages.workerScript(detail))); this.#exit(1); };
      if (e.message) fail(e.message);
      else void scriptProblem(entry).then(fail);   // a load failure comes without a word: ask the server
    };
    w.postMessage({ [INIT]: opts.workerData });
  }

  #emit(event: Event, arg: unknown): void {
    for (const fn of this.#listeners[event]) fn(arg);
  }

  #exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#worker.terminate();
    this.#emit('exit', code);
  }

  on(event: Event, fn: (arg: any) => void): void { this.#listeners[event].push(fn); }

  postMessage(msg: unknown): void { this.#worker.postMessage(msg); }

  terminate(): Promise<number> {
    return new Promise((resolve) => queueMicrotask(() => { this.#exit(1); resolve(1); }));
  }

  ref(): void {}

  unref(): void {}
}

/**
 * Why a worker script that failed to load without a message may have failed, from its response: its HTTP
 * status, or (on a cross-origin isolated page) a missing Cross-Origin-Embedder-Policy header; undefined
 * when the response looks right (then the browser had another reason: a syntax error, a network error).
 */
async function scriptProblem(url: URL): Promise<string | undefined> {
  try {
    const r = await fetch(url, { method: 'HEAD', cache: 'no-store' });
    if (!r.ok) return messages.httpStatus(r.status, r.statusText);
    const coep = r.headers.get('cross-origin-embedder-policy');
    if ((globalThis as any).crossOriginIsolated === true && coep !== 'require-corp' && coep !== 'credentialless') return messages.noCoep;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Nothing to hold: a page never exits, and Deno stays alive while a worker lives (close() ends them). */
const noHold: KeepAlive = { hold() {}, release() {}, during: (p) => p, dispose() {} };

/** A macrotask turn without setTimeout's clamping: a message to ourselves (wait-async.ts). */
const yieldToEventLoop = (): Promise<void> => new Promise((r) => macrotask(r));

/** The host's start-up message (inbox.ts takes it), which a later listener must not see. */
const isInit = (d: unknown): boolean => d !== null && typeof d === 'object' && INIT in d;

async function workerContext<T>(): Promise<WorkerContext<T>> {
  const started = startData();
  if (started === undefined) throw new Error(messages.notInWorker);
  const data = (await started) as T;
  const scope = globalThis as unknown as { postMessage(m: unknown): void };
  const listen = (fn: (msg: unknown) => void): void => {
    (globalThis as unknown as { addEventListener(t: string, f: (e: MessageEvent) => void): void })
      .addEventListener('message', (e) => { if (!isInit(e.data)) fn(e.data); });
  };
  return { data, post: (m) => scope.postMessage(m), close: () => exitWith(0), listen };
}

/** What a page that is not cross-origin isolated lacks, read from its own response headers. */
async function missingHeaders(): Promise<string[]> {
  const want = ['Cross-Origin-Opener-Policy: same-origin', 'Cross-Origin-Embedder-Policy: require-corp'];
  try {
    const r = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    const coop = r.headers.get('cross-origin-opener-policy');
    const coep = r.headers.get('cross-origin-embedder-policy');
    return [coop === 'same-origin' ? '' : want[0], coep === 'require-corp' || coep === 'credentialless' ? '' : want[1]].filter(Boolean);
  } catch {
    return want;
  }
}

export const platform: Platform = {
  name: 'browser',
  unsupported: ['resourceLimits', 'recycleAboveHeapMb'],
  async check() {
    const g = globalThis as any;
    if (runtimeName() === 'workerd') throw new Error(messages.wrongEntry('workerd', 'browser'));
    if (typeof g.Worker !== 'function') return messages.noThreads('this runtime');
    if (g.crossOriginIsolated !== true || typeof SharedArrayBuffer === 'undefined') return messages.notIsolatedSingle(await missingHeaders());
    return undefined;
  },
  readBytes: async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(messages.httpStatus(r.status, r.statusText));
    return new Uint8Array(await r.arrayBuffer());
  },
  cpuCount: () => (globalThis as any).navigator?.hardwareConcurrency || 1,
  baseUrl: () => new URL('.', (globalThis as any).document?.baseURI ?? location.href),
  spawnThread: (opts) => new WebThread(opts),
  entryUrl: browserEntry,
  keepAlive: () => noHold,
  yieldToEventLoop,
  waitAsync: atomicsWait,
  readSysfs: () => undefined,
  workerContext,
  exitThread(): never {
    exitWith(0);
    throw new Error(messages.plannedExit);
  },
  heapUsedBytes: () => 0,
};
