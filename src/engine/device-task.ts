// GPU work as a graph task (gpuTask.task(tf, spec), src/algorithms/gpu-task.ts). The device belongs to
// the host thread (docs/gpu.md), and graph tasks run on workers, so the task is a hop: on its worker,
// `beatflow.gpu` posts the dispatch spec to the host, the host runs it on its lane (serveDevice) and posts
// the report or the error back, and the task settles with it: suspended meanwhile like any task that
// returns a promise (the worker runs other tasks), and its successors start once the GPU work is done
// and read back. Two messages and the host's event loop are on the path, on top of the dispatch itself.
//
// The spec's arrays on the shared memory cross as references (dtype, byte offset, length), not as views:
// the host rebuilds each as a view of its own memory, so the lane knows it for the array the host made
// resident (gpu/resident.ts knows arrays on the shared memory by where they lie). A view posted as it is
// would arrive on another SharedArrayBuffer object, which the host cannot tell is its own memory.
import type { WorkerContext } from '../platform/types.js';
import type { BuiltinModule } from './functions.js';
import type { DeviceLane } from './device.js';
import type { SharedCore } from './memory.js';
import { DTYPES, type SharedArrayCtor, type SharedTypedArray } from './codec.js';
import { messages } from '../errors.js';

/** Worker → host: run this dispatch. */
export interface DeviceAsk { readonly type: 'device'; readonly id: number; readonly spec: unknown }
/** Host → worker: how it went. */
export interface DeviceAnswer { readonly type: 'device-done'; readonly id: number; readonly value?: unknown; readonly error?: { name: string; message: string } }

/** A shared array in a DeviceAsk: [dtype (DTYPES index), byte offset, length]. */
const REF = 'beatflow.shared';
type Ref = { readonly [REF]: readonly [number, number, number] };

/** Maps each binding of a spec (a storage array, or `{ uniform: array }`) through `f`; anything else is left as it is. */
function mapBindings(spec: unknown, f: (v: unknown) => unknown): unknown {
  const s = spec as { bindings?: unknown } | null;
  if (typeof s !== 'object' || s === null || typeof s.bindings !== 'object' || s.bindings === null) return spec;
  const bindings: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(s.bindings)) {
    const u = typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'uniform' in v ? v as { uniform: unknown } : undefined;
    bindings[name] = u === undefined ? f(v) : { ...u, uniform: f(u.uniform) };
  }
  return { ...s, bindings };
}

// ---- the worker side ----

const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let lastId = 0;
let channel: WorkerContext<unknown> | undefined;
let listening = false;
let core: SharedCore | undefined;

/** The worker's channel to its host (worker/start.ts, at start-up): GPU tasks ask the host through it. */
export function useDeviceChannel(ctx: WorkerContext<unknown>): void {
  channel = ctx;
  listening = false;
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

/** A view on this worker's shared memory as a reference; anything else as it is. */
function toRef(v: unknown): unknown {
  if (core === undefined || !ArrayBuffer.isView(v) || !core.ownsBuffer(v.buffer)) return v;
  const d = DTYPES.indexOf(v.constructor as SharedArrayCtor);
  return d < 0 ? v : { [REF]: [d, v.byteOffset, (v as SharedTypedArray).length] } satisfies Ref;
}

/** The task: resolves with the dispatch's report once the host ran it (bindings read back). */
function gpu(spec: unknown): Promise<unknown> {
  const ctx = channel;
  if (ctx === undefined) return Promise.reject(new Error(messages.gpuTaskOffWorker));   // start-up sets it on every worker
  if (!listening) { ctx.listen(answered); listening = true; }
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    ctx.post({ type: 'device', id, spec: mapBindings(spec, toRef) } satisfies DeviceAsk);
  });
}

export const DEVICE_TASKS: BuiltinModule = Object.freeze({
  name: 'device', functions: Object.freeze({ 'beatflow.gpu': gpu }),
  bind(c: SharedCore) { core = c; },
});

/** The task function gpuTask.task() emplaces. */
export const GPU_TASK: Function = gpu;

// ---- the host side ----

/**
 * Runs a worker's request on the lane and answers through `reply` (never throws). `view` rebuilds a
 * shared array from its reference on the host's memory (Codec.view).
 */
export function serveDevice(lane: DeviceLane | undefined, ask: DeviceAsk, reply: (a: DeviceAnswer) => void,
  view: (dtype: number, ptr: number, length: number) => unknown): void {
  const fail = (e: unknown) => reply({
    type: 'device-done', id: ask.id,
    error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) },
  });
  if (lane?.dispatch === undefined) { fail(new Error(messages.gpuUnavailable('gpuTask', messages.gpuNotRequested))); return; }
  let p: Promise<unknown>;
  try {
    const spec = mapBindings(ask.spec, (v) => {
      const r = typeof v === 'object' && v !== null ? (v as Partial<Ref>)[REF] : undefined;
      return r === undefined ? v : view(r[0], r[1], r[2]);
    });
    p = lane.dispatch(spec as never);
  } catch (e) { fail(e); return; }
  p.then((value) => reply({ type: 'device-done', id: ask.id, value }), fail);
}
