// The task table: slot allocation, submission, and completion in Wasm.
//
// Completion happens in the worker that ran the task (Principle 1): finishing decrements each
// successor's `pending`, and the successor whose counter reaches zero is ready. The first ready one is
// handed back to the caller to run next (no deque round trip, like Taskflow's cached task); the rest are
// pushed on the finishing worker's own deque, or the injector when that is full or there is no worker.
// Then the run's `remaining` counter drops; whoever takes it to zero posts RUN_BIT | run to the host.
import {
  HEADER, Header, Task, Run, TaskFlag, NONE, RESULT_SKIPPED, RESULT_ENCODED, RESULT_ERROR, EMPTY, RUN_BIT, INJECTOR, COMPLETIONS,
  SEED_RUN_MASK, SEED_GEN_MASK, SEED_CHUNK,
  taskAt, runAt, workerAt, WorkerSlot, header, LEVELS, NORMAL, levelQueue, SLOT_CACHE, PRIO_USED, Choice,
  LEVELS_USED, levelDeque, taskLevel, FORK_SPAWN, FORK_FAILED_SHIFT, FORK_FAILED_LEVELS,
} from "./layout";
import { freePop, freePush, bumpClaim } from "./slots";
import { mpmcPush, mpmcLength } from "./mpmc";
import { dequePush } from "./deque";
import { notifyWork } from "./sleep";
import { heapFree, heapAlloc } from "./heap";
import { depRetire } from "./dependent";
import { semRelease, semRunEnded, semStopRun } from "./semaphores";

const FREE_HEAD = HEADER + offsetof<Header>("freeHead");
const TASK_BUMP = HEADER + offsetof<Header>("taskBump");
const LIVE = HEADER + offsetof<Header>("live");
const HOST_SEQ = HEADER + offsetof<Header>("hostSeq");
const HOST_WAITING = HEADER + offsetof<Header>("hostWaiting");
const T_PENDING = offsetof<Task>("pending");
const T_DONE = offsetof<Task>("done");
const T_SUCC = offsetof<Task>("succ");
const T_FLAGS = offsetof<Task>("flags");
// A spawned child's `done` word (layout.ts Task.done).
const CHILD_RETIRED: u32 = 1;
const CHILD_ORPHANED: u32 = 2;
const R_REMAINING = offsetof<Run>("remaining");
const R_FAILED = offsetof<Run>("failed");
const R_FAILURES = offsetof<Run>("failures");
const R_CURSOR = offsetof<Run>("cursor");
const R_CANCELLED = offsetof<Run>("cancelled");
const R_DONE = offsetof<Run>("done");

// ---- slot allocation (slots.ts): freed slots first, then never-used ones ----
// The `succ` field of a free task slot is its link word.

/** Any thread. Returns a free task slot, or -1 when all taskCap slots are in use. */
export function taskAlloc(): i32 {
  const h = header();
  let t = freePop(FREE_HEAD, <usize>h.tasks, 7, offsetof<Task>("succ"));
  if (t < 0) t = bumpClaim(TASK_BUMP, h.taskCap);
  if (t >= 0) atomic.add<u32>(LIVE, 1);
  return t;
}

/**
 * Any thread. Returns a slot to the free stack. The caller owns the slot (nobody else refers to it). Its
 * flags are cleared (a free slot is nobody's child: the host's orphan scan skips it); the push publishes that.
 */
export function taskFree(t: u32): void {
  store<u32>(taskAt(t), 0, T_FLAGS);
  freePush(FREE_HEAD, <usize>header().tasks, 7, offsetof<Task>("succ"), t);
  atomic.sub<u32>(LIVE, 1);
}

// ---- a worker's own slot cache ----
// Fork-join allocates a child's slot and frees it on the same worker (the joiner frees what it spawned).
// Going through the shared free stack for that costs two contended atomics per child on one cache line
// that every worker hits. So a worker keeps up to SLOT_CACHE freed slots of its own: owner-only, plain.
// Live-slot accounting stays exact: Header.live counts the shared stack's side, each worker's liveDelta
// its cache's side, and the host adds them up (src/engine/memory.ts liveTasks). The cache belongs to the worker
// slot, not the thread: a replacement thread on the slot goes on using it.

/** Worker w: a task slot for a child it spawns: its own cache first, else the shared stack. -1 if none. */
export function taskAllocW(w: u32): i32 {
  const s = changetype<WorkerSlot>(workerAt(w));
  if (s.slotCached == 0) return taskAlloc();
  s.slotCached--;
  s.liveDelta++;
  return <i32>load<u32>(<usize>s.slotCache + (<usize>s.slotCached << 2));
}

/** Worker w, as its thread starts: gives its slot a cache block if it has none yet (false: no memory). */
export function slotCacheInit(w: u32): bool {
  const s = changetype<WorkerSlot>(workerAt(w));
  if (s.slotCache == 0) s.slotCache = <u32>heapAlloc(SLOT_CACHE << 2);
  return s.slotCache != 0;
}

/** Worker w: frees a slot it owns (a joined child) into its cache, or the shared stack when the cache is full. */
export function taskFreeW(w: u32, t: u32): void {
  const s = changetype<WorkerSlot>(workerAt(w));
  if (s.slotCache == 0 || s.slotCached == SLOT_CACHE) { taskFree(t); return; }
  store<u32>(taskAt(t), 0, T_FLAGS);   // as taskFree; the slot stays w's own until it hands it out again
  store<u32>(<usize>s.slotCache + (<usize>s.slotCached << 2), t);
  s.slotCached++;
  s.liveDelta--;
}

// ---- submission ----

/** Host (or any thread outside a worker). Submits a ready task through the injector and wakes a worker if needed. */
export function submit(t: u32): void {
  submitQuiet(t);
  notifyWork();
}

/**
 * Host, after a batch of submitQuiet: wakes a sleeper only if more than `backlog` submissions are still
 * waiting in the injector. If they drained, an awake worker is keeping up, and waking another would take
 * the host's core (a futex wake on a busy 2-core machine preempts the waker). With backlog 0 this is safe
 * by itself: an empty injector means a worker took the work. Mid-burst the host passes a larger backlog
 * ("the awake workers are falling behind"); the check after the burst always passes 0, so queued work
 * never waits behind a long task while another worker sleeps.
 */
export function wakeIfBacklog(backlog: u32): void {
  if (queuedLength() > backlog) notifyWork();
}

/** Tasks and seeds waiting in the submission queues of every priority level. */
export function queuedLength(): u32 {
  let n = mpmcLength(INJECTOR);
  if (atomic.load<u32>(PRIO_USED) != 0) for (let l: u32 = 0; l < LEVELS; l++) if (l != NORMAL) n += mpmcLength(levelQueue(l));
  return n;
}

/**
 * Host. Submits ready task t at priority level `level` (0 critical, 1 high, 2 normal, 3 low), without
 * the wake check (as submitQuiet). The first submission at a level other than normal switches the
 * workers to looking at every level (prioUsed).
 */
export function submitAt(t: u32, level: u32): void {
  if (level == NORMAL) { mpmcPush(INJECTOR, t); return; }
  usePriorities();
  mpmcPush(levelQueue(level), t);   // publishes every field the submitter wrote to the record
}

function usePriorities(): void {
  if (atomic.load<u32>(PRIO_USED) == 0) atomic.store<u32>(PRIO_USED, 1);
}

/** Before the first push on a deque of a level other than normal: workers look at every level's deques. */
function useLevelDeques(): void {
  if (atomic.load<u32>(LEVELS_USED) == 0) atomic.store<u32>(LEVELS_USED, 1);
}

/**
 * Submits without the wake check: the caller calls wakeIfBacklog() once after a batch. A burst of host
 * submissions then costs one wake-up decision per batch rather than a futex wake per task.
 */
export function submitQuiet(t: u32): void {
  mpmcPush(INJECTOR, t);   // publishes every field the submitter wrote to the record
}

/**
 * Host. Starts run `r` of a laid-out graph whose `n` sources are listed at `list`. Every task's `pending`
 * already equals its `deps` (laid out so, and reset as each task retires). Pushes one seed, not n
 * sources: workers claim the sources in chunks (claimSources), so starting a run costs the host O(1)
 * whatever its fan-out. The run's count starts at n: every source is scheduled.
 */
export function runStart(r: u32, list: usize, n: u32): void {
  runStartAt(r, list, n, NORMAL);
}

/** runStart at priority level `level`: the run's seed waits in that level's queue. */
export function runStartAt(r: u32, list: usize, n: u32, level: u32): void {
  const rp = runAt(r);
  const run = changetype<Run>(rp);
  resetRun(rp, n);
  run.src = <u32>list;
  run.nsrc = n;
  const gen = <u32>(atomic.load<u64>(rp, R_CURSOR) >> 32) + 1;
  atomic.store<u64>(rp, <u64>gen << 32, R_CURSOR);   // publishes src and nsrc; next unclaimed = 0
  if (n == 0) { postToHost(RUN_BIT | r); return; }
  if (level != NORMAL) usePriorities();
  mpmcPush(levelQueue(level), RUN_BIT | ((gen & SEED_GEN_MASK) << 16) | r);
  notifyWork();
}

/** A run about to start with n tasks scheduled: no failure, not cancelled (atomic: workers read them). */
export function resetRun(rp: usize, n: u32): void {
  atomic.store<i32>(rp, 0, R_FAILED);
  atomic.store<i32>(rp, 0, R_FAILURES);
  atomic.store<i32>(rp, 0, R_CANCELLED);
  atomic.store<i32>(rp, <i32>n, R_REMAINING);
}

/**
 * Host: cancels run r; tasks of the run not yet started are skipped (worker.ts runnable), those parked on
 * a semaphore too (semStopRun wakes them after the store).
 */
export function runCancel(r: u32): void {
  atomic.store<i32>(runAt(r), 1, R_CANCELLED);
  semStopRun(r);
}

/**
 * Worker w popped seed `seed` from submission queue `queue`: claims up to SEED_CHUNK sources of its run with one
 * CAS on the run's cursor, puts the seed back if sources remain (so other workers claim the next
 * chunks), moves the chunk to its own deque and returns the first task, or EMPTY. The generation in the
 * seed must match the cursor's: a seed left over from an earlier run of the slot claims nothing, so no
 * source is ever claimed twice.
 */
export function claimSources(w: u32, seed: u32, queue: usize): i32 {
  const r = seed & SEED_RUN_MASK;
  const gen = (seed >> 16) & SEED_GEN_MASK;
  const rp = runAt(r);
  const run = changetype<Run>(rp);
  while (true) {
    const c = atomic.load<u64>(rp, R_CURSOR);
    if ((<u32>(c >> 32) & SEED_GEN_MASK) != gen) return EMPTY;   // stale seed
    const next = <u32>c;
    const n = run.nsrc;                                           // src and nsrc: published by the cursor store
    if (next >= n) return EMPTY;                                  // all claimed
    // Sources of more than one priority level? Placement lists them most urgent first with one of the
    // least urgent level second (src/engine/placement.ts byPriority; a resumed run's list too: runs.ts),
    // so the first two tell, and the first claim, which takes them all when they differ, is the only
    // one that must look. Otherwise every source has the level of our chunk's first, which we run
    // ourselves: one more record load a run (the second source), where reading each source's level
    // would cost a load of a record another worker wrote in the last run, per source. In chunks a
    // second worker would claim the next, less urgent chunk (it finds the seed before it steals) while
    // the most urgent wait on our deques; all at once, thieves take those first (worker.ts stealLevels).
    // Until our CAS succeeds the list may be another run's (a stale seed), so its ids are masked into
    // the table: a wrong `mixed` or `level` then only goes with a CAS that fails.
    const list = <usize>run.src + (<usize>next << 2);
    const m = header().taskCap - 1;
    const level = taskLevel(changetype<Task>(taskAt(load<u32>(list) & m)).flags);
    const mixed = next == 0 && n > 1 && taskLevel(changetype<Task>(taskAt(load<u32>(list, 4) & m)).flags) != level;
    const take = mixed ? n : min(SEED_CHUNK, n - next);
    if (atomic.cmpxchg<u64>(rp + R_CURSOR, c, c + take) != c) continue;
    if (next + take < n) { mpmcPush(queue, seed); notifyWork(); }   // back where it came from
    // Back to front: our deque pops the last pushed first, so we run them in list order.
    if (mixed) for (let i: u32 = take - 1; i > 0; i--) pushReady(w, load<u32>(list + (<usize>i << 2)));
    else for (let i: u32 = take - 1; i > 0; i--) pushOn(w, load<u32>(list + (<usize>i << 2)), level);
    return <i32>load<u32>(list);
  }
}

// ---- completion ----

/** Posts a finished async task or run to the host, and wakes the host if it waits (once per wait). */
export function postToHost(v: u32): void {
  mpmcPush(COMPLETIONS, v);
  if (atomic.load<i32>(HOST_WAITING) != 0 && atomic.xchg<i32>(HOST_WAITING, 0) != 0) {
    atomic.add<i32>(HOST_SEQ, 1);
    atomic.notify(HOST_SEQ, 1);
  }
}

/**
 * Makes ready task t available: worker w's own deque of t's priority level (taskLevel; normal for every
 * task but graph tasks given one), else (no worker, or that deque is full) the submission queue of
 * that level, whose normal one is the injector.
 */
// @ts-ignore: decorator
@inline export function pushReady(w: u32, t: u32): void {
  pushOn(w, t, taskLevel(changetype<Task>(taskAt(t)).flags));
}

// @ts-ignore: decorator
@inline function pushOn(w: u32, t: u32, level: u32): void {
  if (w != NONE) {
    const wp = workerAt(w);
    let dp = wp;
    if (level != NORMAL) { useLevelDeques(); dp = levelDeque(w, level); }   // the flag first: see Header.levelsUsed
    if (dequePush(dp, t)) { notifyWork(); return; }
    changetype<WorkerSlot>(wp).overflows++;
  }
  if (level != NORMAL) usePriorities();
  mpmcPush(levelQueue(level), t);
  notifyWork();
}

/** Retires a task of a failed run without running it; its result reads as "skipped". */
export function skip(w: u32, t: u32): i32 {
  const task = changetype<Task>(taskAt(t));
  const kind = task.resInfo & 0xff;
  if (kind == RESULT_ENCODED || kind == RESULT_ERROR) heapFree(<usize>load<u32>(taskAt(t), offsetof<Task>("r0")));   // an older run's value
  task.resInfo = RESULT_SKIPPED;                          // published by retire()'s atomics
  return retireAs(w, t, false, 0, 0, false);              // a skipped condition chooses nothing; it took no unit
}

/**
 * True if t belongs to a run that has failed or was cancelled (its remaining tasks are skipped, not
 * run), or to a subflow run inside such a run, at any depth; for a spawned child, its spawner's run.
 */
export function runFailed(t: u32): bool {
  const task = changetype<Task>(taskAt(t));
  const flags = task.flags;
  if (task.run != NONE || (flags & TaskFlag.Child) == 0) return runStopped(task.run);
  // A spawned child has no run of its own; its `pred` word names its spawner's (src/worker/context.ts spawn).
  return runStopped(task.pred) || ((flags & TaskFlag.Fork) != 0 && forkFailed(task));
}

/**
 * Fork-join child `task` (TaskFlag.Fork, queued or running: its spawner is alive): a sibling failed on
 * another worker, which set its level's bit in their spawner's `pending` (FORK_FAILED_SHIFT). The
 * spawner's id + 1 is in `deps`, published by the push (spawnPush).
 */
// @ts-ignore: decorator
@inline function forkFailed(task: Task): bool {
  const s = task.deps;   // the spawner + 1
  const bit: i32 = 1 << <i32>(FORK_FAILED_SHIFT + (task.state & (FORK_FAILED_LEVELS - 1)));
  return (atomic.load<i32>(taskAt(s - 1) + T_PENDING) & bit) != 0;
}

/** True if run r (NONE: none), or a run it is a subflow of, has failed or was cancelled. */
export function runStopped(r: u32): bool {
  while (r != NONE) {
    const rp = runAt(r);
    if (atomic.load<i32>(rp, R_FAILED) != 0 || atomic.load<i32>(rp, R_CANCELLED) != 0) return true;
    const run = changetype<Run>(rp);
    if (run.sub == 0) return false;
    r = run.parent;   // written before the subflow run started; published by the pushes of its sources
  }
  return false;
}

// ---- run counting ----
// A run's `remaining` counts tasks scheduled and not yet retired. It starts at the number of sources; a
// retiring task that makes k successors ready changes it by k − 1. With condition tasks the number of
// task executions is not known in advance (loops, branches never taken), so this count, not the number
// of tasks, says when a run is over.
//
// `remaining` is shared by every worker of the run, so each worker keeps a local balance for the run it
// is working on (batchRun, batchCount: owner-only, plain) and applies it with one atomic op. The balance
// is never positive: a credit that would make it positive is applied at once, *before* the successors it
// stands for become visible to other workers. So the shared count never under-counts: it reaches zero
// only when every scheduled task has retired and every balance is applied, and then exactly once (no
// task is left to schedule more). A worker applies its (negative) balance when it switches runs or when
// its first look for more work fails (worker.ts), so a run's end is posted as soon as the last worker
// with work for it runs dry. The host applies a dead worker's balance when it replaces it.

/** Adds d to run r's count directly; ends the run if that took it to zero. */
function applyRun(r: u32, d: i32): void {
  if (d == 0) return;
  if (atomic.add<i32>(runAt(r), d, R_REMAINING) + d == 0) runEnded(r);
}

/**
 * Run r's count reached zero: post it to the host, or, for a subflow run, set `done` for the task that
 * joins it (the store publishes, through the count's atomics, every result the run's tasks wrote).
 */
export function runEnded(r: u32): void {
  semRunEnded(r);   // units its tasks took and did not release go back first: value() reads n once the host sees the end
  const rp = runAt(r);
  if (changetype<Run>(rp).sub == 0) { postToHost(RUN_BIT | r); return; }
  atomic.store<i32>(rp, 1, R_DONE);
  atomic.notify(rp + R_DONE);
}

/** Credits d (+1: a successor scheduled, −1: a task retired with nothing replacing it) to run r. */
function credit(w: u32, r: u32, d: i32): void {
  if (w == NONE) { applyRun(r, d); return; }
  const s = changetype<WorkerSlot>(workerAt(w));
  if (s.batchCount != 0 && s.batchRun != r) flushRun(w);
  s.batchRun = r;
  const bal = s.batchCount + d;
  if (bal > 0) { s.batchCount = 0; applyRun(r, bal); }   // never hold a positive balance
  else s.batchCount = bal;
}

/** Worker w (or the host, for a dead worker): applies w's held balance to its run. */
export function flushRun(w: u32): void {
  const s = changetype<WorkerSlot>(workerAt(w));
  const n = s.batchCount;
  if (n == 0) return;
  s.batchCount = 0;
  applyRun(s.batchRun, n);
}

/**
 * Retires task t: records a failure, gives back the units of the semaphores it releases (semaphores.ts),
 * releases its successors, counts it off its run, notifies the host when asked. `w` is the finishing worker (NONE from the host). A condition task releases only the
 * successors whose indices are listed at `choices` (n of them; validated by the caller), over weak
 * edges: their `pending` is not consulted. Returns the first successor that became ready, for the
 * caller to run next (it takes t's place in the run's count), or EMPTY.
 *
 * A dependent async task retires through depRetire (dependent.ts) instead.
 *
 * Atomics on this path: one atomic.sub per strong successor edge, none for a successor with a single
 * predecessor (nobody else can release it). `pending` is reset with a plain store: every predecessor
 * has already counted down, and the next run starts only after the host has seen this one end, which
 * the run's atomic count and the completion ring publish.
 */
export function retire(w: u32, t: u32, failed: bool, choices: usize, nchoices: u32): i32 {
  return retireAs(w, t, failed, choices, nchoices, true);
}

/** retire(); `ran`: false for a task skipped without running (skip), which took no semaphore unit. */
// @ts-ignore: decorator
@inline function retireAs(w: u32, t: u32, failed: bool, choices: usize, nchoices: u32, ran: bool): i32 {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  if ((task.flags & TaskFlag.Dependent) != 0) return depRetire(w, t);   // its successors are links, not a list
  const r = task.run;
  if (failed && r != NONE) {
    // The first failure stops the run, and its tasks parked on semaphores wake to be skipped. Recorded
    // before t gives its units back: a task of the run that takes one of them sees the stop (semAcquire).
    if (atomic.cmpxchg<i32>(runAt(r), 0, <i32>t + 1, R_FAILED) == 0) semStopRun(r);
    atomic.add<i32>(runAt(r), 1, R_FAILURES);
  }
  // A task that ran gives its semaphores' units back before its successors are released: a successor
  // that acquires one of them (a chain through one semaphore) then finds it free.
  if (ran && (task.flags & TaskFlag.Semaphores) != 0) semRelease(w, t);
  task.pending = <i32>task.deps;
  let first: i32 = EMPTY;
  const list = <usize>task.succ;
  if ((task.flags & TaskFlag.Condition) != 0) {
    for (let i: u32 = 0; i < nchoices; i++) {
      const s = load<u32>(list + (<usize>load<u32>(choices + <usize>i * offsetof<Choice>(), offsetof<Choice>("index")) << 2));
      first = release(w, r, s, first);
    }
  } else {
    const n = task.nsucc;
    for (let i: u32 = 0; i < n; i++) {
      const s = load<u32>(list + (<usize>i << 2));
      const sp = taskAt(s);
      if (changetype<Task>(sp).deps == 1 || atomic.sub<i32>(sp, 1, T_PENDING) == 1) first = release(w, r, s, first);
    }
  }
  const flags = task.flags;
  if (r != NONE && first == EMPTY) credit(w, r, -1);   // nothing takes t's place in the count
  // A child publishes its result to its joiner (0 → 1). If the host marked it orphaned first (its spawner
  // died with its worker: src/engine/recovery.ts), nobody joins it: it goes to the host, which frees it.
  if ((flags & TaskFlag.Child) != 0 && atomic.cmpxchg<u32>(p, 0, CHILD_RETIRED, T_DONE) == CHILD_ORPHANED) postToHost(t);
  if ((flags & TaskFlag.NotifyHost) != 0) postToHost(t);   // the host may free t once it sees it: touch nothing of t after
  return first;
}

/**
 * Worker w, inside task `spawner`: makes child task t (written by the caller, flags Child) available.
 * It goes on w's own deque, so w runs it next when it joins (LIFO) and idle workers steal it. The
 * spawner's id goes in `succ` after the push: if w's thread dies in between, the child is never found
 * by the host's orphan scan (its slot leaks), where before the push the scan could mark a child that
 * was never queued, and wait for it forever. No thief reads `succ` of a child (it has no successors).
 * The same id goes in `deps` before the push, which publishes it to thieves (forkFailed, and
 * src/worker/fork-stop.ts on the worker where a fork-join child fails): a child has no predecessors.
 */
export function spawnPush(w: u32, t: u32, spawner: u32): void {
  const p = taskAt(t);
  changetype<Task>(p).deps = spawner + 1;
  atomic.store<u32>(p, 0, T_DONE);
  pushOn(w, t, NORMAL);   // the push publishes the record. A child has no level: normal
  store<u32>(p, spawner + 1, T_SUCC);
}

/**
 * Worker w, inside task `spawner`: writes a child of function `fn` into a slot of w's own (taskAllocW):
 * no run, no edges, no result, no arguments yet; the spawner's cancellation `token`, the run `stopRun`
 * whose failure or cancellation skips it (in `pred`: a child has no predecessors) and its fork-join
 * `level` (in `state`: a child is never revocable; with FORK_SPAWN set, a fork-join child: TaskFlag.Fork).
 * Returns the slot, or -1 when none is free. The
 * caller writes the arguments, then spawnPush publishes the record. `succ` is cleared before the Child
 * flag shows (its atomic store orders the clear first): the slot's `succ` may still name a task from its
 * last use, and the host's orphan scan (src/engine/recovery.ts) must never take this child for one of a
 * task dying now. src/worker/context-object.ts.
 */
export function spawnRecord(w: u32, fn: u32, token: u32, stopRun: u32, level: u32): i32 {
  const t = taskAllocW(w);
  if (t < 0) return t;
  const p = taskAt(<u32>t);
  const task = changetype<Task>(p);
  task.succ = 0;
  atomic.store<u32>(p, (level & FORK_SPAWN) != 0 ? TaskFlag.Child | TaskFlag.Fork : TaskFlag.Child, T_FLAGS);
  task.fn = fn; task.run = NONE; task.nsucc = 0; task.npred = 0; task.deps = 0; task.pending = 0;
  task.resInfo = 0; task.argInfo = 0; task.state = level & ~FORK_SPAWN; task.token = token; task.pred = stopRun;
  return t;
}

/**
 * spawnRecord and spawnPush in one call, for the common shape of divide and conquer: one number `a0` as
 * the only argument (`argInfo`: the codec's word for that, src/engine/kinds.ts). The slot, or -1.
 */
export function spawnNumber(w: u32, fn: u32, spawner: u32, token: u32, stopRun: u32, level: u32, argInfo: u32, a0: f64): i32 {
  const t = spawnRecord(w, fn, token, stopRun, level);
  if (t < 0) return t;
  const task = changetype<Task>(taskAt(<u32>t));
  task.a0 = a0;
  task.argInfo = argInfo;
  spawnPush(w, <u32>t, spawner);
  return t;
}

/** Successor s is ready: keep the first for the caller, count and publish the others. */
function release(w: u32, r: u32, s: u32, first: i32): i32 {
  if (first == EMPTY) return <i32>s;
  if (r != NONE) credit(w, r, 1);   // counted before anyone else can see (and retire) it
  pushReady(w, s);
  return first;
}

/** Host: retires a task whose worker died before finishing it (its successors go to the injector). */
export function retireFromHost(t: u32, failed: bool): void {
  const next = retire(NONE, t, failed, 0, 0);
  if (next >= 0) pushReady(NONE, <u32>next);
}
