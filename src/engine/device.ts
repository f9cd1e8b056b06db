// What the algorithms need of a GPU (device: 'gpu' | 'auto'), declared here so they reach it through
// the engine and never import src/gpu/: the facade hands the engine its lane when it has one. A request
// names a built-in kernel by the same op and dtype as the CPU kernels (src/kernels.ts) over shared arrays.
import type { KernelDtype } from '../policy/placement.js';

export type DeviceArray = Float32Array | Int32Array | Uint32Array;

/** A built-in GPU kernel to run: the CPU kernels' descriptors, with the arrays. */
export type DeviceRequest =
  | { readonly kind: 'map'; readonly op: string; readonly dtype: KernelDtype; readonly ins: readonly DeviceArray[]; readonly out: DeviceArray; readonly s0: number; readonly s1: number }
  | { readonly kind: 'reduce'; readonly op: string; readonly dtype: KernelDtype; readonly ins: readonly DeviceArray[] }
  | { readonly kind: 'scan'; readonly op: string; readonly dtype: KernelDtype; readonly input: DeviceArray; readonly out: DeviceArray; readonly exclusive: boolean; readonly init: number | undefined }
  | { readonly kind: 'sort'; readonly dtype: KernelDtype; readonly array: DeviceArray };

/** The GPU lane as the algorithms see it. */
export interface DeviceLane {
  readonly available: boolean;
  /** Why there is no device, when there is none. */
  readonly reason?: string;
  /** Whether the adapter is a software one (llvmpipe, SwiftShader, WebGPU's fallback adapter). */
  readonly software?: boolean;
  /** Runs a built-in kernel: a map or scan resolves once `out` holds the result, a sort once `array` is sorted, a reduce with the value. */
  runKernel(call: string, req: DeviceRequest): Promise<number | undefined>;
  /** Counts a call whose device was lost mid-way and that was re-run on the CPU kernels. */
  noteFallback(): void;
  /** Whether every one of the arrays is resident on the device (executor.gpu.resident). */
  isResident?(arrays: readonly unknown[]): boolean;
  /**
   * The host is about to use these arrays: undefined when none is resident, else a promise that reads the
   * device's writes back and resolves with what to call after (the host may have written them).
   */
  hostUse?(arrays: readonly unknown[]): Promise<() => void> | undefined;
}
