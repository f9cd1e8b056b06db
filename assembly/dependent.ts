// Dependent async tasks (executor.dependentAsync, this.dependentAsync inside a task): one-off tasks that run
// once every task they depend on has retired, fed those tasks' results. The counting lives here, in the
// shared memory, so a chain does not hop through the host: a retiring dependency counts its dependents
// down, and the one it takes to zero runs next on the same worker (or goes on its deque). The protocol,
// and the argument that each link is counted exactly once, is in assembly/README.md "Dependent async tasks".
//
// A dependent task's record (layout.ts Task, the fields marked "dependent:"):
//   pending   dependencies not retired yet, + 1 held by its maker until every link is made (depArm)
//   succ      its successor list: links pushed by CAS; the atomic.xchg to CLOSED at retire takes it whole
//   pred      one heap block: u32[deps] dependency ids (their results become the arguments), then DepLink[deps]
//   tStart    its hold word, u64: serial << 32 | OWNER_GONE | references. References: its maker's (the
//             handle: the host until it read the outcome, or the making task's scope until it ends), its
//             own until it retires, and one per dependent until that dependent has read its result. The
//             thread that drops the last one frees the slot. The serial (bit 31 always set) tells a stale
//             handle from the task now in the slot; OWNER_GONE refuses handles whose maker let go.
//   done      0 until it retired, then 1 (joiners and isDone() read it)
//   nsucc     0, or i + 1: it failed because dependency i did, and carries that error
import { HEADER, Header, Task, TaskFlag, DepLink, NONE, EMPTY, RESULT_ENCODED, RESULT_ERROR, taskAt } from "./layout";
import { taskFree, taskFreeW, pushReady, postToHost } from "./tasks";
import { heapFree } from "./heap";

const DEP_SERIAL = HEADER + offsetof<Header>("depSerial");
const T_PENDING = offsetof<Task>("pending");
const T_SUCC = offsetof<Task>("succ");
const T_DONE = offsetof<Task>("done");
const T_HOLD = offsetof<Task>("tStart");
const T_FLAGS = offsetof<Task>("flags");

/** `succ` of a retired dependent task: links can no longer be pushed (heap blocks are 16-aligned: never 1). */
const CLOSED: u32 = 1;
const SERIAL_BIT: u32 = 0x80000000;   // set in every serial: never 0, never a watched task's start time
const OWNER_GONE: u64 = 0x80000000;   // the maker let go: its handle may no longer take references
const REFS: u64 = 0x7fffffff;

/**
 * Any thread: makes task slot t (its record written by initLoneTask, its arguments written) a dependent task
 * with `n` dependencies listed in `block` (u32[n] then DepLink[n]; 0 when n is 0), made by task `maker`
 * (NONE: the host). Two references: its maker's and its own. Returns its serial. The plain stores here are
 * published by what hands the task on: the CAS of each link (depLink) and the count-down of depArm.
 */
export function depInit(t: u32, block: usize, n: u32, maker: u32): u32 {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  const serial = SERIAL_BIT | (atomic.add<u32>(DEP_SERIAL, 1) & 0x7fffffff);
  task.state = maker + 1;   // NONE + 1 == 0: the host
  task.deps = n;
  task.pred = <u32>block;
  task.npred = n;
  task.succ = 0;
  task.nsucc = 0;
  atomic.store<u32>(p, 0, T_DONE);
  atomic.store<i32>(p, <i32>n + 1, T_PENDING);
  atomic.store<u64>(p, (<u64>serial << 32) | 2, T_HOLD);
  atomic.store<u32>(p, task.flags | TaskFlag.Dependent, T_FLAGS);   // after `state`: the crash scan reads the flag first
  return serial;
}

/**
 * Host: makes task slot t, whose result the caller wrote, a dependent task that has already retired: the
 * value of a handle whose own slot was given back, for one dependent to read. One reference, which that
 * dependent takes over when the caller links it (depLink, without depHold).
 */
export function depFinished(t: u32): void {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  const serial = SERIAL_BIT | (atomic.add<u32>(DEP_SERIAL, 1) & 0x7fffffff);
  task.state = 0;
  task.deps = 0;
  task.pred = 0;
  task.npred = 0;
  task.nsucc = 0;
  atomic.store<u32>(p, CLOSED, T_SUCC);
  atomic.store<u32>(p, 1, T_DONE);
  atomic.store<u64>(p, (<u64>serial << 32) | 1, T_HOLD);
  atomic.store<u32>(p, task.flags | TaskFlag.Dependent, T_FLAGS);
}

/**
 * Any thread: takes a reference to dependent task d for the caller, if d still is the task of that serial
 * and its maker has not let go. False otherwise (the handle is stale: nothing was taken). One CAS on the
 * hold word decides it, so a reference is never taken on a slot being freed.
 */
export function depHold(d: u32, serial: u32): bool {
  const at = taskAt(d) + T_HOLD;
  while (true) {
    const h = atomic.load<u64>(at);
    if (<u32>(h >> 32) != serial || (h & OWNER_GONE) != 0 || (h & REFS) == 0) return false;
    if (atomic.cmpxchg<u64>(at, h, h + 1) == h) return true;
  }
}

/**
 * Any thread, the maker of t, which holds a reference to d (depHold) that t now owns: makes d dependency i
 * of t. Writes the link, then pushes it on d's successor list by CAS; if d has already retired (its list is
 * CLOSED), counts t down itself instead (never to zero: the maker still holds one, depArm). The CAS and
 * d's atomic.xchg at retire decide which of the two counts this edge: exactly one does.
 */
export function depLink(t: u32, i: u32, d: u32): void {
  const tp = taskAt(t);
  const task = changetype<Task>(tp);
  const ids = <usize>task.pred;
  store<u32>(ids + (<usize>i << 2), d);
  const link = ids + (<usize>task.deps << 2) + <usize>i * offsetof<DepLink>();
  changetype<DepLink>(link).succ = t;
  const at = taskAt(d) + T_SUCC;
  while (true) {
    const head = atomic.load<u32>(at);
    if (head == CLOSED) { atomic.sub<i32>(tp + T_PENDING, 1); return; }
    changetype<DepLink>(link).next = head;   // published by the CAS below
    if (atomic.cmpxchg<u32>(at, head, <u32>link) == head) return;
  }
}

/**
 * Any thread, the maker of t, after linking every dependency: lets go of the count the maker held. True if
 * t is ready now: worker w (not NONE) has pushed it on its own deque already; the host submits it itself.
 */
export function depArm(w: u32, t: u32): bool {
  if (atomic.sub<i32>(taskAt(t) + T_PENDING, 1) != 1) return false;
  if (w != NONE) pushReady(w, t);
  return true;
}

/**
 * Any thread: 0 while dependent task t of that serial has not retired, 1 once it has, 2 when the slot no
 * longer holds it, or its maker let go (either way it retired: a maker lets go only after that).
 */
export function depState(t: u32, serial: u32): u32 {
  const p = taskAt(t);
  const h = atomic.load<u64>(p + T_HOLD);
  if (<u32>(h >> 32) != serial || (h & OWNER_GONE) != 0) return 2;
  return atomic.load<u32>(p + T_DONE);
}

/** Any thread, w its worker (NONE: the host): drops one reference to dependent task t; the last one frees it. */
export function depRelease(w: u32, t: u32): void {
  const at = taskAt(t) + T_HOLD;
  while (true) {
    const h = atomic.load<u64>(at);
    const last = (h & REFS) == 1;
    if (atomic.cmpxchg<u64>(at, h, last ? 0 : h - 1) == h) {
      if (last) depFree(w, t);
      return;
    }
  }
}

/**
 * The maker of dependent task t of that serial drops its reference and marks that it let go (OWNER_GONE),
 * so copies of its handle take no more. False, and nothing changed, if it had let go already or the slot
 * holds another task now (the host's crash scan may find a handle that the dead task's scope released,
 * then freed and made again by another task: the serial tells them apart).
 */
export function depDisown(w: u32, t: u32, serial: u32): bool {
  const at = taskAt(t) + T_HOLD;
  while (true) {
    const h = atomic.load<u64>(at);
    if (<u32>(h >> 32) != serial || (h & OWNER_GONE) != 0 || (h & REFS) == 0) return false;
    const last = (h & REFS) == 1;
    if (atomic.cmpxchg<u64>(at, h, last ? 0 : (h | OWNER_GONE) - 1) == h) {
      if (last) depFree(w, t);
      return true;
    }
  }
}

/**
 * The last reference to t went (the CAS that took it left the hold word 0, so no stale handle matches it
 * again): frees its result block, its pred block if still there, then its slot. Its arguments were freed
 * by the worker that ran it (src/worker/dependent.ts), or by the host's crash recovery.
 */
function depFree(w: u32, t: u32): void {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  const kind = task.resInfo & 0xff;
  if (kind == RESULT_ENCODED || kind == RESULT_ERROR) heapFree(<usize>load<u32>(p, offsetof<Task>("r0")));
  task.resInfo = 0;
  if (task.pred != 0) { heapFree(<usize>task.pred); task.pred = 0; task.npred = 0; }
  if (w == NONE) taskFree(t); else taskFreeW(w, t);
}

/**
 * tasks.ts retire, for dependent task t (its result written): closes its successor list, marks it done,
 * counts each linked successor down (the first to reach zero is returned for the caller to run next, the
 * others go on w's deque, or the injector from the host), then lets go of its dependencies (it has read
 * their results) and of its own reference, and posts it to the host if the host waits for it.
 */
export function depRetire(w: u32, t: u32): i32 {
  const p = taskAt(t);
  const task = changetype<Task>(p);
  const flags = task.flags;
  let link = <usize>atomic.xchg<u32>(p + T_SUCC, CLOSED);   // from here no link is pushed: those taken are ours to count
  atomic.store<u32>(p, 1, T_DONE);                        // publishes the result to joiners (written before finish)
  let first: i32 = EMPTY;
  while (link != 0) {
    const l = changetype<DepLink>(link);
    const next = <usize>l.next;   // before the count-down: the successor may run, and free this link, once it reaches zero
    const s = l.succ;
    if (atomic.sub<i32>(taskAt(s) + T_PENDING, 1) == 1) {
      if (first == EMPTY) first = <i32>s; else pushReady(w, s);
    }
    link = next;
  }
  const ids = <usize>task.pred;
  if (ids != 0) {
    // Every link in the block was walked by its dependency before t became ready: the block is t's alone.
    const n = task.npred;
    for (let i: u32 = 0; i < n; i++) depRelease(w, load<u32>(ids + (<usize>i << 2)));
    heapFree(ids);
    task.pred = 0;
    task.npred = 0;
  }
  // Our own reference before the post: the host holds one until it has read the post, so this never frees t
  // when it posts, and after the post nothing here touches t.
  depRelease(w, t);
  if ((flags & TaskFlag.NotifyHost) != 0) postToHost(t);
  return first;
}
