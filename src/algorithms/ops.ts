// The built-in numeric operations of the algorithms, by name, as plain JS over one chunk: the
// reference every dtype can run. The names and meanings are the kernels' (assembly/kernels/codes.ts,
// src/kernels.ts); builtins.ts runs the Wasm SIMD kernel instead where one exists for the dtype.
//
// NaN: map min/max and reductions min/max propagate NaN (as Math.min / Math.max and the kernels do);
// sum and dot follow IEEE addition. Results are computed in float64 and stored with the output
// array's own conversion (integer arrays wrap, as any typed-array store does).
import type { NumArray } from './merge.js';

/** Elementwise operations of transform: inputs a, b, c; scalars s0, s1. */
export const MAP_OPS = {
  copy: 1, add: 2, sub: 2, mul: 2, div: 2, fma: 3, scale: 1, axpy: 2, offset: 1, abs: 1, neg: 1, min: 2, max: 2,
  clamp: 1, sqrt: 1, exp: 1, log: 1,
} as const;
export type MapOp = keyof typeof MAP_OPS;
export const MAP_NAMES = Object.keys(MAP_OPS) as MapOp[];

/** Reductions of reduce (one input) and transformReduce ('dot': two inputs). */
export const REDUCE_OPS = { sum: 1, min: 1, max: 1, dot: 2 } as const;
export type ReduceOp = keyof typeof REDUCE_OPS;
export const REDUCE_NAMES = Object.keys(REDUCE_OPS) as ReduceOp[];

/** Combining operations of the scans. */
export const SCAN_OPS = ['sum', 'min', 'max'] as const;
export type ScanOp = (typeof SCAN_OPS)[number];

type F = (x: number, y: number, z: number, s0: number, s1: number) => number;
const MAP_FN: Record<MapOp, F> = {
  copy: (x) => x, add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
  fma: (x, y, z) => x * y + z, scale: (x, _y, _z, s0) => x * s0, axpy: (x, y, _z, s0) => s0 * x + y,
  offset: (x, _y, _z, s0) => x + s0, abs: Math.abs, neg: (x) => -x, min: (x, y) => Math.min(x, y), max: (x, y) => Math.max(x, y),
  clamp: (x, _y, _z, s0, s1) => Math.min(Math.max(x, s0), s1), sqrt: Math.sqrt, exp: Math.exp, log: Math.log,
};

/** out[i] = op(a[i], b[i], c[i], s0, s1) for i in [lo, hi). */
export function mapChunk(op: MapOp, a: NumArray, b: NumArray | null, c: NumArray | null, out: NumArray,
  lo: number, hi: number, s0: number, s1: number): void {
  const f = MAP_FN[op];
  if (b === null) for (let i = lo; i < hi; i++) out[i] = f(a[i], 0, 0, s0, s1);
  else if (c === null) for (let i = lo; i < hi; i++) out[i] = f(a[i], b[i], 0, s0, s1);
  else for (let i = lo; i < hi; i++) out[i] = f(a[i], b[i], c[i], s0, s1);
}

/** The identity of a reduction (what an empty range reduces to). */
export function reduceIdentity(op: ReduceOp | ScanOp): number {
  return op === 'min' ? Infinity : op === 'max' ? -Infinity : 0;
}

/** Combines two partial results of op. */
export function combineOp(op: ReduceOp | ScanOp, x: number, y: number): number {
  return op === 'min' ? Math.min(x, y) : op === 'max' ? Math.max(x, y) : x + y;
}

/** op over a[lo, hi) (b for dot), in float64. */
export function reduceChunk(op: ReduceOp, a: NumArray, b: NumArray | null, lo: number, hi: number): number {
  let acc = reduceIdentity(op);
  switch (op) {
    case 'sum': for (let i = lo; i < hi; i++) acc += a[i]; break;
    case 'min': for (let i = lo; i < hi; i++) acc = Math.min(acc, a[i]); break;
    case 'max': for (let i = lo; i < hi; i++) acc = Math.max(acc, a[i]); break;
    case 'dot': for (let i = lo; i < hi; i++) acc += a[i] * b![i]; break;
  }
  return acc;
}
