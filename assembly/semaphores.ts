// Semaphores (Taskflow's tf::Semaphore): a graph task may acquire units of semaphores before it runs and
// release units when it ends (assembly/README.md, Semaphores, has the protocol and its argument).
//
// A task that cannot take a unit does not run and does not block its worker: it is *parked* on the
// semaphore's FIFO list, and the worker goes on with other work. Giving a unit back re-schedules parked
// tasks (on the giver's deque), which try again when a worker takes them, as Taskflow's executor does.
// Acquiring several semaphores is all or nothing: a task that takes some and misses one gives back what
// it took before it parks, so no task waits while holding a unit, and there is no deadlock.
//
// The units a taskflow's run holds are counted per semaphore in its SemLedger (`held`): a release gives a
// unit back only if the run holds one, and the run's end gives back whatever is still held (the task that
// was to release it failed, was skipped, or sat on a branch no condition chose). So no run leaks a unit.
import { Task, Run, Sem, SemLedger, SemHold, SemList, NONE, taskAt, runAt } from "./layout";
import { pushReady, runFailed } from "./tasks";

/** semAcquire outcomes. */
export const SEM_TAKEN: i32 = 0;     // every unit taken: run the task
export const SEM_PARKED: i32 = 1;    // parked on a semaphore: the task is the semaphore's until a give wakes it
export const SEM_STOPPED: i32 = 2;   // its run stopped (failed or cancelled): skip it, nothing taken
const SEM_RETRY: i32 = 3;            // park() found a unit free again: try the whole list again

const T_SEMS = offsetof<Task>("done");    // a graph task with TaskFlag.Semaphores: its SemList (layout.ts)
const T_LINK = offsetof<Task>("state");   // a parked task: the next one parked on the same semaphore + 1
const S_VALUE = offsetof<Sem>("value");
const S_WAITING = offsetof<Sem>("waiting");
const S_LOCK = offsetof<Sem>("lock");
const H_HELD = offsetof<SemHold>("held");

// @ts-ignore: decorator
@inline function holdAt(list: usize, i: u32): usize { return <usize>load<u32>(list + offsetof<SemList>() + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function semOf(hold: usize): usize { return <usize>changetype<SemHold>(hold).sem; }

// The lock guards head, tail and the links of parked tasks only; value and waiting are atomics outside it.
// Its critical sections call nothing that can block: the tasks a wake takes off the list are pushed after
// the unlock.
function lock(s: usize): void {
  while (atomic.cmpxchg<i32>(s + S_LOCK, 0, 1) != 0) {
    while (atomic.load<i32>(s + S_LOCK) != 0) { /* spin on a load, not on the CAS */ }
  }
}
// @ts-ignore: decorator
@inline function unlock(s: usize): void { atomic.store<i32>(s + S_LOCK, 0); }

/** Takes one unit of s if one is free (CAS, never below 0). */
function tryTake(s: usize): bool {
  let v = atomic.load<i32>(s, S_VALUE);
  while (v > 0) {
    const seen = atomic.cmpxchg<i32>(s + S_VALUE, v, v - 1);
    if (seen == v) return true;
    v = seen;
  }
  return false;
}

/**
 * Gives k units to s (k < 0 takes them away: reset to a lower maximum) and, if units are free and tasks
 * are parked, wakes as many as there are free units. `w`: the giving worker, whose deque takes the woken
 * tasks (NONE: the host, or a run's end: the submission queue).
 * The add to `value` comes before the load of `waiting`, and a parker adds to `waiting` before it loads
 * `value`: in the single order of SC atomics one of the two sees the other, so a unit given while a task
 * parks is either seen by the parker (it tries again) or reaches the wake (which takes the lock the
 * parker holds, so it finds the task linked).
 */
function give(s: usize, k: i32, w: u32): void {
  const v = atomic.add<i32>(s + S_VALUE, k) + k;
  if (v > 0 && atomic.load<i32>(s, S_WAITING) != 0) wake(s, <u32>v, w);
}

/**
 * Takes up to n parked tasks off s's list, oldest first, and schedules them again (pushReady: w's deque
 * of the task's level, or that level's queue for NONE). They are still counted in their runs (parked
 * tasks were scheduled and are not retired), so nothing is credited. Waking more than will get a unit is
 * harmless: a task that misses again parks again.
 */
function wake(s: usize, n: u32, w: u32): void {
  const sem = changetype<Sem>(s);
  lock(s);
  const first = sem.head;
  let at = first, k: u32 = 0;
  while (k < n && at != 0) { at = load<u32>(taskAt(at - 1), T_LINK); k++; }
  sem.head = at;
  if (at == 0) sem.tail = 0;
  if (k > 0) atomic.sub<i32>(s + S_WAITING, <i32>k);
  unlock(s);
  // The k tasks from `first` on are off the list: no other thread reads or writes their links now. Each
  // link is read before the task's push, after which a worker may take the task and park it again.
  let t = first;
  for (let i: u32 = 0; i < k; i++) {
    const next = load<u32>(taskAt(t - 1), T_LINK);
    pushReady(w, t - 1);   // publishes the task to the worker that takes it
    t = next;
  }
}

/**
 * Task t missed a unit of s: parks it at the tail of s's list, unless a unit is free again (SEM_RETRY) or
 * t's run stopped (SEM_STOPPED: skip t). The stop check is under the lock that semStopRun's wake takes:
 * a stop either finds t on the list and wakes it, or t sees the stop here, so no task of a stopped run
 * stays parked.
 */
function park(s: usize, t: u32): i32 {
  const sem = changetype<Sem>(s);
  lock(s);
  atomic.add<i32>(s + S_WAITING, 1);   // before value is read again: see give()
  const stopped = runFailed(t);
  if (stopped || atomic.load<i32>(s, S_VALUE) > 0) {
    atomic.sub<i32>(s + S_WAITING, 1);
    unlock(s);
    return stopped ? SEM_STOPPED : SEM_RETRY;
  }
  store<u32>(taskAt(t), 0, T_LINK);
  if (sem.tail != 0) store<u32>(taskAt(sem.tail - 1), t + 1, T_LINK);
  else sem.head = t + 1;
  sem.tail = t + 1;
  unlock(s);   // publishes the links; from here t belongs to s: touch nothing of it
  return SEM_PARKED;
}

/**
 * Worker w, before it runs graph task t (TaskFlag.Semaphores; worker.ts runnable): takes one unit of each
 * semaphore t acquires, all or nothing. SEM_TAKEN: run t (its run's ledger counts the units). SEM_PARKED:
 * t waits on a semaphore's list and the worker must not touch it. SEM_STOPPED: t's run stopped; skip t.
 * The list is sorted by semaphore address, so tasks that want the same semaphores try them in one order.
 */
export function semAcquire(w: u32, t: u32): i32 {
  const list = <usize>load<u32>(taskAt(t), T_SEMS);
  const n = changetype<SemList>(list).nAcq;
  while (true) {
    let k: u32 = 0;
    while (k < n && tryTake(semOf(holdAt(list, k)))) k++;
    if (k == n) {
      // Taken. Its run may have stopped since the caller looked (runnable): then the units go back and t
      // is skipped. A stop is stored before the units of the task that stopped it are given (tasks.ts
      // retire), so a task woken by them never runs.
      if (runFailed(t)) {
        for (let i: u32 = 0; i < n; i++) give(semOf(holdAt(list, i)), 1, w);
        return SEM_STOPPED;
      }
      for (let i: u32 = 0; i < n; i++) atomic.add<i32>(holdAt(list, i) + H_HELD, 1);
      return SEM_TAKEN;
    }
    for (let i: u32 = 0; i < k; i++) give(semOf(holdAt(list, i)), 1, w);   // all or nothing: back off first
    const r = park(semOf(holdAt(list, k)), t);
    if (r != SEM_RETRY) return r;
  }
}

/**
 * Worker w (NONE: the host) retires graph task t, which ran (TaskFlag.Semaphores; tasks.ts retire, not for
 * a skipped task, which took nothing): gives one unit of each semaphore t releases, if t's run holds one
 * (a CAS decrement of `held` that never goes below 0), and wakes tasks parked on it.
 */
export function semRelease(w: u32, t: u32): void {
  const list = <usize>load<u32>(taskAt(t), T_SEMS);
  const l = changetype<SemList>(list);
  const end = l.nAcq + l.nRel;
  for (let i = l.nAcq; i < end; i++) {
    const hold = holdAt(list, i);
    let h = atomic.load<i32>(hold, H_HELD);
    while (h > 0) {
      const seen = atomic.cmpxchg<i32>(hold + H_HELD, h, h - 1);
      if (seen == h) { give(semOf(hold), 1, w); break; }
      h = seen;
    }
  }
}

/** Worker w puts back graph task t, which it took but will not run yet (worker.ts requeue): its units go back. */
export function semUnacquire(w: u32, t: u32): void {
  const list = <usize>load<u32>(taskAt(t), T_SEMS);
  const n = changetype<SemList>(list).nAcq;
  for (let i: u32 = 0; i < n; i++) {
    const hold = holdAt(list, i);
    atomic.sub<i32>(hold + H_HELD, 1);
    give(semOf(hold), 1, w);
  }
}

/**
 * Run r ended (tasks.ts runEnded: every task it scheduled has retired): gives back every unit it still
 * holds. Its tasks are all retired, so nothing of the run races this; the next run of the slot starts
 * after the host saw this one end.
 */
export function semRunEnded(r: u32): void {
  const ledger = <usize>changetype<Run>(runAt(r)).sems;
  if (ledger == 0) return;
  const n = changetype<SemLedger>(ledger).count;
  for (let i: u32 = 0; i < n; i++) {
    const hold = ledger + offsetof<SemLedger>() + <usize>i * offsetof<SemHold>();
    const h = atomic.xchg<i32>(hold + H_HELD, 0);
    if (h > 0) give(semOf(hold), h, NONE);
  }
}

/**
 * Run r stopped (its first failure, or a cancel; stored before this call): wakes every task parked on a
 * semaphore its taskflow uses, so that the run's own parked tasks are skipped and the run can end. Tasks
 * of other runs woken with them try again and park again.
 */
export function semStopRun(r: u32): void {
  const ledger = <usize>changetype<Run>(runAt(r)).sems;
  if (ledger == 0) return;
  const n = changetype<SemLedger>(ledger).count;
  for (let i: u32 = 0; i < n; i++) {
    const s = semOf(ledger + offsetof<SemLedger>() + <usize>i * offsetof<SemHold>());
    if (atomic.load<i32>(s, S_WAITING) != 0) wake(s, u32.MAX_VALUE, NONE);
  }
}

// ---- host ----

/** Host: sets up the Sem block at s (heap, at least sizeof(Sem)) with `units` free units and nobody parked. */
export function semInit(s: usize, units: i32): void {
  const sem = changetype<Sem>(s);
  sem.head = 0;
  sem.tail = 0;
  atomic.store<i32>(s + S_LOCK, 0);
  atomic.store<i32>(s + S_WAITING, 0);
  atomic.store<i32>(s + S_VALUE, units);   // the push of the first seed that uses s publishes all of this
}

/**
 * Host: adds k units to s (k < 0 removes them): Semaphore.reset(n) moving the maximum by k while units
 * may be held. Wakes parked tasks if units are free.
 */
export function semAdjust(s: usize, k: i32): void {
  give(s, k, NONE);
}
