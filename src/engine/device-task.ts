// GPU work as a graph task (gpuTask.task(tf, spec), src/algorithms/gpu-task.ts). The device belongs to
// the host thread (docs/gpu.md), and graph tasks run on workers, so the task is a hop (hop.ts): on its
// worker, `beatflow.gpu` posts the dispatch spec to the host, the host runs it on its lane (serveDevice)
// and posts the report or the error back, and the task settles with it. Two messages and the host's event
// loop are on the path, on top of the dispatch itself.
//
// The spec's arrays on the shared memory cross as references (shared-refs.ts), so the host's lane knows
// them for the arrays the host made resident.
import type { BuiltinModule } from './functions.js';
import type { DeviceLane } from './device.js';
import type { SharedCore } from './memory.js';
import { askHost } from './hop.js';
import { bindingsToRefs, bindingsFromRefs } from './shared-refs.js';
import { messages } from '../errors.js';

/** This worker's shared memory (DEVICE_TASKS.bind, once per worker thread): the spec's arrays become references on it. */
let core: SharedCore | undefined;

/** The task: resolves with the dispatch's report once the host ran it (bindings read back). `this`: its context. */
function gpu(this: unknown, spec: unknown): Promise<unknown> {
  return askHost(this, 'gpu', bindingsToRefs(core, spec));
}

export const DEVICE_TASKS: BuiltinModule = Object.freeze({
  name: 'device', functions: Object.freeze({ 'beatflow.gpu': gpu }),
  bind(c: SharedCore) { core = c; },
});

/** The task function gpuTask.task() emplaces. */
export const GPU_TASK: Function = gpu;

/**
 * The host side: runs a worker's dispatch spec on the lane. `view` rebuilds a shared array from its
 * reference on the host's memory (Codec.view).
 */
export function serveDevice(lane: DeviceLane | undefined, spec: unknown,
  view: (dtype: number, ptr: number, length: number) => unknown): Promise<unknown> {
  if (lane?.dispatch === undefined) return Promise.reject(new Error(messages.gpuUnavailable('gpuTask', messages.gpuNotRequested)));
  return lane.dispatch(bindingsFromRefs(spec, view) as never);
}
