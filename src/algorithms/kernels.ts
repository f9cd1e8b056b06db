// Where the algorithms meet the Wasm SIMD kernels (src/kernels.ts): each function here returns the
// kernel form of a chunk operation when the kernels have one for the operation and dtype (f32, f64,
// i32, u32), and undefined otherwise, so the caller falls back to the JS loops of ops.ts (the 8- and
// 16-bit dtypes, float-only ops on integers, scalars an integer dtype cannot hold). Kernels run on the
// calling thread's core instance, over the arrays' own addresses in the shared memory: no copy.
import type { SharedCore } from '../engine/memory.js';
import {
  runMap, runReduce, scanChunk, sortRange, mergeRuns, combine, identity, dtypeOf, sortScratchBytes, MAP_OPS as K_MAP_OPS,
  type Dtype, type MapKernel, type ReduceKernel, type ScanKernel, type SortKernel,
} from '../kernels.js';
import type { NumArray } from './merge.js';
import type { MapOp, ReduceOp } from './ops.js';

/**
 * Per-item cost assumed for a kernel chunk when choosing the grain (no probe is timed): a streaming
 * SIMD kernel moves several GB/s, a few tenths of a ns per 4-byte item.
 */
export const KERNEL_NS_PER_ITEM = 0.3;

type Body = (lo: number, hi: number) => void;
const FLOAT_ONLY = new Set<string>(['div', 'sqrt', 'exp', 'log']);
const SCALARS: Partial<Record<MapOp, number>> = { scale: 1, axpy: 1, offset: 1, clamp: 2 };

/**
 * The descriptors of the kernels without scalars, one object per op and dtype, made on first use: the
 * kernels validate a descriptor object the first time they see it (src/kernels.ts compile) and keep it
 * in a WeakMap, so a fresh object per call meant a validation and a WeakMap entry per call.
 */
const DESCS: Record<string, Record<string, Record<string, object>>> = Object.create(null);
function described<T extends object>(kind: string, op: string, dtype: Dtype, make: () => T): T {
  const byOp = (DESCS[kind] ??= Object.create(null) as Record<string, Record<string, object>>);
  const byDtype = (byOp[op] ??= Object.create(null) as Record<string, object>);
  return (byDtype[dtype] ??= Object.freeze(make())) as T;
}

/** The common dtype of the arrays (null: absent), if the kernels take it: all of x's type. */
function common(x: NumArray, y: NumArray | null = null, z: NumArray | null = null, w: NumArray | null = null): Dtype | undefined {
  const t = x.constructor;
  return (y === null || y.constructor === t) && (z === null || z.constructor === t) && (w === null || w.constructor === t) ? dtypeOf(x) : undefined;
}

function fits(d: Dtype, s: number): boolean {
  if (d === 'i32') return Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31;
  if (d === 'u32') return Number.isInteger(s) && s >= 0 && s < 2 ** 32;
  return true;
}

/** out[lo, hi) = op(a, b, c; s0, s1) by the map kernel, or undefined. */
export function kernelMap(core: SharedCore, op: MapOp, a: NumArray, b: NumArray | null, c: NumArray | null,
  out: NumArray, s0: number, s1: number): Body | undefined {
  const d = common(out, a, b, c);
  if (d === undefined || !(K_MAP_OPS as readonly string[]).includes(op)) return undefined;
  if (FLOAT_ONLY.has(op) && d !== 'f32' && d !== 'f64') return undefined;
  const n = SCALARS[op] ?? 0;
  if ((n > 0 && !fits(d, s0)) || (n > 1 && !fits(d, s1)) || (op === 'clamp' && !(s0 <= s1))) return undefined;
  const desc: MapKernel = n > 0 ? { kind: 'map', op, dtype: d, scalars: n > 1 ? [s0, s1] : [s0] } : described('map', op, d, () => ({ kind: 'map', op, dtype: d }));
  const ins = b === null ? [a.byteOffset] : c === null ? [a.byteOffset, b.byteOffset] : [a.byteOffset, b.byteOffset, c.byteOffset];
  const o = out.byteOffset;
  return (lo, hi) => runMap(core.x, desc, o, ins, lo, hi);
}

/** A reduction by the kernel: chunk(lo, hi), and the kernels' own identity and combine (integer sums wrap). */
export interface KernelReduction { chunk(lo: number, hi: number): number; identity: number; combine(x: number, y: number): number }

export function kernelReduce(core: SharedCore, op: ReduceOp, a: NumArray, b: NumArray | null): KernelReduction | undefined {
  const d = common(a, b);
  if (d === undefined) return undefined;
  const desc = described<ReduceKernel>('reduce', op, d, () => ({ kind: 'reduce', op, dtype: d }));
  const ins = b === null ? [a.byteOffset] : [a.byteOffset, b.byteOffset];
  return { chunk: (lo, hi) => runReduce(core.x, desc, ins, lo, hi), identity: identity(desc), combine: (x, y) => combine(desc, x, y) };
}

/** A prefix sum by the kernels: chunk totals, carries combined as the kernel does, and the scan of a chunk from a carry. */
export interface KernelScan { total(lo: number, hi: number): number; combine(x: number, y: number): number; apply(lo: number, hi: number, carry: number): void }

export function kernelScan(core: SharedCore, a: NumArray, out: NumArray, exclusive: boolean): KernelScan | undefined {
  const d = common(a, out);
  if (d === undefined) return undefined;
  const desc = described<ScanKernel>('scan', exclusive ? 'exclusive' : 'inclusive', d, () => ({ kind: 'scan', op: 'sum', inclusive: !exclusive, dtype: d }));
  const sum = described<ReduceKernel>('reduce', 'sum', d, () => ({ kind: 'reduce', op: 'sum', dtype: d }));
  const ap = a.byteOffset, op = out.byteOffset;
  return {
    total: (lo, hi) => runReduce(core.x, sum, [ap], lo, hi),
    combine: (x, y) => combine(sum, x, y),
    apply: (lo, hi, carry) => { scanChunk(core.x, desc, ap, op, lo, hi, carry); },
  };
}

/** Whether a carry (an init value) can be the kernel's for this dtype. */
export function kernelCarryFits(a: NumArray, carry: number): boolean {
  const d = dtypeOf(a);
  return d !== undefined && fits(d, carry);
}

/** Numeric sort by the kernels: sorting runs (radix, with scratch) and merging adjacent runs (stable). */
export interface KernelSort { scratchBytes(n: number): number; sortRun(lo: number, hi: number, scratch: number): void; merge(src: number, lo: number, mid: number, hi: number): void }

export function kernelSort(core: SharedCore, a: NumArray): KernelSort | undefined {
  const d = dtypeOf(a);
  if (d === undefined) return undefined;
  const desc = described<SortKernel>('sort', '', d, () => ({ kind: 'sort', dtype: d }));
  const p = a.byteOffset;
  return {
    scratchBytes: (n) => sortScratchBytes(desc, n),
    sortRun: (lo, hi, scratch) => sortRange(core.x, desc, p, scratch, lo, hi),
    merge: (src, lo, mid, hi) => mergeRuns(core.x, desc, src, p, lo, mid, hi),
  };
}
