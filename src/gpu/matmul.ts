// executor.gpu.matmul around the kernel (kernels/matmul.ts): the arguments checked before anything
// reaches the device, and the kernel's shape chosen per adapter by a short autotune whose result is
// cached. The autotune times every shape that fits the device's limits once, on a 256×256×256 product
// (each compiled and run once untimed first), and keeps the fastest. The cache is in memory, for the
// process, keyed by the adapter's description and the device's limits: a second executor on the same
// adapter reuses it, another adapter or other limits tune again. It can be exported and adopted as data
// (tuning.ts: executor.gpu.tuning() / useTuning(), the file under options.gpu.tuningDir).
import { shapesFor, type MatmulShape, type MatmulLimits } from './kernels/matmul.js';
import { shapeName, shapeNamed, tuningRecord } from './tuning.js';
import type { GpuAdapterInfo, GpuTuning, GpuTuningEntry } from './types.js';
import { isFreed } from '../engine/codec.js';
import { messages } from '../errors.js';

export { shapeName };

/** The problem the autotune times each shape on: m = n = k = TUNE_SIZE. */
export const TUNE_SIZE = 256;

/** An autotune's result: the shape chosen and what each candidate took (ms, keyed "tile/depth/XxY"). */
export interface MatmulTuning { readonly shape: MatmulShape; readonly timings: Readonly<Record<string, number>> }

const cache = new Map<string, Promise<MatmulTuning>>();
/** Every tuning known, as the records tuning() exports: measured here, or adopted (those of other adapters too). */
const known = new Map<string, GpuTuningEntry>();

/** The cache key of an adapter and the limits its device got. */
export const tuningKey = (a: GpuAdapterInfo, limits: object): string =>
  JSON.stringify([a.vendor, a.architecture, a.device, a.description, a.fallback, limits]);

/** The adapter as a person reads it, for the exported record. */
const adapterName = (a: GpuAdapterInfo): string => [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ');

/**
 * The tuning for `key`: from the cache, or by timing each shape with `time` (which resolves with the
 * shape's milliseconds). `fresh` says whether this call ran it. A failed autotune is not cached.
 */
export function tuning(key: string, adapter: GpuAdapterInfo, limits: MatmulLimits, time: (s: MatmulShape) => Promise<number>): { tuned: Promise<MatmulTuning>; fresh: boolean } {
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
    const t = Object.freeze({ shape: best, timings: Object.freeze(timings) });
    known.set(key, Object.freeze({ key, adapter: adapterName(adapter), shape: shapeName(best), timings: t.timings, tunedAt: new Date().toISOString() }));
    return t;
  })();
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  return { tuned: p, fresh: true };
}

/** Every tuning known in this process, as a record (executor.gpu.tuning()). */
export const exportTunings = (): GpuTuning => tuningRecord([...known.values()]);

/** The limits a key was made with, or undefined when it is not one of tuningKey's. */
function limitsOf(key: string): MatmulLimits | undefined {
  try {
    const k = JSON.parse(key) as unknown;
    const l = Array.isArray(k) && k.length === 6 ? k[5] as Record<string, unknown> : undefined;
    return typeof l === 'object' && l !== null ? l as unknown as MatmulLimits : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adopts checked entries (tuning.ts checkTuning): each becomes the cached tuning of its key, unless this
 * process tuned that key itself, or its shape is not one this version has or does not fit the limits in
 * its key (those are kept for export, not used). Returns how many were adopted.
 */
export function adoptTunings(entries: readonly GpuTuningEntry[]): number {
  let adopted = 0;
  for (const e of entries) {
    if (cache.has(e.key)) continue;
    known.set(e.key, e);
    const shape = shapeNamed(e.shape), limits = limitsOf(e.key);
    if (shape === undefined || limits === undefined || !shapesFor(limits).includes(shape)) continue;
    cache.set(e.key, Promise.resolve(Object.freeze({ shape, timings: e.timings })));
    adopted++;
  }
  return adopted;
}

/** @internal Test hook: forgets every tuning. */
export const clearTunings = (): void => { cache.clear(); known.clear(); };

/** Checks the arguments of `call`: three Float32Arrays of m·k, k·n and m·n elements, each within one binding. */
export function checkMatmul(call: string, a: unknown, b: unknown, out: unknown, m: unknown, n: unknown, k: unknown, maxBinding: number): void {
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TypeError(messages.argType(`${call}: ${name}`, 'an integer ≥ 0', v));
  }
  const [M, N, K] = [m, n, k] as number[];
  for (const [name, v, want, dims] of [['a', a, M * K, 'm·k'], ['b', b, K * N, 'k·n'], ['out', out, M * N, 'm·n']] as const) {
    if (!(v instanceof Float32Array)) throw new TypeError(messages.argType(`${call}: ${name}`, 'a Float32Array', v));
    if (isFreed(v)) throw new TypeError(messages.argType(`${call}: ${name}`, 'an array not yet freed', v));
    if (v.length !== want) throw new RangeError(messages.gpuMatmulLength(call, name, v.length, dims, want));
    if (v.byteLength > maxBinding) throw new RangeError(messages.gpuBindingTooBig(call, name, v.byteLength, maxBinding, 'maxStorageBufferBindingSize'));
  }
}
