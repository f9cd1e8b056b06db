// executor.gpu.matmul around the kernel (kernels/matmul.ts): the arguments checked before anything
// reaches the device, and the kernel's shape chosen per adapter by a short autotune whose result is
// cached. The autotune times every shape that fits the device's limits once, on a 256×256×256 product
// (each compiled and run once untimed first), and keeps the fastest. The cache is in memory, for the
// process, keyed by the adapter's description and the device's limits: a second executor on the same
// adapter reuses it, another adapter or other limits tune again.
import { shapesFor, type MatmulShape, type MatmulLimits } from './kernels/matmul.js';
import type { GpuAdapterInfo } from './types.js';
import { isFreed } from '../engine/codec.js';
import { messages } from '../errors.js';

/** The problem the autotune times each shape on: m = n = k = TUNE_SIZE. */
export const TUNE_SIZE = 256;

/** An autotune's result: the shape chosen and what each candidate took (ms, keyed "tile/depth/XxY"). */
export interface MatmulTuning { readonly shape: MatmulShape; readonly timings: Readonly<Record<string, number>> }

export const shapeName = (s: MatmulShape): string => `${s.tile}/${s.depth}/${s.wg[0]}x${s.wg[1]}`;

const cache = new Map<string, Promise<MatmulTuning>>();

/** The cache key of an adapter and the limits its device got. */
export const tuningKey = (a: GpuAdapterInfo, limits: object): string =>
  JSON.stringify([a.vendor, a.architecture, a.device, a.description, a.fallback, limits]);

/**
 * The tuning for `key`: from the cache, or by timing each shape with `time` (which resolves with the
 * shape's milliseconds). `fresh` says whether this call ran it. A failed autotune is not cached.
 */
export function tuning(key: string, limits: MatmulLimits, time: (s: MatmulShape) => Promise<number>): { tuned: Promise<MatmulTuning>; fresh: boolean } {
  const hit = cache.get(key);
  if (hit) return { tuned: hit, fresh: false };
  const p = (async () => {
    const timings: Record<string, number> = {};
    let best: MatmulShape | undefined, bestMs = Infinity;
    for (const s of shapesFor(limits)) {
      const ms = await time(s);
      timings[shapeName(s)] = ms;
      if (ms < bestMs) { best = s; bestMs = ms; }
    }
    if (best === undefined) throw new Error(messages.gpuMatmulNoShape(JSON.stringify(limits)));
    return Object.freeze({ shape: best, timings: Object.freeze(timings) });
  })();
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  return { tuned: p, fresh: true };
}

/** @internal Test hook: forgets every tuning. */
export const clearTunings = (): void => { cache.clear(); };

const CALL = 'executor.gpu.matmul(a, b, out, m, n, k)';

/** Checks the arguments: three Float32Arrays of m·k, k·n and m·n elements, each within one binding. */
export function checkMatmul(a: unknown, b: unknown, out: unknown, m: unknown, n: unknown, k: unknown, maxBinding: number): void {
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TypeError(messages.argType(`${CALL}: ${name}`, 'an integer ≥ 0', v));
  }
  const [M, N, K] = [m, n, k] as number[];
  for (const [name, v, want, dims] of [['a', a, M * K, 'm·k'], ['b', b, K * N, 'k·n'], ['out', out, M * N, 'm·n']] as const) {
    if (!(v instanceof Float32Array)) throw new TypeError(messages.argType(`${CALL}: ${name}`, 'a Float32Array', v));
    if (isFreed(v)) throw new TypeError(messages.argType(`${CALL}: ${name}`, 'an array not yet freed', v));
    if (v.length !== want) throw new RangeError(messages.gpuMatmulLength(CALL, name, v.length, dims, want));
    if (v.byteLength > maxBinding) throw new RangeError(messages.gpuBindingTooBig(CALL, name, v.byteLength, maxBinding, 'maxStorageBufferBindingSize'));
  }
}
