// GPU work as a graph task (gpuTask.task(tf, spec), src/algorithms/gpu-task.ts). The device belongs to
// the host thread (docs/gpu.md), and graph tasks run on workers, so the task is a hop: on its worker,
// `beatflow.gpu` posts the dispatch spec to the host (the shared arrays in it are views on the same
// memory), the host runs it on its lane (serveDevice) and posts the report or the error back, and the
// task settles with it: suspended meanwhile like any task that returns a promise (the worker runs other
// tasks), and its successors start once the GPU work is done and read back. Two messages and the host's
// event loop are on the path, on top of the dispatch itself.
import type { WorkerContext } from '../platform/types.js';
import type { BuiltinModule } from './functions.js';
import type { DeviceLane } from './device.js';
import { messages } from '../errors.js';

/** Worker → host: run this dispatch. */
export interface DeviceAsk { readonly type: 'device'; readonly id: number; readonly spec: unknown }
/** Host → worker: how it went. */
export interface DeviceAnswer { readonly type: 'device-done'; readonly id: number; readonly value?: unknown; readonly error?: { name: string; message: string } }

// ---- the worker side ----

const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let lastId = 0;
let channel: WorkerContext<unknown> | undefined;
/** Channels whose answers `answered` already hears. */
const heard = new WeakSet<WorkerContext<unknown>>();

/**
 * The worker's channel to its host (worker/start.ts, at start-up, and in the single-threaded mode again
 * whenever this thread's worker changes): GPU tasks ask the host through it.
 */
export function useDeviceChannel(ctx: WorkerContext<unknown>): void {
  channel = ctx;
}

function answered(m: unknown): void {
  const a = m as DeviceAnswer;
  if (a?.type !== 'device-done') return;
  const w = waiting.get(a.id);
  if (w === undefined) return;
  waiting.delete(a.id);
  if (a.error === undefined) { w.resolve(a.value); return; }
  const e = new Error(a.error.message);
  e.name = a.error.name;
  w.reject(e);
}

/** The task: resolves with the dispatch's report once the host ran it (bindings read back). */
function gpu(spec: unknown): Promise<unknown> {
  const ctx = channel;
  if (ctx === undefined) return Promise.reject(new Error(messages.gpuTaskOffWorker));   // start-up sets it on every worker
  if (!heard.has(ctx)) { ctx.listen(answered); heard.add(ctx); }
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    ctx.post({ type: 'device', id, spec } satisfies DeviceAsk);
  });
}

export const DEVICE_TASKS: BuiltinModule = Object.freeze({ name: 'device', functions: Object.freeze({ 'beatflow.gpu': gpu }) });

/** The task function gpuTask.task() emplaces. */
export const GPU_TASK: Function = gpu;

// ---- the host side ----

/** Runs a worker's request on the lane and answers through `reply` (never throws). */
export function serveDevice(lane: DeviceLane | undefined, ask: DeviceAsk, reply: (a: DeviceAnswer) => void): void {
  const fail = (e: unknown) => reply({
    type: 'device-done', id: ask.id,
    error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) },
  });
  if (lane?.dispatch === undefined) { fail(new Error(messages.gpuUnavailable('gpuTask', messages.gpuNotRequested))); return; }
  let p: Promise<unknown>;
  try { p = lane.dispatch(ask.spec as never); } catch (e) { fail(e); return; }
  p.then((value) => reply({ type: 'device-done', id: ask.id, value }), fail);
}
