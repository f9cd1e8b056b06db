// GPU tasks in graphs: gpuTask.task(tf, spec) adds a task that runs executor.gpu.dispatch(spec) — the
// same spec, checked the same way — and yields its report; its successors start once the GPU work is
// done and the `read` bindings hold the results. The task runs on a worker like any other, and hops to
// the host, which owns the device (engine/device-task.ts): what that costs is in docs/gpu.md.
import type { Taskflow, Task } from '../graph/taskflow.js';
import type { GpuDispatch, GpuDispatchReport } from '../engine/device.js';
import { GPU_TASK } from '../engine/device-task.js';
import { messages } from '../errors.js';

const WHAT = 'gpuTask.task(tf, spec)';

/** Checks what can be checked without the device: the spec's shape, and storage bindings that cross threads by reference. */
function checkSpec(spec: unknown): asserts spec is GpuDispatch {
  if (typeof spec !== 'object' || spec === null) throw new TypeError(messages.argType(`${WHAT}: spec`, 'an object { code, workgroups, bindings }', spec));
  const s = spec as Record<string, unknown>;
  if (typeof s.code !== 'string') throw new TypeError(messages.argType(`${WHAT}: spec.code`, 'a WGSL source string', s.code));
  if (!Array.isArray(s.workgroups)) throw new TypeError(messages.argType(`${WHAT}: spec.workgroups`, '[x, y?, z?]', s.workgroups));
  if (typeof s.bindings !== 'object' || s.bindings === null) throw new TypeError(messages.argType(`${WHAT}: spec.bindings`, 'an object of named arrays', s.bindings));
  for (const [name, v] of Object.entries(s.bindings)) {
    if (ArrayBuffer.isView(v) && !(v.buffer instanceof SharedArrayBuffer)) throw new TypeError(messages.gpuTaskBinding(WHAT, name));
  }
}

export const gpuTask = Object.freeze({
  /** Adds a task to `tf` that runs the dispatch on the executor's GPU and yields its GpuDispatchReport. */
  task(tf: Taskflow, spec: GpuDispatch): Task<GpuDispatchReport> {
    checkSpec(spec);
    return tf.emplace(GPU_TASK as () => GpuDispatchReport).args(spec).name(typeof spec.label === 'string' ? spec.label : 'gpu');
  },
});
