// The lane of an executor without a device: not asked for, or none found. It says why, and every
// dispatch rejects with that. Small and free of WebGPU on purpose: the facade imports it statically.
import type { GpuDispatch, GpuDispatchReport, GpuMatmulReport, GpuStorageArray } from './types.js';
import type { DeviceLane, DeviceRequest } from '../engine/device.js';
import { messages } from '../errors.js';

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
  runKernel(call: string, _req: DeviceRequest): Promise<number | undefined> {
    return Promise.reject(new Error(messages.gpuUnavailable(call, this.reason)));
  }
  noteFallback(): void {}
  close(): Promise<void> { return Promise.resolve(); }
  destroy(): void {}
}
