// Shared by the IndexRange tests (algorithms-ranges, properties-ranges): the callbacks that record what a
// parallel call visited, and serial references to compare with. The callbacks run on workers, so each is
// self-contained (sent by source) and gets its data through options.args.
import * as assert from 'uvu/assert';

/** A range's dimensions as numbers [b0, e0, s0, b1, …]. */
export const numbersOf = (r) => Array.from({ length: r.rank }, (_, d) => r.dim(d)).flat();

/**
 * forEachByIndex callback: walks box in nested loops, outermost dimension first, and adds 1 to cell p of
 * marks for each element, p being the element's row-major position in the whole range `full` (its
 * numbers) over the dimensions whose loops ran. A dimension with no elements ends the walk there (the
 * loop above it is the deepest that runs, as Taskflow's zero-size rule has it). A box with another step,
 * or an element off the whole range's grid, counts in the last cell (marks has size() + 1 cells).
 */
export function mark(box, marks, full) {
  const bad = marks.length - 1;
  const walk = (d, p) => {
    if (d === box.rank) { Atomics.add(marks, p, 1); return; }
    const [b, e, s] = box.dim(d);
    const fb = full[3 * d], fe = full[3 * d + 1], fs = full[3 * d + 2];
    const n = Math.max(0, Math.ceil((fe - fb) / fs));
    if (s !== fs) { Atomics.add(marks, bad, 1); return; }
    if (n === 0) { Atomics.add(marks, p, 1); return; }
    for (let x = b; s > 0 ? x < e : x > e; x += s) {
      const q = (x - fb) / fs;
      if (!Number.isInteger(q) || q < 0 || q >= n) { Atomics.add(marks, bad, 1); return; }
      walk(d + 1, p * n + q);
    }
  };
  walk(0, 0);
}

/**
 * reduceByIndex local reducer: [elements of the innermost loop, Σ (7·x0 + 3·x1 − x2) over them] added to
 * the running total, which is undefined on a task's first box (a default parameter starts it), then the
 * pair it returned last. Called on a whole range, it is the serial reference.
 */
export function localSum(box, running = [0, 0]) {
  let count = running[0], sum = running[1];
  const x = [0, 0, 0];
  const walk = (d) => {
    if (d === box.rank) { count++; sum += 7 * x[0] + 3 * x[1] - x[2]; return; }
    const [b, e, s] = box.dim(d);
    for (x[d] = b; s > 0 ? x[d] < e : x[d] > e; x[d] += s) walk(d + 1);
  };
  walk(0);
  return [count, sum];
}

/** reduceByIndex global reducer for localSum's pairs. */
export const addPairs = (p, q) => [p[0] + q[0], p[1] + q[1]];

/** Asserts marks holds exactly one visit per element of the active space and nothing off the grid. */
export function once(marks, what) {
  const n = marks.length - 1;
  assert.is(marks[n], 0, `${what}: boxes off the range's grid or steps`);
  for (let i = 0; i < n; i++) if (marks[i] !== 1) assert.unreachable(`${what}: element ${i} of ${n} visited ${marks[i]} times`);
}
