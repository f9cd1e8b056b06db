// The lane of an executor without a device: not asked for, or none found. It says why, and every
// dispatch rejects with that. Small and free of WebGPU on purpose: the facade imports it statically.
import type { GpuCounters, GpuDispatch, GpuDispatchReport, GpuMatmulReport, GpuStorageArray, GpuTuning } from './types.js';
import type { DeviceLane, DeviceRequest } from '../engine/device.js';
import { messages } from '../errors.js';

const NO_COUNTS: GpuCounters = Object.freeze({ uploads: 0, bytesUp: 0, readbacks: 0, bytesDown: 0, submissions: 0 });
const NO_TUNING: GpuTuning = Object.freeze({ format: 'beatflow-gpu-tuning', version: 1, entries: Object.freeze([]) });

export class NoGpu implements DeviceLane {
  readonly available = false as const;
  readonly reason: string;
  readonly fallbacks = 0;
  readonly software = false;
  constructor(reason: string) { this.reason = reason; Object.freeze(this); }
  dispatch(_spec: GpuDispatch): Promise<GpuDispatchReport> {
    return Promise.reject(new Error(messages.gpuUnavailable('executor.gpu.dispatch()', this.reason)));
  }
  matmul(): Promise<GpuMatmulReport> {
    return Promise.reject(new Error(messages.gpuUnavailable('executor.gpu.matmul(a, b, out, m, n, k)', this.reason)));
  }
  resident<A extends GpuStorageArray>(_array: A): A {
    throw new Error(messages.gpuUnavailable('executor.gpu.resident(array)', this.reason));
  }
  read<A extends GpuStorageArray>(_array: A): Promise<A> {
    return Promise.reject(new Error(messages.gpuUnavailable('executor.gpu.read(array)', this.reason)));
  }
  invalidate(_array: GpuStorageArray): void {}
  release(_array: GpuStorageArray): boolean { return false; }
  get counters(): GpuCounters { return NO_COUNTS; }
  tuning(): GpuTuning { return NO_TUNING; }
  useTuning(_tuning: GpuTuning): number {
    throw new Error(messages.gpuUnavailable('executor.gpu.useTuning(tuning)', this.reason));
  }
  runKernel(call: string, _req: DeviceRequest): Promise<number | undefined> {
    return Promise.reject(new Error(messages.gpuUnavailable(call, this.reason)));
  }
  noteFallback(): void {}
  close(): Promise<void> { return Promise.resolve(); }
  destroy(): void {}
}
