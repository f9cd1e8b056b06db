// The GPU lane as users see it (executor.gpu): plain types, no WebGPU types, so the package's public
// declarations compile without @webgpu/types installed.
import type { ComputeLimits, ComputeLimit } from './limits.js';
import type { FeatureLevel } from './backends.js';

export type { ComputeLimits, ComputeLimit, FeatureLevel };

/** The adapter a device came from, as the platform names it. Empty strings where it says nothing. */
export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A software or otherwise degraded adapter (WebGPU's isFallbackAdapter). */
  readonly fallback: boolean;
}

export type { GpuStorageArray, GpuBinding, GpuDispatch, GpuDispatchReport } from '../engine/device.js';
import type { GpuStorageArray, GpuDispatch, GpuDispatchReport } from '../engine/device.js';

/** What one executor.gpu.matmul cost, and the kernel shape the adapter's autotune chose. */
export interface GpuMatmulReport extends Omit<GpuDispatchReport, 'compileMs'> {
  /** The shape: out tiles of tile×tile, k in slices of depth, workgroupSize invocations [x, y]. */
  readonly tile: number;
  readonly depth: number;
  readonly workgroupSize: readonly [number, number];
  /** Milliseconds this call spent in the autotune (0 when the adapter's tuning was cached). */
  readonly tuneMs: number;
  /** What each shape took in the autotune, ms by "tile/depth/XxY". */
  readonly timings: Readonly<Record<string, number>>;
  /** 2·m·n·k / totalMs, transfers included. */
  readonly gflops: number;
}

/** What the lane moved between host and device since it opened (executor.gpu.counters). */
export interface GpuCounters {
  /** Storage arrays copied host → device, and their bytes (uniform parameter blocks are not counted). */
  readonly uploads: number;
  readonly bytesUp: number;
  /** Arrays copied device → host (results, read()), and their bytes. */
  readonly readbacks: number;
  readonly bytesDown: number;
  /** Command buffers submitted for dispatches and kernels. */
  readonly submissions: number;
}

/** One adapter's matmul autotune, as executor.gpu.tuning() exports it. */
export interface GpuTuningEntry {
  /** The adapter and the device limits it was measured with (an opaque string: entries match by it). */
  readonly key: string;
  /** The adapter, for people reading the file. */
  readonly adapter: string;
  /** The shape chosen, "tile/depth/XxY". */
  readonly shape: string;
  /** What each shape took, ms. */
  readonly timings: Readonly<Record<string, number>>;
  /** When it was measured (ISO 8601). */
  readonly tunedAt: string;
}

/** The autotune's results as JSON-able data: store it (a file, localStorage) and hand it to useTuning() later. */
export interface GpuTuning {
  readonly format: 'beatflow-gpu-tuning';
  readonly version: 1;
  readonly entries: readonly GpuTuningEntry[];
}

export interface GpuLaneBase {
  /**
   * Runs a WGSL compute kernel over the bindings: uploads them, dispatches, copies the `read` bindings
   * back into their arrays, and resolves when they hold the results. Rejects with a TypeError naming the
   * binding for a missing, unknown or mistyped one, a GpuShaderError with the compiler's messages for WGSL
   * that does not compile, a GpuDeviceLostError if the device is lost before it is done.
   */
  dispatch(spec: GpuDispatch): Promise<GpuDispatchReport>;
  /**
   * out (m×n) = a (m×k) · b (k×n), f32, row-major, tiled in workgroup memory with the shape the adapter's
   * autotune chose (docs/gpu.md). Resolves once `out` holds the product. A TypeError or RangeError naming
   * the argument for a wrong type, size or length; a GpuDeviceLostError if the device is lost first (out
   * is then untouched).
   */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): Promise<GpuMatmulReport>;
  /**
   * Keeps `array` on the device between calls (docs/gpu.md, "Resident arrays"): uploads it now; GPU calls
   * binding it then use the device's copy, with no upload or readback. Returns the array.
   */
  resident<A extends GpuStorageArray>(array: A): A;
  /** Copies a resident array's device copy back into it, if a GPU call wrote it since; resolves with the array. */
  read<A extends GpuStorageArray>(array: A): Promise<A>;
  /** The host wrote a resident array: the next GPU call uploads it again (writes only on the device are dropped). */
  invalidate(array: GpuStorageArray): void;
  /** Drops the device copy of a resident array; false if it had none. */
  release(array: GpuStorageArray): boolean;
  /** What moved between host and device since the lane opened (all zeros without a device). */
  readonly counters: GpuCounters;
  /**
   * The matmul autotune's results known in this process (measured, or adopted with useTuning()), as
   * JSON-able data to store and hand to useTuning() in a later run (docs/gpu.md, "Keeping the autotune").
   */
  tuning(): GpuTuning;
  /**
   * Adopts stored autotune results: a later matmul on an adapter they cover skips the autotune. Returns
   * how many entries were adopted. A TypeError naming the field for data that is not from tuning().
   */
  useTuning(tuning: GpuTuning): number;
  /**
   * Algorithm calls with `device: 'gpu' | 'auto'` whose device was lost mid-way and that were re-run on the
   * CPU kernels (they resolved with the CPU's result). 0 without a device.
   */
  readonly fallbacks: number;
}

/** A device was found and is usable. */
export interface GpuAvailable extends GpuLaneBase {
  readonly available: true;
  readonly adapter: GpuAdapterInfo;
  readonly featureLevel: FeatureLevel;
  /** The Dawn backend ('vulkan', 'opengles', 'metal', …), or 'navigator.gpu' for a browser's or Deno's WebGPU. */
  readonly backend: string;
  /** The device's compute limits, after negotiation with the adapter. */
  readonly limits: ComputeLimits;
  /** A software adapter (llvmpipe, lavapipe, SwiftShader, WebGPU's fallback adapter): device: 'auto' never picks it. */
  readonly software: boolean;
  /** What was tried before it, and why each failed ("vulkan (core): no adapter"). */
  readonly tried: readonly string[];
}

/** No device: not asked for, no `webgpu` package, no adapter, or the device was lost. dispatch() rejects with the reason. */
export interface GpuUnavailable extends GpuLaneBase {
  readonly available: false;
  /** One line saying why. */
  readonly reason: string;
}

export type GpuLane = GpuAvailable | GpuUnavailable;
