// Critical-path priorities for graph runs (docs/learning.md "Critical path"): pure functions of a
// graph's successor lists and its nodes' predicted durations. src/learn/critical.ts reads the predictions
// and writes the levels into the task table between two runs of a taskflow.
//
// The longest remaining path of a node (its *bottom level* in list-scheduling terms: its own predicted
// duration plus the longest bottom level among its successors) is the time the run needs from that
// node's start at least. Among tasks that become ready together, starting the one with the longest
// remaining path first is the classic critical-path list-scheduling rule (HLFET: Adam, Chandy,
// Dickson 1974; the rule in HEFT's upward rank, Topcuoglu et al. 2002).

/** Priority levels (src/policy/scheduling.ts PRIORITIES): 1 high, 2 normal. */
const HIGH = 1;
const NORMAL = 2;

/**
 * A node whose remaining path is at least this share of the graph's longest is raised from normal to
 * high; the others stay normal. Two bands, not more: the level decides which deque a ready task waits
 * on, and the order within a level (longest first) does the finer ranking.
 */
export const CRITICAL_SHARE = 0.5;

/**
 * Bottom levels of a DAG of n nodes: succ[succOff[i] .. succOff[i+1]) are node i's successors, dur[i] its
 * predicted duration (0 when unknown). Returns, per node, its duration plus the longest bottom level
 * among its successors. A node on a cycle (a laid-out graph has none: flatten.ts checks) keeps 0.
 */
export function bottomLevels(n: number, succOff: ArrayLike<number>, succ: ArrayLike<number>, dur: ArrayLike<number>): Float64Array {
  // Kahn's order over the reversed edges: a node is final once all its successors are
  const out = new Float64Array(n);
  const left = new Int32Array(n);
  const predOf: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    left[i] = succOff[i + 1] - succOff[i];
    for (let k = succOff[i]; k < succOff[i + 1]; k++) predOf[succ[k]].push(i);
  }
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (left[i] === 0) ready.push(i);
  while (ready.length > 0) {
    const i = ready.pop()!;
    let longest = 0;
    for (let k = succOff[i]; k < succOff[i + 1]; k++) longest = Math.max(longest, out[succ[k]]);
    out[i] = Math.max(0, dur[i]) + longest;
    for (const p of predOf[i]) if (--left[p] === 0) ready.push(p);
  }
  return out;
}

/**
 * Levels from bottom levels: a node the user left at normal becomes high when its remaining path is at
 * least CRITICAL_SHARE of the longest; every other node keeps its own level (`base`). All normal when
 * nothing is predicted (every bottom level 0).
 */
export function criticalLevels(bottom: ArrayLike<number>, base: ArrayLike<number>): Uint8Array {
  let max = 0;
  for (let i = 0; i < bottom.length; i++) max = Math.max(max, bottom[i]);
  const out = new Uint8Array(base.length);
  for (let i = 0; i < base.length; i++) {
    out[i] = base[i] === NORMAL && max > 0 && bottom[i] >= CRITICAL_SHARE * max ? HIGH : base[i];
  }
  return out;
}

/** items ordered by descending bottom level, stably (ties keep their order). */
export function longestFirst(items: readonly number[], bottom: (i: number) => number): number[] {
  return items.map((i, k) => [i, k]).sort((a, b) => bottom(b[0]) - bottom(a[0]) || a[1] - b[1]).map((p) => p[0]);
}

/**
 * Whether run number `run` (1 for a taskflow's first) recomputes the priorities first: runs 2, 3, 5, 9,
 * 17, 33 (the predictions settle quickly, so early runs replan often), then every 64th. A replan costs
 * one prediction read per node and a pass over the edges: well under the run's own cost for graphs of
 * tasks long enough to be timed, and paid once per 64 runs in the steady state. Those runs replan only
 * within their budget (replanFits).
 */
export function replanAt(run: number): boolean {
  return run >= 2 && (((run - 1) & (run - 2)) === 0 || run % 64 === 1);
}

/**
 * The share of a taskflow's own run time since its last replan (wall time from a run's start to its
 * end, times the workers) a replan may take. Over a graph of tiny tasks a replan costs more than its
 * runs (a chain of 2^20 empty tasks: 1.1 s, against 69 ms a run), and its order gains nothing there;
 * over tasks long enough to be worth ordering it is a small part of one run.
 */
export const REPLAN_SHARE = 0.05;
/** A replan's cost per node before one was measured (µs): about what a 2^20-node replan measured. */
export const REPLAN_US_PER_NODE = 1.5;
/**
 * A replan that costs at most this (ms) always takes place when due: a small graph's (a few dozen
 * nodes: 0.1–1 ms, most of it the code's first use), at most once in 64 runs after the first few.
 */
export const REPLAN_FREE_MS = 0.5;

/**
 * Whether a replan due now fits its budget: its cost (`replanMs`, the taskflow's last replan's, or
 * REPLAN_US_PER_NODE for each of its `nodes` before any) at most REPLAN_FREE_MS, or at most
 * REPLAN_SHARE of `workMs`, the taskflow's run time since its last replan (wall × workers). A replan
 * put off waits for the next run due, its budget still growing.
 */
export function replanFits(replanMs: number | undefined, nodes: number, workMs: number): boolean {
  const cost = replanMs ?? (nodes * REPLAN_US_PER_NODE) / 1000;
  return cost <= REPLAN_FREE_MS || cost <= REPLAN_SHARE * workMs;
}
