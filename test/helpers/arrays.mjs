// Shared by the algorithm tests: dtypes, sizes and partitioners to sweep, deterministic values, and a
// bit-exact comparison that names the first difference.
import * as assert from 'uvu/assert';

export const DTYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
export const SIZES = [0, 1, 7, 999, 30_001];
export const PARTS = [{ partitioner: 'static' }, { partitioner: 'dynamic', grain: 7 }, { partitioner: 'guided' }, undefined];
export const label = (C, n, o) => `${C.name}[${n}] ${o ? JSON.stringify(o) : 'default'}`;

/** Deterministic values in [lo, lo + k). */
export function values(a, seed, k = 8, lo = -4) {
  const unsigned = a instanceof Uint8Array || a instanceof Uint16Array || a instanceof Uint32Array;
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s >>> 8) % k + (unsigned ? 0 : lo); }
  return a;
}

/** Bit-exact equality (NaN payloads aside: every NaN equals every NaN), naming the first difference. */
export function same(got, want, what) {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${what}: index ${i}: got ${Object.is(got[i], -0) ? '-0' : got[i]}, want ${Object.is(want[i], -0) ? '-0' : want[i]}`);
  }
}
