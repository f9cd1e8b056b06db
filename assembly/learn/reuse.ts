// A reused call's observation (src/learn/router.ts: a call that took its shape's settled decision):
// its time folded into the shape's row (shapes.ts shapeObserve), and whether the decision still holds
// after it, by src/policy/route-reuse.ts reuseHolds (the specification; test/router-core.test.mjs holds
// the two to the same answers). One call into the core in place of a call, a read of the row and the
// host's check, on the path every reused call runs.
//
// Owner-only, as the shape table: the host thread times the calls and observes them.
import { ShapeStat } from "../layout";
import { shapeObserve, shapeStat } from "./shapes";

/**
 * Owner: folds y (log2 µs per element, f64 as the host computed it) measured for choice o into row
 * `row` (clipped at lim; shapeObserve), then whether the settled decision holds: the call's jump over
 * `at` (the route's mean per element at the shape when it was decided) within the lead (`margin`,
 * counted up to `lead`), and the route's mean moved by at most `drift` of that lead since. 1 holds; 0
 * it ended (a y that is NaN or +∞ never holds; the host drops such times before).
 */
export function reuseSeen(b: usize, row: u32, o: u32, y: f64, lim: f64, at: f64, margin: f64, lead: f64, drift: f64): i32 {
  shapeObserve(b, row, o, <f32>y, <f32>lim);
  const l = Math.min(margin, lead);
  const moved = <f64>changetype<ShapeStat>(shapeStat(b, row, o)).mean - at;
  return y - at <= l && moved <= drift * l ? 1 : 0;
}
