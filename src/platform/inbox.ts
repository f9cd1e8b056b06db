// A Web Worker's side of the start-up handshake (browsers and Deno; web.ts is the host's side). Imported
// statically by the worker entry, so its listener exists before the host's start-up message can arrive:
// a module worker's messages are dispatched from the first await of its evaluation on. It also turns an
// uncaught error or rejection into the thread's end, as in Node: the host hears an 'error', then 'exit'.
// Under Node and Bun it does nothing.
import { runtimeName } from './current.js';

/** The key of the host's start-up message (its workerData) and of the worker's last message (its exit code). */
export const INIT = '__beatflowInit';
export const EXIT = '__beatflowExit';

/** An error as it crosses to the host: an Error's own fields, or any other thrown value as text. */
export interface ErrorRecord { name: string; message: string; stack?: string }

interface WorkerScope {
  addEventListener(type: string, fn: (e: any) => void): void;
  removeEventListener(type: string, fn: (e: any) => void): void;
  postMessage(msg: unknown): void;
  close(): void;
}

const g = globalThis as any;
const scope: WorkerScope | undefined = runtimeName() !== 'node' && runtimeName() !== 'bun' &&
  typeof g.WorkerGlobalScope === 'function' && g instanceof g.WorkerGlobalScope ? g : undefined;
let exiting = false;

export function errorRecord(v: unknown): ErrorRecord {
  if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
  return { name: 'Error', message: String(v) };
}

/** Posts the exit code (and the error that ended the thread) as its last message, then closes the thread. */
export function exitWith(code: number, error?: unknown): void {
  if (scope === undefined || exiting) return;
  exiting = true;
  scope.postMessage({ [EXIT]: code, error: error === undefined ? undefined : errorRecord(error) });
  scope.close();
}

const started: Promise<unknown> | undefined = scope && new Promise((resolve) => {
  const first = (e: MessageEvent): void => {
    const d = e.data as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || !(INIT in d)) return;
    scope.removeEventListener('message', first);
    resolve(d[INIT]);
  };
  scope.addEventListener('message', first);
  scope.addEventListener('error', (e: ErrorEvent) => { e.preventDefault(); exitWith(1, e.error ?? e.message); });
  scope.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => { e.preventDefault(); exitWith(1, e.reason); });
});

/** Inside a Web Worker: the host's start-up data once it arrived; undefined elsewhere. */
export function startData(): Promise<unknown> | undefined {
  return started;
}
