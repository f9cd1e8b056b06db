// Where a built-in kernel runs when an algorithm call says `device: 'auto'`: a pure function of the
// call (kind, op, dtype, size) and the device (is there one, is it a software adapter, is the data
// already on it), so tables can test it and a learned policy can replace it. Also which calls have a
// GPU kernel at all: the same op/dtype descriptors as the CPU kernels (src/kernels.ts), minus f64
// (WGSL has none) and the cases the CPU kernels leave to plain JS loops.
import { messages } from '../messages.js';

export type KernelKind = 'map' | 'reduce' | 'scan' | 'sort' | 'matmul';
/** Element types of the GPU kernels: the 4-byte ones WGSL has. */
export type KernelDtype = 'f32' | 'i32' | 'u32';
export type Device = 'cpu' | 'gpu' | 'auto';
export const DEVICES: readonly Device[] = ['cpu', 'gpu', 'auto'];

const DTYPE_OF: Record<string, KernelDtype> = { Float32Array: 'f32', Int32Array: 'i32', Uint32Array: 'u32' };

/** The GPU kernels' dtype of an array's constructor name, or undefined. */
export const gpuDtype = (ctorName: string): KernelDtype | undefined => DTYPE_OF[ctorName];

const FLOAT_ONLY = new Set(['div', 'sqrt', 'exp', 'log']);
const SCALARS: Record<string, number> = { scale: 1, axpy: 1, offset: 1, clamp: 2 };

/** Whether `s` is a value of dtype d (f32: any number, rounded). */
export function scalarFits(d: KernelDtype, s: number): boolean {
  if (d === 'i32') return Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31;
  if (d === 'u32') return Number.isInteger(s) && s >= 0 && s < 2 ** 32;
  return true;
}

/** A call, as the GPU kernels see it: the arrays' constructor names (all must be the same), op and scalars. */
export interface KernelCall {
  readonly kind: KernelKind;
  readonly op: string;
  readonly arrays: readonly string[];
  /** Map: s0, s1 as the op uses them; scan: the init value, if any. */
  readonly scalars: readonly number[];
}

/**
 * Why `c` has no GPU kernel (one phrase, quoted in the error of device: 'gpu'), or undefined when it has
 * one. The ops themselves were checked by the algorithm already.
 */
export function gpuKernelMissing(c: KernelCall): string | undefined {
  const d = gpuDtype(c.arrays[0]);
  if (d === undefined) return messages.gpuKernelDtype(c.arrays[0]);
  if (c.arrays.some((a) => a !== c.arrays[0])) return messages.gpuKernelMixed(c.arrays);
  if (c.kind === 'map') {
    if (FLOAT_ONLY.has(c.op) && d !== 'f32') return messages.gpuKernelFloatOnly(c.op, c.arrays[0]);
    const used = c.scalars.slice(0, SCALARS[c.op] ?? 0);
    if (!used.every((s) => scalarFits(d, s))) return messages.gpuKernelScalars(c.op, used, d);
    if (c.op === 'clamp' && !(c.scalars[0] <= c.scalars[1])) return messages.gpuKernelClamp(c.scalars[0], c.scalars[1]);
  }
  if (c.kind === 'scan' && c.scalars.length > 0 && !scalarFits(d, c.scalars[0])) return messages.gpuKernelInit(c.scalars[0], d);
  return undefined;
}

/** What the placement policy is asked. */
export interface PlacementInput {
  readonly kind: KernelKind;
  readonly op: string;
  readonly dtype: KernelDtype;
  /** Elements; for a matmul, multiply-adds (m·n·k). */
  readonly n: number;
  /** A device is there and usable. */
  readonly device: boolean;
  /** The device is a software adapter (llvmpipe, SwiftShader, WebGPU's fallback adapter). */
  readonly software: boolean;
  /** The data is already in device memory (no upload, no readback): every array is resident (executor.gpu.resident). */
  readonly resident: boolean;
}

/**
 * Smallest call 'auto' sends to a hardware GPU, in elements: with transfers, from 2^22 on (a transfer
 * costs about what the CPU kernels take per element, so only large, compute-heavy calls can gain);
 * with the data resident, from 2^16 on (below, the submit-to-mapped latency, about 0.1 ms on a real
 * device, exceeds the CPU's time). A matmul does k multiply-adds per element moved: from 2^21 of them
 * on (128³, about 0.4 ms for the CPU twin on two cores), with transfers or not. Not yet measured on a
 * hardware GPU: the only adapters measured (llvmpipe, SwiftShader; bench/RESULTS.md) are slower than the
 * CPU kernels at every size, so software adapters get nothing.
 */
export const AUTO_MIN_ITEMS = { transfer: 1 << 22, resident: 1 << 16, matmulMacs: 1 << 21 } as const;

/** 'auto' → where the call runs: the static rule above. */
export function placeKernel(p: PlacementInput): 'cpu' | 'gpu' {
  if (!p.device || p.software) return 'cpu';
  if (p.kind === 'matmul') return p.n >= AUTO_MIN_ITEMS.matmulMacs ? 'gpu' : 'cpu';
  return p.n >= (p.resident ? AUTO_MIN_ITEMS.resident : AUTO_MIN_ITEMS.transfer) ? 'gpu' : 'cpu';
}
