// The worker loop's Wasm half: find the next task (exploit → explore → waitForTask) and finish one.
// The JS half (src/worker/main.ts, run.ts) is just: t = next(w); while (t >= 0) { run t in JS; t = finish(w, t, ok) }.
//
//   exploit      pop our own deques, most urgent level first (LIFO: the successors we just made ready are
//                hot in cache), until a task we may run, or empty: a stopped run's tasks are skipped on the way
//   explore      the injector, then steal from every other worker starting at a random victim (its most
//                urgent level first)
//   waitForTask  search for a while (at most maxSpinners workers spin, spinIters rounds each), then
//                announce sleep, re-check, and park on our slot's `parked` word (sleep.ts; assembly/README.md#sleep)
import { Header, HEADER, WorkerSlot, Task, TaskFlag, EMPTY, RETRY, SHUTDOWN, NONE, INJECTOR, LEVELS, NORMAL, PRIO_USED, LEVELS_USED, LINGER, HOST_BUSY, workerAt, taskAt, levelQueue, levelDeque } from "./layout";
import { dequePop, dequeSteal, dequeLength } from "./deque";
import { mpmcPop, mpmcLength } from "./mpmc";
import { beginSearch, endSearchFound, endSearchEmpty, announceSleep, cancelSleep, park, isShutdown, spinnerCount } from "./sleep";
import { retire, runFailed, skip, flushRun, claimSources, pushReady, postToHost } from "./tasks";
import { semAcquire, semUnacquire, SEM_TAKEN, SEM_PARKED } from "./semaphores";
import { spinBudget, spinChoose, spinLearn, SPIN_PLAIN } from "./learn/spin";


/** xorshift32 on the worker's own rng word (owner-only, plain). */
function nextRandom(s: WorkerSlot): u32 {
  let x = s.rng;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  s.rng = x;
  return x;
}

/**
 * One round of explore: the submission queues, then each other worker once. A task id, EMPTY, or RETRY.
 * Sets s.more when the place it took from still holds work (for endSearchFound).
 *
 * Priority levels: until the host first submits at a level other than normal, only the injector is
 * looked at. Then the levels are taken most urgent first, FIFO within each; but every agingTick-th pop
 * serves one lower level first (low, normal, high in turn), so a steady stream of urgent work cannot
 * starve the rest: each lower level gets at least one pop in 3·agingTick while it has work.
 */
function explore(w: u32, s: WorkerSlot): i32 {
  if (atomic.load<u32>(PRIO_USED) == 0) {
    const t = fromQueue(w, s, INJECTOR);
    return t != EMPTY ? t : stealRound(w, s);
  }
  const tick = changetype<Header>(HEADER).agingTick;
  if (tick != 0 && ++s.pops % tick == 0) {
    const t = fromQueue(w, s, levelQueue(LEVELS - 1 - (s.pops / tick) % (LEVELS - 1)));
    if (t != EMPTY) return t;
  }
  for (let l: u32 = 0; l < LEVELS; l++) {
    const t = fromQueue(w, s, levelQueue(l));
    if (t != EMPTY) return t;
  }
  return stealRound(w, s);
}

/** Pops submission queue q: a task, the first source of a run whose seed it held, or EMPTY. */
function fromQueue(w: u32, s: WorkerSlot, q: usize): i32 {
  const t = mpmcPop(q);
  if (t >= 0) { s.more = mpmcLength(q) > 0 ? 1 : 0; return t; }
  if (t != EMPTY) {                                   // a run's seed (RUN_BIT set): claim a chunk of sources
    const first = claimSources(w, <u32>t, q);
    if (first >= 0) { s.more = 1; return first; }
  }
  return EMPTY;
}

/**
 * Tries to steal once from each other worker: first the workers of w's steal domain (slots
 * [domStart, domStart + domCount), grouped by shared last-level cache: src/observe/topology.ts), from a random
 * one of them, then all the others, from a random one of those. A task id, EMPTY, or RETRY.
 * One domain (domCount 0 or every worker) is a single pass from one random victim, as without domains.
 * domStart/domCount are configuration (written before the thread started), read plainly.
 */
function stealRound(w: u32, s: WorkerSlot): i32 {
  const n = changetype<Header>(HEADER).nWorkers;
  if (n < 2) return EMPTY;
  // Read once a round, after anything this round's caller did before (W1 in waitForTask): a push on a
  // level deque stores the flag before it pushes (Header.levelsUsed), so a round that reads 0 started
  // before any such push.
  const levels = atomic.load<u32>(LEVELS_USED) != 0;
  const start = s.domStart, count = s.domCount;
  if (count == 0 || count >= n) return stealRange(w, s, 0, n, n, levels);
  const near = stealRange(w, s, start, count, n, levels);
  if (near >= 0) return near;
  const far = stealRange(w, s, start + count, n - count, n, levels);   // the rest: the range after ours, wrapping
  return far >= 0 || near == EMPTY ? far : RETRY;
}

/**
 * One steal attempt from each of the `count` workers start, start + 1, … (mod n), beginning at a random
 * one, skipping w. A task id, EMPTY (all empty), or RETRY (lost a race somewhere: work may remain).
 */
function stealRange(w: u32, s: WorkerSlot, start: u32, count: u32, n: u32, levels: bool): i32 {
  let outcome = EMPTY;
  let k = nextRandom(s) % count;
  for (let i: u32 = 0; i < count; i++, k = k + 1 == count ? 0 : k + 1) {
    let v = start + k;
    if (v >= n) v -= n;
    if (v == w) continue;
    const vp = workerAt(v);
    const got = levels ? stealLevels(v) : dequeSteal(vp);
    if (got >= 0) { s.steals++; s.more = (levels ? queuedOn(v) : dequeLength(vp)) > 0 ? 1 : 0; return got; }
    if (got == RETRY) { s.failedSteals++; outcome = RETRY; }
  }
  return outcome;
}

/**
 * Steals from victim v's deques, the most urgent level first (Taskflow's TaskQueue does the same with one
 * top/bottom pair per priority). A task, EMPTY, or RETRY: a race lost at one level ends the attempt
 * rather than taking a less urgent task from the next (the round goes on to other victims, and the
 * caller searches again on RETRY).
 */
function stealLevels(v: u32): i32 {
  for (let l: u32 = 0; l < LEVELS; l++) {
    const got = dequeSteal(levelDeque(v, l));
    if (got != EMPTY) return got;
  }
  return EMPTY;
}

/** Any thread: tasks on worker v's deques of every level (approximate, as dequeLength; metrics). */
export function queuedOn(v: u32): i32 {
  let n = 0;
  for (let l: u32 = 0; l < LEVELS; l++) n += dequeLength(levelDeque(v, l));
  return n;
}

/**
 * Host, before worker w's thread starts: w steals from workers [start, start + count) before the others
 * (stealRound). False, and nothing written, unless that range lies within the workers and contains w.
 */
export function setStealDomain(w: u32, start: u32, count: u32): bool {
  const n = changetype<Header>(HEADER).nWorkers;
  if (w >= n || count == 0 || start >= n || count > n - start || w < start || w - start >= count) return false;
  const s = changetype<WorkerSlot>(workerAt(w));
  s.domStart = start;
  s.domCount = count;
  return true;
}

/**
 * The rounds a searcher may spin for the host's linger word (Header.linger), or 0. A linger keeps a CPU
 * busy for the next algorithm call's helpers; it must not take one from work in progress. The host
 * holds one while it runs its share of a call (Header.hostBusy), and the workers running a task hold
 * theirs: so a searcher lingers only while the spinners (itself counted) and the workers running a task
 * fit in maxSpinners (at most CPUs − 1), or in one more while the host is not busy (a driving task's
 * call, or between calls). Without this, a call after a pause that woke two workers for one helper had
 * the second spin through the whole call on a 2-CPU machine, three threads on two CPUs. Other workers'
 * `current` words are read plainly: a hint, stale by a task at most, as the spinner count is.
 */
function lingerRounds(h: Header): u32 {
  const rounds = atomic.load<u32>(LINGER);
  if (rounds == 0) return 0;
  const cap = h.maxSpinners + (atomic.load<u32>(HOST_BUSY) == 0 ? 1 : 0);
  const spinning = spinnerCount();
  return spinning <= cap && spinning + runningWorkers(cap - spinning + 1) <= cap ? rounds : 0;
}

/**
 * Any thread: the workers running a task now (`current` ≥ 0), counted up to `limit` (the scan stops
 * there). A hint: each owner writes its `current` plainly, so a word read here is stale by a task at
 * most. The host counts idle workers with it (src/engine/engine.ts wake); a searcher, whether it may linger.
 */
export function runningWorkers(limit: u32): u32 {
  const n = changetype<Header>(HEADER).nWorkers;
  let k: u32 = 0;
  for (let v: u32 = 0; v < n && k < limit; v++) if (changetype<WorkerSlot>(workerAt(v)).current >= 0) k++;
  return k;
}

/** Searches, spins, parks; returns a task or SHUTDOWN. */
function waitForTask(w: u32, s: WorkerSlot): i32 {
  const h = changetype<Header>(HEADER);
  // A first look without announcing ourselves: when work is at hand (the common case under load) this
  // leaves the shared `spinners` word alone.
  const first = explore(w, s);
  if (first >= 0) return first;
  flushRun(w);   // no work at hand: apply our held run balance before searching (tasks.ts credit)
  // Back from its park, a worker does not linger in the search that follows: it spins its spinIters
  // and parks again. Its waker may be the thread it displaced, the host at the start of a call before
  // it pushes the helpers: on a 2-vCPU VM the woken worker was put on the host's vCPU, and the host's
  // futex wake returned only once the worker had spun its whole linger and parked (about 1 parallel
  // call in 10 stalled for lingerMicroseconds: bench/tools/parallel-stalls.mjs). A worker that finds
  // work lingers after it as before (this function's next search).
  let woken = false;
  while (true) {
    // Search phase: count ourselves as a searcher so producers know someone is looking.
    const mayspin = beginSearch(h.maxSpinners);
    s.searching = 1;
    // The spin budget: the heuristic's spinIters, or the Q-learned policy's choice (learn/spin.ts)
    const q = mayspin ? <usize>s.qspin : 0;
    const a = q != 0 ? spinChoose(q, s) : SPIN_PLAIN;
    const budget = spinBudget(h.spinIters, a);
    let rounds = mayspin ? max<u32>(budget, woken ? 0 : lingerRounds(h)) : 1;
    for (let i: u32 = 0; i < rounds; i++) {
      const t = explore(w, s);
      if (t >= 0) { s.searching = 0; endSearchFound(s.more != 0); if (q != 0) spinLearn(q, s, a, i, h.spinIters, false); return t; }
      if (t == RETRY) i = i > 0 ? i - 1 : 0;   // someone is racing us for work: keep looking
      if (isShutdown()) { s.searching = 0; endSearchEmpty(); return SHUTDOWN; }
      // Past the usual spin, a linger ends when the host clears (or lowers) its word: its rounds were
      // timed at start-up without contention and can take far longer now. It also ends once others
      // started running tasks (lingerRounds). Re-read every 64 rounds, and at the end of the usual spin:
      // a linger refused at the start (another searcher was about to park) may be allowed by then.
      if (mayspin && !woken && ((i >= budget && (i & 63) == 63) || i + 1 == rounds)) rounds = max<u32>(budget, lingerRounds(h));
    }
    s.searching = 0;
    endSearchEmpty();
    if (q != 0) spinLearn(q, s, a, rounds, h.spinIters, true);
    // Sleep phase. W1: announce; W2: re-check; W3: withdraw; W4: park until claimed.
    announceSleep(w);                                            // W1
    const t = explore(w, s);                                     // W2
    if (t >= 0) { cancelSleep(w); return t; }                    // W3
    if (isShutdown()) { cancelSleep(w); return SHUTDOWN; }       // W3
    if (t == RETRY) { cancelSleep(w); continue; }                // W3: work exists, we just lost a race
    s.parks++;
    park(w, -1);                                                 // W4
    s.wakeups++;
    woken = true;
  }
}

/**
 * Skips tasks of failed runs (retiring them in Wasm) until a runnable task or EMPTY remains. A revocable
 * task is claimed here (state 0 → 1); if the host withdrew it first (cancelled or moved to another
 * level) it is handed back to the host, which frees it, and EMPTY is returned. A graph task that
 * acquires semaphores takes their units here (semaphores.ts); if one has none free the task is parked on
 * it, the semaphore's until a unit comes back, and EMPTY is returned: the worker goes on with other work.
 * A task with neither flag costs the one load of its flags it always did.
 */
function runnable(w: u32, t: i32): i32 {
  while (t >= 0) {
    if (runFailed(<u32>t)) { t = skip(w, <u32>t); continue; }
    const flags = changetype<Task>(taskAt(<u32>t)).flags;
    if ((flags & (TaskFlag.Revocable | TaskFlag.Semaphores)) == 0) return t;
    if ((flags & TaskFlag.Revocable) != 0) {
      if (atomic.cmpxchg<u32>(taskAt(<u32>t), 0, 1, offsetof<Task>("state")) == 0) return t;
      postToHost(<u32>t);
      return EMPTY;
    }
    const got = semAcquire(w, <u32>t);
    if (got == SEM_TAKEN) return t;
    if (got == SEM_PARKED) return EMPTY;
    // SEM_STOPPED: its run stopped while it looked; the next turn skips it
  }
  return t;
}

/**
 * exploit: pops w's own deques until they yield a task to run, or EMPTY once they are empty. A task w
 * may not run (of a stopped run: skipped; withdrawn: handed back) is no reason to stop looking here:
 * the rest may hold any number of the stopped run's tasks (and skipping one pushes its released
 * successors on these same deques), and w must not look elsewhere, let alone park, while they sit
 * here. Only w pushes on its deques, so EMPTY means they stay empty until w pushes again: the sleep
 * protocol's re-check (W2, explore) never looks at w's own deques, and relies on this.
 */
// @ts-ignore: decorator
@inline function exploit(w: u32, sp: usize): i32 {
  while (true) {
    const t = popOwn(w, sp);
    if (t < 0) return EMPTY;
    const r = runnable(w, t);
    if (r >= 0) return r;
  }
}

/**
 * Pops w's own deques, the most urgent level first; only the normal one (w's slot, sp) until a task of
 * another level was ever pushed on a deque (Header.levelsUsed), so graphs without priorities pay one
 * load of a word nobody writes. w sees its own pushes; a replacement thread on w's slot starts after
 * the flag was set, which its creation publishes.
 */
// @ts-ignore: decorator
@inline function popOwn(w: u32, sp: usize): i32 {
  if (atomic.load<u32>(LEVELS_USED) == 0) return dequePop(sp);
  for (let l: u32 = 0; l < LEVELS; l++) {
    const t = dequePop(l == NORMAL ? sp : levelDeque(w, l));
    if (t >= 0) return t;
  }
  return EMPTY;
}

// How find() looks beyond w's own deques.
const WAIT: u32 = 0;     // waitForTask: explore, spin, sleep; returns a task or SHUTDOWN
const QUEUES: u32 = 1;   // one explore round: the submission queues, then a steal round
const STEALS: u32 = 2;   // one steal round

/**
 * exploit, then one look elsewhere (`how`), again as long as what that look took may not be run (a
 * stopped run's task, skipped: its successors may now be on our deques; a withdrawn one, handed back).
 * Such a task is not "nothing found": callers sleep on EMPTY, with the stopped run's other tasks queued
 * behind it. Each turn retires or hands back one queued task, so this ends. A task to run, or the
 * look's EMPTY, RETRY or SHUTDOWN.
 */
// @ts-ignore: decorator
@inline function find(w: u32, s: WorkerSlot, sp: usize, how: u32): i32 {
  while (true) {
    const t = exploit(w, sp);
    if (t >= 0) return t;
    const found = how == WAIT ? waitForTask(w, s) : how == QUEUES ? explore(w, s) : stealRound(w, s);   // our deques are empty
    if (found < 0) return found;
    const r = runnable(w, found);
    if (r >= 0) return r;
  }
}

/** Worker w: the next task to run (blocking), or SHUTDOWN. Records it as the worker's current task. */
export function next(w: u32): i32 {
  const sp = workerAt(w);
  const s = changetype<WorkerSlot>(sp);
  const t = find(w, s, sp, WAIT);
  s.current = t;
  settleForeign(w, s, t);
  return t;
}

/**
 * Before worker w runs task t: if it holds a balance for a run other than t's, apply it now. Otherwise a
 * finished run's end would wait until this task (an async task, or a long task of another run) is done.
 */
// @ts-ignore: decorator
@inline function settleForeign(w: u32, s: WorkerSlot, t: i32): void {
  if (t >= 0 && s.batchCount != 0 && changetype<Task>(taskAt(<u32>t)).run != s.batchRun) flushRun(w);
}

/**
 * Worker w finished running task t (failed: it threw). A condition task lists the successors it chose
 * at `choices` (n indices, checked against nsucc and de-duplicated by the caller); other tasks pass 0.
 * Retires t and returns the next task to run: the successor it made ready if any, else whatever next()
 * finds.
 */
export function finish(w: u32, t: u32, failed: bool, choices: usize, n: u32): i32 {
  const sp = workerAt(w);
  changetype<WorkerSlot>(sp).executed++;
  // No longer "running t" before retiring it: if this thread is killed mid-retire, the host must not
  // retire t a second time (that would release its successors twice).
  changetype<WorkerSlot>(sp).current = -1;
  const cached = runnable(w, retire(w, t, failed, choices, n));
  if (cached >= 0) {
    changetype<WorkerSlot>(sp).current = cached;   // a successor: same run, nothing to settle
    return cached;
  }
  changetype<WorkerSlot>(sp).current = -1;
  return next(w);
}

/**
 * Host, before any worker starts: runs n explore rounds as worker w over the (empty) queues and returns
 * how many found work (0). The host times it to turn a spin *duration* into a round count: Wasm has no
 * clock, and a round's cost depends on the machine and the worker count.
 */
export function calibrateSpin(w: u32, n: u32): u32 {
  const s = changetype<WorkerSlot>(workerAt(w));
  let found: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if (explore(w, s) >= 0) found++;
  return found;
}

/**
 * One task to run now, without blocking: w's own deque, then one look elsewhere (a steal round, or a
 * whole explore round with the submission queues). Records it as current. With nothing at hand it
 * applies w's held run balance, as waitForTask does: a joiner may be waiting for a (subflow) run whose
 * last count-down w holds, while w waits in a join of its own. A task id, EMPTY or RETRY.
 */
function takeNow(w: u32, withQueues: bool): i32 {
  const sp = workerAt(w);
  const s = changetype<WorkerSlot>(sp);
  const t = find(w, s, sp, withQueues ? QUEUES : STEALS);
  if (t >= 0) { s.current = t; settleForeign(w, s, t); return t; }
  flushRun(w);
  return t;
}

/**
 * Worker w, helping while a task it runs waits in ctx.join: its own deque first (the children it just
 * spawned), then one steal round. Not the submission queues: what the host submits (async tasks that may
 * return promises) waits for the main loop. EMPTY if none. The caller restores the joining task as
 * current afterwards.
 */
export function helpNext(w: u32): i32 {
  const t = takeNow(w, false);
  return t < 0 ? EMPTY : t;
}

/**
 * Worker w, while tasks of its own await promises: the next task without blocking (its deque, then one
 * explore round: submission queues, seeds, steals), or EMPTY (RETRY: lost a race, try again), or SHUTDOWN.
 * The caller must not park in a blocking wait while it owns pending promises: it waits with
 * Atomics.waitAsync on its `parked` word instead (announceSleep, tryNext again, wait, cancelSleep).
 */
export function tryNext(w: u32): i32 {
  const t = takeNow(w, true);
  return t < 0 && isShutdown() ? SHUTDOWN : t;
}

/**
 * Worker w puts task t, which it took but will not run yet, back on its own deque (the injector if that
 * is full). It is no longer w's current task.
 */
export function requeue(w: u32, t: u32): void {
  changetype<WorkerSlot>(workerAt(w)).current = -1;
  // Not started after all: a revocable task may be withdrawn again until a worker takes it; a task that
  // took semaphore units (runnable) gives them back, and takes them again when it is taken again.
  const flags = changetype<Task>(taskAt(t)).flags;
  if ((flags & TaskFlag.Revocable) != 0) atomic.store<u32>(taskAt(t), 0, offsetof<Task>("state"));
  if ((flags & TaskFlag.Semaphores) != 0) semUnacquire(w, t);
  pushReady(w, t);
}

/**
 * Worker w finished task t that it ran while helping (see finish). Returns the successor t made ready,
 * to run next, or EMPTY; never blocks, so the joining task can look at its children again.
 */
export function finishNested(w: u32, t: u32, failed: bool, choices: usize, n: u32): i32 {
  const sp = workerAt(w);
  changetype<WorkerSlot>(sp).executed++;
  changetype<WorkerSlot>(sp).current = -1;
  const cached = runnable(w, retire(w, t, failed, choices, n));
  if (cached >= 0) changetype<WorkerSlot>(sp).current = cached;
  return cached;
}

/**
 * Host, after worker w's thread died and before its replacement starts: undoes the shared state the dead
 * thread held. Its run balance is applied; if it was searching it leaves `spinners` (otherwise producers
 * would go on believing someone searches, and never wake a sleeper); if it was announced asleep it is
 * withdrawn. Its deque stays: the replacement, or thieves, run what is queued there. Returns the task it
 * was running, or -1. Not covered: a thread terminated from outside in the middle of a deque or queue
 * operation, or holding the heap lock (a crash inside task code can do neither).
 */
export function recoverWorker(w: u32): i32 {
  const s = changetype<WorkerSlot>(workerAt(w));
  flushRun(w);
  if (s.searching != 0) { s.searching = 0; endSearchEmpty(); }
  cancelSleep(w);
  const t = s.current;
  s.current = -1;
  return t;
}

