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
