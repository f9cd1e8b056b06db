// Tabular Q-learning (Watkins 1989): Q(s, a) ← Q(s, a) + α (r + γ max_a' Q(s', a') − Q(s, a)), actions
// chosen ε-greedily with a seedable xorshift32 (Marsaglia 2003), so a run replays exactly.
//
// Owner-only: a Q-table is read and updated by the one thread that observes its rewards (the worker
// whose policy it is), with plain loads and stores; nothing in it is shared while that thread uses it.
// Whoever hands it over (the host reading it for inspection after the owner stopped) relies on the
// handing-over store (a thread's exit, a completion push) to publish it. That keeps the update path to a
// handful of loads and one store.
import { QTable } from "../layout";

// @ts-ignore: decorator
@inline function cell(q: usize, s: u32, a: u32): usize {
  return q + offsetof<QTable>() + ((<usize>s * changetype<QTable>(q).actions + a) << 2);
}

/** Bytes of a Q-table block. */
export function qSize(states: u32, actions: u32): usize { return offsetof<QTable>() + (<usize>states * actions << 2); }

/** Owner: configures a block and zeroes Q. seed 0 is replaced by a fixed non-zero seed. */
export function qInit(q: usize, states: u32, actions: u32, alpha: f32, gamma: f32, epsilon: f32, seed: u32): void {
  const t = changetype<QTable>(q);
  t.states = states; t.actions = actions; t.alpha = alpha; t.gamma = gamma; t.epsilon = epsilon;
  t.rng = seed == 0 ? 0x2545f491 : seed;
  t.updates = 0;
  memory.fill(q + offsetof<QTable>(), 0, <usize>states * actions << 2);
}

function nextRandom(t: QTable): u32 {
  let x = t.rng;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  t.rng = x;
  return x;
}

/** The greedy action of state s (the lowest index among ties). */
export function qBest(q: usize, s: u32): u32 {
  const n = changetype<QTable>(q).actions;
  let best: u32 = 0, v = load<f32>(cell(q, s, 0));
  for (let a: u32 = 1; a < n; a++) { const w = load<f32>(cell(q, s, a)); if (w > v) { v = w; best = a; } }
  return best;
}

/** Owner: an ε-greedy action for state s. */
export function qChoose(q: usize, s: u32): u32 {
  const t = changetype<QTable>(q);
  const r = <f32>(nextRandom(t) >> 8) * (<f32>1 / <f32>16777216);   // uniform in [0, 1), 24 bits
  if (r < t.epsilon) return nextRandom(t) % t.actions;
  return qBest(q, s);
}

/** Owner: one update after taking action a in state s, reward r, next state s2. 0 (refused) when r is not finite or an index is out of range. */
export function qUpdate(q: usize, s: u32, a: u32, r: f32, s2: u32): i32 {
  const t = changetype<QTable>(q);
  if (!isFinite(r) || s >= t.states || s2 >= t.states || a >= t.actions) return 0;
  const p = cell(q, s, a);
  const old = load<f32>(p);
  const target = r + t.gamma * load<f32>(cell(q, s2, qBest(q, s2)));
  store<f32>(p, old + t.alpha * (target - old));
  t.updates++;
  return 1;
}

/** Q(s, a). */
export function qValue(q: usize, s: u32, a: u32): f32 { return load<f32>(cell(q, s, a)); }
