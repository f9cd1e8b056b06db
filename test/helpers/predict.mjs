// Warm starts for the learning scheduler's tests: predictions that make a fork-join child short, so
// that a learning executor runs it inline (src/worker/forecast.ts), through a models snapshot. The
// nodes naming fork-join levels come from a real child fingerprint: that of `fib` (a fixture's fib
// through spawn / join), whose lowest node is level 1. restore() seeds the workers too, at their first
// spawn of each function.
import * as assert from 'uvu/assert';

/** Predicts `ms` for the children of each of `fns` at each fork-join level of `levels`. */
export async function predictShort(ex, fib, fns, { levels = [1], ms = 1e-6 } = {}) {
  await ex.async(fib, 6);
  const level1 = Math.min(...ex.models.snapshot().predictors.filter((p) => p.fn === 'fib' && p.node > 0).map((p) => p.node));
  assert.ok(ex.models.list().some((q) => q.fn === 'fib' && q.level === 1), 'fib has a level-1 prediction');
  const predictors = [];
  for (const fn of fns) for (const l of levels) predictors.push({ kind: 1, fn, sizeClass: 0, node: level1 - 1 + l, samples: 100, mean: ms, m2: 0, x: ms, dx: 0, ema: ms });
  assert.is(ex.models.restore({ version: 1, predictors }), predictors.length);
}
