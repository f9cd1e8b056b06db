// Shared helpers for executor-level tests.
export const fixtures = new URL('../fixtures/tasks.mjs', import.meta.url);

/** Rejects with a labelled error if p does not settle within ms: a hang fails the test instead of the run. */
export function within(p, ms, label) {
  let timer;
  const t = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${label}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The error p rejects with (fails if it resolves). */
export async function rejection(p) {
  try { await p; } catch (e) { return e; }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * Resolves once ex holds no live task, failing after ms: an algorithm call resolves when its helpers
 * handed their partials back, and their tasks retire moments later (src/algorithms/caller.ts).
 */
export async function retired(ex, ms = 2000) {
  const end = Date.now() + ms;
  while (ex.stats().liveTasks !== 0) {
    if (Date.now() > end) throw new Error(`${ex.stats().liveTasks} tasks still live after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
