// Subflow runs: a graph that a running task builds and joins (src/graph/subflow.ts).
//
// The worker that joins lays the subflow out in the task table like a host run (same records, same
// counting in tasks.ts), but under a run slot of its own taken from [subBase, runCap). It starts the
// run by pushing the sources on its own deque, then helps (runs tasks from its deque, steals) until the
// run's `done` word is set: the last retire that takes the count to zero sets it (tasks.ts runEnded)
// instead of posting to the host. Thieves run the subflow's tasks like any others.
//
// `parent` is the run of the joining task. A failure or cancellation of the parent (or of any run
// above it) skips the subflow's remaining tasks too (tasks.ts runStopped), so cancelling a run stops
// subflows nested in it at any depth; the joiner sees that with runStopped(parent) and throws.
import { HEADER, Header, Run, NONE, runAt, header } from "./layout";
import { freePop, freePush, bumpClaim } from "./slots";
import { pushReady, runEnded, resetRun } from "./tasks";

const SUB_FREE = HEADER + offsetof<Header>("subFree");
const SUB_BUMP = HEADER + offsetof<Header>("subBump");
const LINK = offsetof<Run>("link");

/** Any thread: a free subflow run slot, or -1 when all are in use. */
export function subRunAlloc(): i32 {
  const h = header();
  const r = freePop(SUB_FREE, <usize>h.runs, 6, LINK);
  return r >= 0 ? r : bumpClaim(SUB_BUMP, h.runCap);
}

/** The joiner, once the run is done and its tasks are freed: returns the slot. */
export function subRunFree(r: u32): void {
  freePush(SUB_FREE, <usize>header().runs, 6, LINK, r);
}

/**
 * Worker w starts subflow run r over n sources listed at `list` (task records written, with run = r).
 * `parent`: the run of the joining task, or NONE. The sources go on w's own deque, the first on top.
 */
export function subRunStart(w: u32, r: u32, list: usize, n: u32, parent: u32): void {
  const rp = runAt(r);
  const run = changetype<Run>(rp);
  run.sub = 1;
  run.parent = parent;
  atomic.store<i32>(rp, 0, offsetof<Run>("done"));
  resetRun(rp, n);
  if (n == 0) { runEnded(r); return; }
  for (let i = <i32>n - 1; i >= 0; i--) pushReady(w, load<u32>(list + (<usize>i << 2)));   // each push publishes the above
}

/**
 * A running task opens subflow run slot r for a task group (src/worker/group.ts). Nothing is laid out
 * under it and it never counts: the group's members are spawned children whose `pred` word names r, so
 * `runCancel(r)` skips the members not started yet (tasks.ts runFailed), and a failure or cancellation
 * of `parent` (the task's run, or NONE) or of a run above it skips them too (runStopped walks `parent`).
 * `sub` and `parent` are plain stores: every reader reaches r through a member's `pred`, and the member's
 * spawnPush (the deque push) publishes them. `failed` and `cancelled` are cleared with atomic stores
 * (their readers load them atomically), since the slot's last use may have left them set.
 */
export function groupRunOpen(r: u32, parent: u32): void {
  const rp = runAt(r);
  const run = changetype<Run>(rp);
  run.sub = 1;
  run.parent = parent;
  atomic.store<i32>(rp, 0, offsetof<Run>("failed"));
  atomic.store<i32>(rp, 0, offsetof<Run>("cancelled"));
}

/** 1 if run r (NONE: none) or a run it is nested in failed or was cancelled, else 0. */
export { runStopped } from "./tasks";
