// Property-based tests with fast-check: one seed for every property of a run (BEATFLOW_FC_SEED, else a
// fixed default, so `npm test` is repeatable), a number of cases per property that keeps each file under
// ~20 s on a loaded 2-core machine, and a time limit per property as a safety net. A failure message
// carries the seed and the counterexample's path to replay it; counterexamples worth keeping go into
// the test file as explicit regression cases (`examples`).
import fc from 'fast-check';

/** The seed of this run: BEATFLOW_FC_SEED (an integer) when set, else the fixed default. */
export const SEED = (() => {
  const raw = process.env.BEATFLOW_FC_SEED;
  if (raw === undefined || raw === '') return 20251206;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`BEATFLOW_FC_SEED must be an integer (got "${raw}")`);
  return n;
})();

/**
 * Checks `property` with the run's seed; prints how many cases ran; throws a message with the seed, the
 * path (fc's `path` replay parameter) and the counterexample when it fails. `examples` run first.
 */
export async function holds(label, property, { numRuns, timeLimitMs = 8000, examples = [] }) {
  const out = await fc.check(property, { seed: SEED, numRuns, examples, plugins: [fc.interruptAfterTimeLimit(timeLimitMs)] });
  const note = out.interrupted ? `, stopped by its ${timeLimitMs} ms limit` : '';
  console.log(`    property "${label}": ${out.numRuns} cases + ${examples.length} regression cases (seed ${out.seed}${note})`);
  if (out.failed) {
    const cause = out.errorInstance instanceof Error ? out.errorInstance.stack : String(out.errorInstance);
    throw new Error(`property "${label}" failed after ${out.numRuns} cases. Replay: BEATFLOW_FC_SEED=${out.seed} ` +
      `(fc path "${out.counterexamplePath}")\ncounterexample: ${fc.stringify(out.counterexample)}\n${cause}`);
  }
  return out;
}

/** Rejects with a labelled error if p does not settle within ms (a hang fails the case instead of the run). */
export function settles(p, ms, label) {
  let timer;
  const t = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`did not settle within ${ms} ms: ${label}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** How a promise settled: { ok: true, value } or { ok: false, error }. */
export async function outcome(p) {
  try { return { ok: true, value: await p }; } catch (error) { return { ok: false, error }; }
}
