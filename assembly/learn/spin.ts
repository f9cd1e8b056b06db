// The Q-learned spin policy (option spinPolicy: 'q-learning'; docs/learning.md "Q-learned spinning"):
// how long a searching worker spins before it parks, chosen per search by this worker's own Q-table
// (qtable.ts), instead of the heuristic's fixed budget (spinIters, from spinMicroseconds).
//
// One episode is one search of waitForTask (worker.ts). State: the outcome of the worker's previous
// search (FOUND_SOON: work within a quarter of spinIters rounds; FOUND: within spinIters; FOUND_LATE:
// later, only an action spinning longer gets there; PARKED). Action: a budget of spinIters/4, spinIters
// or 4·spinIters rounds. Reward, in units of spinIters rounds (≈ spinMicroseconds of one core burned):
// −rounds spun, and −PARK_COST more for a park (the futex wake-up it will cost a producer, and the
// woken thread's start-up delay). The worker that searched updates its own table at the end of the
// search, before it runs what it found or parks: owner-only, plain loads and stores (qtable.ts).
// Wasm has no clock, so rounds are the only time here; a linger (Header.linger) still extends a budget.
import { WorkerSlot } from "../layout";
import { qChoose, qUpdate } from "./qtable";

export const SPIN_STATES: u32 = 4;
export const SPIN_ACTIONS: u32 = 3;
const FOUND_SOON: u32 = 0;
const FOUND: u32 = 1;
const FOUND_LATE: u32 = 2;
const PARKED: u32 = 3;
/** The heuristic's action: spin spinIters rounds. */
export const SPIN_PLAIN: u32 = 1;
/**
 * A park's cost in spin budgets: waking a parked worker costs the producer a futex call (tens of µs) and
 * the woken thread 0.05–1 ms before it runs on a VM (assembly/README.md, Sleep); against the default
 * budget of 100 µs, half a budget.
 */
const PARK_COST: f32 = 0.5;

/** The rounds action a spins: spinIters / 4, spinIters or 4 · spinIters (at least 1). */
// @ts-ignore: decorator
@inline export function spinBudget(spinIters: u32, a: u32): u32 {
  return a == 0 ? max<u32>(1, spinIters >> 2) : a == 1 ? spinIters : spinIters << 2;
}

/** Owner, at a search's start: the action for this worker's state. */
export function spinChoose(q: usize, s: WorkerSlot): u32 {
  return qChoose(q, min<u32>(s.qState, PARKED));
}

/** Owner, at a search's end: found work after `spun` rounds (parked: false) or parks now after them. */
export function spinLearn(q: usize, s: WorkerSlot, a: u32, spun: u32, spinIters: u32, parked: bool): void {
  const it = <f32>max<u32>(1, spinIters);
  const next = parked ? PARKED : spun < spinIters >> 2 ? FOUND_SOON : spun < spinIters ? FOUND : FOUND_LATE;
  const r = -<f32>spun / it - (parked ? PARK_COST : 0);
  qUpdate(q, min<u32>(s.qState, PARKED), a, r, next);
  s.qState = next;
}
