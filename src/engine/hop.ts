// A graph task that needs the host thread hops there and back: on its worker it posts a request through
// the thread's port (the WorkerContext start-up hands over), the pool hands the request to the engine,
// which serves it by kind and posts the answer (a value, or an error as a PlainError) back. The task
// settles with the answer: suspended meanwhile like any task that returns a promise (its worker runs
// other tasks), so its successors start once the host is done. Two messages and a turn of the host's
// event loop are on the path. The kinds: 'gpu', a dispatch on the host's device (device-task.ts), and
// 'job', host code registered by a library (host-task.ts: a pipeline as a graph task).
//
// Nothing here is shared memory: a request and its answer are messages, matched by an id that is unique
// per worker thread (the host answers on the thread that asked).
import type { WorkerContext } from '../platform/types.js';
import { messages, rebuildError, type PlainError } from '../errors.js';
import { errorToPlain } from './clone-rules.js';

export type HopKind = 'gpu' | 'job';

/** Worker → host: serve this. `run` is the run whose failure or cancellation stops the asking task. */
export interface HopAsk {
  readonly type: 'hop'; readonly id: number; readonly kind: HopKind; readonly run: number; readonly payload: unknown;
}
/** Host → worker: how it went. */
export interface HopAnswer { readonly type: 'hop-done'; readonly id: number; readonly value?: unknown; readonly error?: PlainError }

// ---- the worker side ----

/** Requests in flight from this realm, by id (ids are unique per realm, so one map serves every channel). */
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let lastId = 0;

/** A worker's way to its host: its port, and how to find the run that stops the task running now. */
interface Channel { readonly port: WorkerContext<unknown>; readonly stopRun: () => number; listening: boolean }

/**
 * Per worker, keyed by its task context (what task functions get as `this`): one realm holds several
 * workers when several single-threaded executors share the host thread.
 */
const channels = new WeakMap<object, Channel>();

/**
 * The worker's channel to its host (worker/start.ts, at start-up), and how to find the run that stops
 * the task running now (its own, or the one its subflow or group belongs to).
 */
export function useHostChannel(receiver: object, port: WorkerContext<unknown>, stopRun: () => number): void {
  channels.set(receiver, { port, stopRun, listening: false });
}

function answered(m: unknown): void {
  const a = m as HopAnswer;
  if (a?.type !== 'hop-done') return;
  const w = waiting.get(a.id);
  if (w === undefined) return;
  waiting.delete(a.id);
  if (a.error === undefined) w.resolve(a.value);
  else w.reject(rebuildError(a.error, undefined));
}

/**
 * Asks the host to serve `payload` as `kind`; resolves with the answer's value or rejects with its error
 * (rebuilt: same class for the builtin ones and PipelineError, same name, message, properties and cause).
 * `receiver` is the task's `this`. Call it from the task function itself, before any await: the request
 * names the task's run then.
 */
export function askHost(receiver: unknown, kind: HopKind, payload: unknown): Promise<unknown> {
  const ch = typeof receiver === 'object' && receiver !== null ? channels.get(receiver) : undefined;
  if (ch === undefined) return Promise.reject(new Error(messages.hopOffWorker));   // start-up sets it on every worker
  if (!ch.listening) { ch.port.listen(answered); ch.listening = true; }
  const id = ++lastId;
  const run = ch.stopRun();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    ch.port.post({ type: 'hop', id, kind, run, payload } satisfies HopAsk);
  });
}

// ---- the host side ----

/** What serves one kind: a promise of the answer's value. May throw or reject: the task fails with it. */
export type HopServer = (ask: HopAsk) => Promise<unknown>;

/** Serves a worker's request with `serve` and answers through `reply` (never throws). */
export function serveHop(ask: HopAsk, serve: HopServer, reply: (a: HopAnswer) => void): void {
  const fail = (e: unknown): void => reply({ type: 'hop-done', id: ask.id, error: errorToPlain(e) });
  let p: Promise<unknown>;
  try { p = serve(ask); } catch (e) { fail(e); return; }
  p.then((value) => reply({ type: 'hop-done', id: ask.id, value }), fail);
}
