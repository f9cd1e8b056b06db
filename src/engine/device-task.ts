// GPU work as a graph task (gpuTask.task(tf, spec), src/algorithms/gpu-task.ts). The device belongs to
// the host thread (docs/gpu.md), and graph tasks run on workers, so the task is a hop (hop.ts): on its
// worker, `beatflow.gpu` posts the dispatch spec to the host (the shared arrays in it are views on the
// same memory), the host runs it on its lane (serveDevice) and posts the report or the error back, and
// the task settles with it. Two messages and the host's event loop are on the path, on top of the
// dispatch itself.
import type { BuiltinModule } from './functions.js';
import type { DeviceLane } from './device.js';
import { askHost } from './hop.js';
import { messages } from '../errors.js';

/** The task: resolves with the dispatch's report once the host ran it (bindings read back). `this`: its context. */
function gpu(this: unknown, spec: unknown): Promise<unknown> {
  return askHost(this, 'gpu', spec);
}

export const DEVICE_TASKS: BuiltinModule = Object.freeze({ name: 'device', functions: Object.freeze({ 'beatflow.gpu': gpu }) });

/** The task function gpuTask.task() emplaces. */
export const GPU_TASK: Function = gpu;

/** The host side: runs a worker's dispatch spec on the lane. */
export function serveDevice(lane: DeviceLane | undefined, spec: unknown): Promise<unknown> {
  if (lane?.dispatch === undefined) return Promise.reject(new Error(messages.gpuUnavailable('gpuTask', messages.gpuNotRequested)));
  return lane.dispatch(spec as never);
}
