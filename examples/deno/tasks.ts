// The Deno example's task module: every worker imports it (Deno runs TypeScript in its workers as it is).

/** Primes in [lo, hi), by trial division: a task of a few milliseconds. */
export function countPrimes(lo: number, hi: number): number {
  let count = 0;
  for (let n = Math.max(lo, 2); n < hi; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}

/** The fan-in: the sum of every chunk's count (each predecessor's result is an argument). */
export function total(...counts: number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}
