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
  | { readonly kind: 'sort'; readonly dtype: KernelDtype; readonly array: DeviceArray }
  | { readonly kind: 'matmul'; readonly a: Float32Array; readonly b: Float32Array; readonly out: Float32Array; readonly m: number; readonly n: number; readonly k: number };

/** The GPU lane as the algorithms see it. */
export interface DeviceLane {
  readonly available: boolean;
  /** Why there is no device, when there is none. */
  readonly reason?: string;
  /** Whether the adapter is a software one (llvmpipe, SwiftShader, WebGPU's fallback adapter). */
  readonly software?: boolean;
  /** Runs a built-in kernel: a map, scan or matmul resolves once `out` holds the result, a sort once `array` is sorted, a reduce with the value. */
  runKernel(call: string, req: DeviceRequest): Promise<number | undefined>;
  /** Runs a dispatch spec (executor.gpu.dispatch): a GPU task of a graph asks the host for it (device-task.ts). */
  dispatch?(spec: never): Promise<unknown>;
  /** Counts a call whose device was lost mid-way and that was re-run on the CPU kernels. */
  noteFallback(): void;
  /** Whether every one of the arrays is resident on the device (executor.gpu.resident). */
  isResident?(arrays: readonly unknown[]): boolean;
  /**
   * The host is about to use these arrays: undefined when none is resident, else a promise that reads the
   * device's writes back and resolves with what to call after (the host may have written them).
   */
  hostUse?(arrays: readonly unknown[]): Promise<() => void> | undefined;
  /** The executor's shared memory: arrays on it are the same array whichever view of it names them (a graph task's are other objects). */
  useMemory?(owns: (b: ArrayBufferLike) => boolean): void;
}

// executor.gpu.dispatch's spec and report, here so that a graph's GPU task (algorithms/gpu-task.ts,
// device-task.ts) names them without importing gpu/; gpu/types.ts re-exports them.

/** A storage binding: a typed array of 4-byte elements (f32, i32, u32), usually from executor.shared(). */
export type GpuStorageArray = Float32Array | Int32Array | Uint32Array;

/** What a binding of executor.gpu.dispatch may be: a storage array, or `{ uniform: array }` for a var<uniform>. */
export type GpuBinding = GpuStorageArray | { readonly uniform: GpuStorageArray };

export interface GpuDispatch {
  /** The WGSL source. Compiled once per (code, entryPoint) and cached. */
  code: string;
  /** The @compute function to run; optional when the code has exactly one. */
  entryPoint?: string;
  /** Workgroups to dispatch: [x], [x, y] or [x, y, z]; each an integer from 0 to maxComputeWorkgroupsPerDimension. */
  workgroups: readonly number[];
  /** Every `@group(g) @binding(b) var` the code declares, by its WGSL name. */
  bindings: Readonly<Record<string, GpuBinding>>;
  /**
   * The storage bindings to copy back into their arrays. Default: every var<storage, read_write> that is
   * not resident; a resident array (executor.gpu.resident) is read back only when named here.
   */
  read?: readonly string[];
  /**
   * Resident arrays the host wrote since the device last saw them (a CPU task before this GPU task, your
   * own writes): uploaded before the dispatch, as after executor.gpu.invalidate(). Non-resident bindings
   * are always uploaded.
   */
  upload?: readonly string[];
  /** A name for messages (a task's name). */
  label?: string;
}

/** What one dispatch cost, in milliseconds (performance.now()), and how many bytes it moved. */
export interface GpuDispatchReport {
  /** Compiling the pipeline, 0 when it came from the cache. */
  readonly compileMs: number;
  /** Copying the inputs through the staging view and writeBuffer. */
  readonly uploadMs: number;
  /** From submit to every readback buffer mapped: the kernel, the copies and the queue's latency. */
  readonly gpuMs: number;
  /** Copying the mapped results into the arrays. */
  readonly readbackMs: number;
  readonly totalMs: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
}
