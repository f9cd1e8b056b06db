// The `device` option of the algorithms: 'cpu' (the default) runs the CPU kernels; 'gpu' runs the
// built-in GPU kernel (src/gpu/kernels/) of a transform, reduce, transformReduce or scan with a
// built-in op, or of a sort without a comparator, or refuses the call saying what is missing; 'auto'
// asks the placement policy (policy/placement.ts). A call whose device is lost mid-way re-runs on the CPU kernels and resolves
// with their result; the lane counts it (executor.gpu.fallbacks).
import { DEVICES, gpuDtype, gpuKernelMissing, placeKernel, type Device, type KernelCall } from '../policy/placement.js';
import type { Engine } from '../engine/engine.js';
import type { DeviceArray, DeviceRequest } from '../engine/device.js';
import { combine } from '../kernels.js';
import type { NumArray } from './merge.js';
import { GpuDeviceLostError, messages } from '../errors.js';

/** What an algorithm call would ask of the GPU: its kernel, its size, the request, and how its value becomes the call's. */
export interface GpuCall {
  readonly kernel: KernelCall;
  readonly n: number;
  /** The arrays the kernel binds (resident ones move no data). */
  readonly arrays: readonly NumArray[];
  request(): DeviceRequest;
  /** The call's result from the kernel's value (a reduction's init folded in); undefined for map and scan. */
  finish(v: number | undefined): unknown;
}

/** options.device checked; 'cpu' when absent. */
export function checkDevice(what: string, v: unknown): Device {
  if (v === undefined) return 'cpu';
  if (!(DEVICES as readonly unknown[]).includes(v)) throw new TypeError(messages.callOption(what, 'device', `'cpu', 'gpu' or 'auto'`, v));
  return v as Device;
}

const names = (arrays: readonly NumArray[]): string[] => arrays.map((a) => a.constructor.name);
const dtypeOf = (a: NumArray) => gpuDtype(a.constructor.name)!;
const asDevice = (a: NumArray) => a as unknown as DeviceArray;

/** transform(input, out, op) with scalars s0, s1. */
export function mapGpu(op: string, ins: readonly NumArray[], out: NumArray, s0: number, s1: number): GpuCall {
  return {
    kernel: { kind: 'map', op, arrays: names([out, ...ins]), scalars: [s0, s1] }, n: out.length, arrays: [out, ...ins],
    request: () => ({ kind: 'map', op, dtype: dtypeOf(out), ins: ins.map(asDevice), out: asDevice(out), s0, s1 }),
    finish: () => undefined,
  };
}

/** reduce / transformReduce with an op, and options.init if given (folded in as the CPU folds it). */
export function reduceGpu(op: 'sum' | 'min' | 'max' | 'dot', ins: readonly NumArray[], init: number | undefined): GpuCall {
  return {
    kernel: { kind: 'reduce', op, arrays: names(ins), scalars: [] }, n: ins[0].length, arrays: ins,
    request: () => ({ kind: 'reduce', op, dtype: dtypeOf(ins[0]), ins: ins.map(asDevice) }),
    finish: (v) => (init === undefined ? v : combine({ kind: 'reduce', op, dtype: dtypeOf(ins[0]) }, init, v!)),
  };
}

/** A scan with an op, and its init value if any. */
export function scanGpu(op: string, input: NumArray, out: NumArray, exclusive: boolean, init: number | undefined): GpuCall {
  return {
    kernel: { kind: 'scan', op, arrays: names([out, input]), scalars: init === undefined ? [] : [init] }, n: out.length, arrays: [out, input],
    request: () => ({ kind: 'scan', op, dtype: dtypeOf(out), input: asDevice(input), out: asDevice(out), exclusive, init }),
    finish: () => undefined,
  };
}

/** sort without a comparator, in place. */
export function sortGpu(array: NumArray): GpuCall {
  return {
    kernel: { kind: 'sort', op: 'sort', arrays: names([array]), scalars: [] }, n: array.length, arrays: [array],
    request: () => ({ kind: 'sort', dtype: dtypeOf(array), array: asDevice(array) }),
    finish: () => undefined,
  };
}

/** matmul(executor, a, b, out, m, n, k): its size is the multiply-adds, m·n·k. */
export function matmulGpu(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): GpuCall {
  return {
    kernel: { kind: 'matmul', op: 'matmul', arrays: names([out, a, b]), scalars: [] }, n: m * n * k, arrays: [out, a, b],
    request: () => ({ kind: 'matmul', a, b, out, m, n, k }),
    finish: () => undefined,
  };
}

/**
 * Where a call runs. 'gpu' without a kernel for the call, or without a device, throws naming what is
 * missing (the lane's reason); an empty call never reaches the device.
 */
export function place(ex: Engine, what: string, device: Device, gpu: GpuCall | undefined): 'cpu' | 'gpu' {
  if (device === 'cpu') return 'cpu';
  const missing = gpu === undefined ? messages.gpuKernelNone : gpuKernelMissing(gpu.kernel);
  const lane = ex.device;
  if (device === 'gpu') {
    if (missing !== undefined) throw new TypeError(messages.gpuNoKernel(what, missing));
    if (lane === undefined || !lane.available) throw new Error(messages.gpuUnavailable(what, lane?.reason ?? messages.gpuNotRequested));
  }
  if (gpu === undefined || missing !== undefined || gpu.n === 0 || lane === undefined) return 'cpu';
  if (device === 'gpu') return 'gpu';
  const k = gpu.kernel;
  return placeKernel({
    kind: k.kind, op: k.op, dtype: gpuDtype(k.arrays[0])!, n: gpu.n, device: lane.available, software: lane.software === true,
    resident: lane.isResident?.(gpu.arrays) === true,
  });
}

/** Whether the call could run on the GPU now: a kernel for it, a usable device, something to do. */
export function gpuUsable(ex: Engine, gpu: GpuCall | undefined): boolean {
  return gpu !== undefined && gpu.n > 0 && ex.device?.available === true && gpuKernelMissing(gpu.kernel) === undefined;
}

/** Runs the call's GPU kernel; if the device is lost on the way, `cpu()` runs it instead and the lane counts a fallback. */
export async function runOnGpu(ex: Engine, what: string, gpu: GpuCall, cpu: () => Promise<unknown>): Promise<unknown> {
  const lane = ex.device!;
  let v: number | undefined;
  try {
    v = await lane.runKernel(what, gpu.request());
  } catch (e) {
    if (!(e instanceof GpuDeviceLostError)) throw e;
    lane.noteFallback();
    return cpu();
  }
  return gpu.finish(v);
}
