// The memory map: the only file that knows where things live in the shared memory.
//
// Every thread instantiates this module against one shared WebAssembly.Memory. Nothing here allocates,
// there are no data segments, no start function and no mutable globals: all state lives at addresses
// computed from the Header, which configure() fills in once, on the host, before any worker starts.
// The host reads every offset through the `off_*` / `size_*` / `count_*` exports of offsets.ts and
// never types a number in (src/engine/memory.ts).
//
//   0        64         448        576           704 = REGIONS
//   ├────────┼─ Header ─┼ Injector ┼ Completions ┼ heap classes ┬─ region table (configure) ─────────►
//   │ unused │ (6 lines)│ Mpmc 128 │ Mpmc 128    │ u32[32]      │ workers · deques · injector cells ·
//   │ (null) │          │          │             │              │ completion cells · tasks · runs · fns
//                                                               │ · heap (grows to the memory's end)
//
// Blocks in the heap whose layout is declared here too (the section "Heap blocks" below): a worker's
// frames, await list and choices (named by its WorkerSlot), an algorithm call's job block, the metrics
// block, a cancellation token's words, a semaphore's words and a placed taskflow's semaphore block.

export const LINE: u32 = 64;          // cache line; fields written by different threads sit on different lines
export const HEADER: usize = 64;      // below 64 stays zero so a null pointer never aliases live state
export const MAGIC: u32 = 0x62666c77; // 'bflw'

export const NONE: u32 = 0xffffffff;  // "no task / no run / no worker"
export const EMPTY: i32 = -1;         // queue outcome: nothing there
export const RETRY: i32 = -2;         // steal outcome: lost a race, the deque may still hold work
export const SHUTDOWN: i32 = -3;      // next() outcome: the executor is shutting down
export const RUN_BIT: u32 = 0x80000000; // completion-ring entry for a finished run, not a task
// Result kinds the core must know (the rest are src/engine/kinds.ts's business; the Codec checks at start-up,
// through the flag_Result* exports, that it uses the same values).
export const RESULT_ENCODED: u32 = 5;   // r0 holds (ptr, len) of a heap block the result owns
export const RESULT_ERROR: u32 = 16;    // the same, holding an encoded error
export const RESULT_SKIPPED: u32 = 32;  // resInfo of a task skipped because its run failed or was cancelled

// Header: configuration (written once) then one cache line per group of shared words.
// Byte ruler (each row one 64-byte line):
//   0   magic nWorkers taskCap dequeCap runCap fnCap maxSpinners spinIters workers tasks runs fns heap heapLimit … (config)
//   64  sleepers spinners wakeHint shutdown linger hostBusy                                (sleep protocol, atomic)
//   128 hostSeq hostWaiting                                                                (host wake-up, atomic)
//   192 freeHead(u64) taskBump live fnCount subBump subFree(u64) depSerial                  (slot allocators, atomic)
//   256 heapLock heapTop heapFailures                                                      (heap allocator)
//   320 injectorCells completionCells … prioUsed levelDeques levelsUsed learn execId         (config, read-only; two flags)
@unmanaged export class Header {
  // line 0: configuration, written by configure() before any worker exists; workers read it plainly
  // (Worker creation happens-after configure() on the host thread, which publishes these words).
  magic: u32; nWorkers: u32; taskCap: u32; dequeCap: u32;
  runCap: u32; fnCap: u32; maxSpinners: u32; spinIters: u32;
  workers: u32; tasks: u32; runs: u32; fns: u32;
  heapBase: u32;
  subBase: u32;      // run slots from here to runCap are subflow runs (subflows.ts subRunAlloc); below, host runs
  levels: u32;       // the Mpmc headers of priority levels 0, 1 and 3 (level 2 is INJECTOR), 128 bytes each
  agingTick: u32;    // every agingTick-th queue pop of a worker serves a lower level first (0: never); setAging
  // line 1: sleep protocol (assembly/README.md#sleep). All four words are accessed only with atomics.
  sleepers: i32;     // workers announced as parked and not yet claimed by a waker; producers look only when > 0
  spinners: i32;     // workers searching for work without sleeping; producers skip the wake when > 0
  wakeHint: u32;     // where the next waker starts scanning for a parked worker (any value is correct)
  shutdown: i32;     // non-zero: workers return SHUTDOWN from next()
  linger: u32;       // explore rounds a spinner makes before it parks, if more than spinIters (host: setLinger)
  hostBusy: u32;     // non-zero while the host runs its share of an algorithm call: lingering leaves it a CPU
  _s1: u64; _s2: u64; _s3: u64; _s4: u64; _s5: u64;
  // line 2: host wake-up (the host awaits Atomics.waitAsync on hostSeq). Atomic only.
  hostSeq: i32;      // bumped by a worker that finds hostWaiting set
  hostWaiting: i32;  // set by the host before it re-checks the completion ring and waits
  _w0: u64; _w1: u64; _w2: u64; _w3: u64; _w4: u64; _w5: u64; _w6: u64;
  // line 3: task slot allocator (tasks.ts). Atomic only.
  freeHead: u64;     // Treiber stack head: (tag << 32) | (task + 1); 0 = empty
  taskBump: u32;     // slots below this have been handed out at least once
  live: u32;         // slots currently allocated (metrics)
  fnCount: u32;      // function table entries claimed so far (host and workers claim with atomic.add)
  subBump: u32;      // subflow run slots handed out at least once (from subBase up)
  subFree: u64;      // Treiber stack of freed subflow run slots: (tag << 32) | (run + 1); 0 = empty
  depSerial: u32;    // dependent async tasks made so far: each takes the next as its serial (dependent.ts depInit)
  _f0: u32; _f2: u64; _f3: u64; _f4: u64;
  // line 4: heap allocator (heap.ts). heapLock is atomic; heapTop is plain, guarded by heapLock.
  heapLock: i32; heapTop: u32; heapFailures: u32; heapBytes: u32;
  _a0: u64; _a1: u64; _a2: u64; _a3: u64; _a4: u64; _a5: u64;
  // line 5: region pointers of the two Vyukov queues' cell arrays and of the level deques (config, read-only
  // after configure), and two flags each set once and then only read
  injectorCells: u32; completionCells: u32; completionMask: u32; injectorMask: u32;
  prioUsed: u32;     // 0 until the host first submits at a level other than normal (atomic; worker.ts explore)
  levelDeques: u32;  // the Deque blocks of levels 0, 1 and 3, LEVELS - 1 per worker (levelDeque); config
  levelsUsed: u32;   // 0 until a task of a level other than normal is first pushed on a deque (atomic, set once
                     // before that push; tasks.ts pushOn): until then a worker pops and steals the normal deques only
  learn: u32;        // heap pointer to the learners' block (LearnTable below; 0 = none), host-written before any
                     // worker starts (src/learn/models.ts); then read-only. learn/predictor.ts reads it
  execId: u32;       // a random number naming this executor in the AsyncTask handles made inside tasks (so a
                     // handle of another executor is refused, not misread); host-written before any worker starts
  _r1: u32; _r3: u64; _r4: u64; _r5: u64;
}

export const PRIO_USED: usize = HEADER + offsetof<Header>("prioUsed");   // see Header.prioUsed
export const LEVELS_USED: usize = HEADER + offsetof<Header>("levelsUsed");   // see Header.levelsUsed
export const INJECTOR: usize = HEADER + offsetof<Header>();   // Mpmc: submissions from outside, overflow
export const COMPLETIONS: usize = INJECTOR + 128;              // Mpmc: finished async tasks and runs → host
export const HEAP_CLASSES: usize = COMPLETIONS + 128;          // u32[32]: free-list heads per size class
export const REGIONS: usize = HEAP_CLASSES + 128;              // first byte configure() may hand out

// A bounded Vyukov MPMC queue (mpmc.ts). head and tail on separate lines: consumers CAS head,
// producers CAS tail. `mask` and `cells` are configuration.
//   0   head · · ·                          (consumers, atomic)
//   64  tail mask cells · ·                 (producers, atomic tail)
@unmanaged export class Mpmc {
  head: u32; _h0: u32; _h1: u64; _h2: u64; _h3: u64; _h4: u64; _h5: u64; _h6: u64; _h7: u64;
  tail: u32; mask: u32; cells: u32; _t0: u32; _t1: u64; _t2: u64; _t3: u64; _t4: u64; _t5: u64; _t6: u64;
}

// One worker's slot: its Chase–Lev deque ends and its counters.
//   0   top parked · ·                      (thieves and owner CAS top; wakers CAS parked; atomic)
//   64  bottom buf mask current rng more batchRun batchCount searching awaitList awaitCap domStart domCount metrics
//                                       (owner writes; thieves atomic-load bottom; dom*/metrics host config)
//   128 executed steals failedSteals parks wakeups overflows slotCache slotCached liveDelta frames exit qspin inlined · pops choices
//                                       (owner writes plainly; host reads for metrics and after the thread died)
@unmanaged export class WorkerSlot {
  top: i32;
  parked: i32;       // 1 while this worker is announced as asleep; a waker claims it by CAS 1 → 0 (sleep.ts)
  _t1: u64; _t2: u64; _t3: u64; _t4: u64; _t5: u64; _t6: u64; _t7: u64;
  bottom: i32; buf: u32; mask: u32;
  current: i32;      // task running now, or -1; owner-written plainly, read by the host after the thread died
  rng: u32;
  more: u32;         // owner-only scratch: the last explore left more work where it took from
  batchRun: u32;     // owner-only: the run whose count this worker holds a balance for (tasks.ts credit)
  batchCount: i32;   //   and that balance, always ≤ 0 (count-downs not yet applied)
  searching: u32;    // owner-only: 1 while counted in Header.spinners (read by the host after the thread died)
  awaitList: u32;    // heap pointer to AwaitEntry[awaitCap] (below): the tasks of this worker awaiting a promise;
                     // owner-written plainly, read by the host after the thread died
  awaitCap: u32;
  domStart: u32;     // this worker's steal domain: workers [domStart, domStart + domCount) are tried first when
  domCount: u32;     //   stealing (worker.ts stealRound); 0 = one domain. Host-written before the thread starts
                     //   (setStealDomain), published by thread creation; then read-only
  metrics: u32;      // heap pointer to the MetricsHeader (below; 0 = none), host-written before the thread
                     //   starts; the Wasm core never reads it
  qState: u32;       // owner-only: the spin policy's state, the outcome of this worker's last search (learn/spin.ts)
  _b6: u32;
  executed: u32; steals: u32; failedSteals: u32; parks: u32;
  wakeups: u32; overflows: u32;
  slotCache: u32;    // heap pointer to u32[SLOT_CACHE]: task slots this worker freed and will reuse (tasks.ts
  slotCached: u32;   //   taskAllocW/taskFreeW); and how many it holds. Owner-only, plain (the host reads them
  liveDelta: i32;    //   after the thread died); liveDelta: this worker's allocations minus frees through its cache
  frames: u32;       // heap pointer to u32[1 + n]: a count, then the tasks on this worker's stack below the
                     //   running one (each waiting in a join while the worker runs others); owner-written
                     //   plainly, read by the host after the thread died (Frames below; src/worker/frames.ts)
  exit: i32;         // why the slot's thread is leaving: 0 running, 1 recycling, 2 idle exit (src/worker/lifecycle.ts).
                     //   The thread stores it (atomic) just before a planned exit; the pool reads it (atomic)
                     //   after the thread's 'exit' event and resets it before starting the slot's next thread,
                     //   whose start publishes the reset. Atomic both ways: the idle-exit handshake with the
                     //   pool's demand check relies on the single order of SC atomics. The core never reads it
  qspin: u32;        // heap pointer to this worker's spin-policy Q-table (QTable; learn/spin.ts), 0 = the
                     //   heuristic. Host-written before the thread starts (src/learn/spin.ts), published by thread
                     //   creation; then read-only. The table itself is owner-only (qtable.ts)
  inlined: u32;      // children run inline at their spawn (src/worker/lazy.ts): owner-written plainly, read by the
                     //   host for metrics, as `executed`; the core never reads it
  _m3: u32;
  pops: u32;         // owner-only: pops from the submission queues (priority aging, worker.ts explore)
  choices: u32;      // heap pointer to the thread's condition-choice buffer (Choice below; src/worker/choices.ts);
                     //   owner-written plainly, freed by the host after the thread died (memory.ts reclaimWorker)
}

// A Chase–Lev deque of one priority level other than normal (deque.ts; assembly/README.md, Priority levels).
// Its words sit where a WorkerSlot's deque words do (top at 0, bottom, buf and mask at 64: configure checks),
// so the deque functions take either: a worker's normal-level deque is its WorkerSlot itself, the others
// are Deque blocks (levelDeque), LEVELS - 1 per worker, in their own region.
//   0   top · · ·                           (thieves and owner CAS top; atomic)
//   64  bottom buf mask · ·                 (owner writes bottom; thieves atomic-load it; buf/mask config)
@unmanaged export class Deque {
  top: i32; _t0: i32; _t1: u64; _t2: u64; _t3: u64; _t4: u64; _t5: u64; _t6: u64; _t7: u64;
  bottom: i32; buf: u32; mask: u32; _b0: u32; _b1: u64; _b2: u64; _b3: u64; _b4: u64; _b5: u64; _b6: u64;
}

// A task record, two cache lines. Line 0 is scheduling state; line 1 holds values.
//   0   state fn pending deps | run flags succ nsucc | pred npred argInfo resInfo
//   48  arg words 0..5 (f64 each; see src/engine/kinds.ts for the kinds)
//   96  result words 0..1 | tStart done token
// pending is the only word touched by several threads while the task is live (atomic). All other fields
// are written by one thread and published by an atomic operation named beside them.
// A dependent async task (TaskFlag.Dependent; dependent.ts, assembly/README.md "Dependent async tasks")
// reads some of them differently, as each field's comment says after "dependent:".
@unmanaged export class Task {
  state: u32;     // revocable tasks (TaskFlag.Revocable): 0 queued, 1 started, 2 withdrawn by the host. The
                  // worker that takes the task CASes 0 → 1, the host CASes 0 → 2 (cancel, reprioritize):
                  // exactly one wins. Host-written 0 before submission, published by the queue push.
                  // A graph task parked on a semaphore (never revocable): the next task parked there + 1,
                  // 0 for the last (semaphores.ts; plain, under the semaphore's lock).
                  // dependent: the task that made it + 1 (0: the host made it), written before the flag
                  // shows; the host's crash scan releases the handles of dead makers (src/engine/recovery.ts)
                  // A spawned child (TaskFlag.Child, never revocable): its fork-join level, its spawner's + 1
                  // (learn/predictor.ts taskShape), written by the spawner and published by spawnPush's push.
                  // The meanings never meet: each use of a slot writes its flags word afresh when the record
                  // is made, and the flag names the meaning: spawnRecord stores exactly Child (or Child | Fork); Semaphores is ORed only
                  // onto graph tasks (a run, src/engine/semaphores.ts) and Dependent only onto a lone task
                  // written by initLoneTask (dependent.ts depInit), whose flags never hold Child. taskShape
                  // reads a level only under Child; semaphores.ts links only Semaphores tasks; depInit
                  // rewrites `state` before its flag shows
  fn: u32;        // function id; written by the host, published by the queue push of this task
  pending: i32;   // strong predecessors not yet finished this run; atomic.sub by each finishing predecessor.
                  // dependent: dependencies not retired yet, + 1 while its maker is still linking it.
                  // While the task runs (any kind: no one counts it down then), bits 16–31 are the
                  // levels of its fork-join children that failed on another worker (FORK_FAILED_SHIFT):
                  // atomic.or by that worker after it wrote the child's error (which the or publishes to
                  // whoever loads the bit), atomic.load by whoever takes or runs a sibling, atomic.and
                  // by the joiner once its join threw; cleared by the plain reset at retire (every
                  // child retired before it), and by every record's initialisation
  deps: u32;      // strong predecessor count (edges from condition tasks are weak and not counted);
                  // pending is reset to it when the task retires. dependent: its dependencies.
                  // A spawned child (no predecessors): its spawner's id + 1, written before its push,
                  // which publishes it (tasks.ts spawnPush; read by forkFailed and src/worker/fork-stop.ts)
  run: u32;       // run slot, or NONE for an async task; host-written before submission
  flags: u32;     // TaskFlag bits | (level ^ NORMAL) << LEVEL_SHIFT (taskLevel) | retries << 16 (src/worker/retry.ts);
                  // host-written before submission
  succ: u32;      // heap pointer to u32[nsucc] successor ids (graph layout, host-written once); for a spawned
                  // child (no successors): its spawner's id + 1, written after its push (tasks.ts spawnPush).
                  // dependent: the head of its list of successor links (0 none; CLOSED once it retired),
                  // pushed by CAS, taken whole by the atomic.xchg that closes it
  nsucc: u32;     // dependent: 0, or the index + 1 of the failed dependency whose error it carries
  pred: u32;      // heap pointer to u32[npred] strong predecessor ids, in edge insertion order; for a spawned
                  // child (no predecessors): its spawner's run, whose failure or cancellation skips it.
                  // dependent: u32[deps] dependency ids, then its DepLink[deps] (one block, its own)
  npred: u32;     // how many of them pass their results as arguments: all (deps), or 0 for a source of a
                  // composed module, whose one predecessor is the module's entry node (src/engine/placement.ts)
  argInfo: u32;   // argc | mode | 4-bit kinds (src/engine/kinds.ts); host-written before submission
  resInfo: u32;   // result kind | count; written by the worker before finish(), published by finish()'s atomics
  a0: f64; a1: f64; a2: f64; a3: f64; a4: f64; a5: f64;
  r0: f64; r1: f64;
  tStart: f64;    // a watched task (TaskFlag.Watched): when it started, ms since the epoch (the worker writes it).
                  // dependent: its hold word, u64 (dependent.ts): serial << 32 | OWNER_GONE | references
  done: u32;      // a spawned child (TaskFlag.Child): 0 until it retired, then 1 (ctx.join polls it); 2 once the
                  // host marked it orphaned (its spawner died with its worker). Atomic: retire CASes 0 → 1,
                  // the host 0 → 2; exactly one wins (tasks.ts retire, src/engine/recovery.ts).
                  // A graph task with TaskFlag.Semaphores (never a child): heap pointer to its SemList
                  // (T_SEMS below), host-written at placement, published by the push of the run's seed.
                  // dependent (an async task, never a graph task or a child): 0 until it retired, then 1
                  // (atomic store; joiners poll it)
  token: u32;     // heap pointer to the task's cancellation token (src/engine/cancel.ts), or 0; host-written before submission
}

// One successor link of a dependent async task: the link its dependency i holds to it while it waits.
// A dependent task's pred block holds u32[deps] dependency ids, then one DepLink per dependency. The task
// that links writes both words, then pushes the link on the dependency's `succ` list by CAS (which
// publishes them); the dependency reads them after the atomic.xchg that closes its list.
//   0   next succ
@unmanaged export class DepLink {
  next: u32;      // the next link of the same list (0: the end)
  succ: u32;      // the dependent task
}

// A run slot: one per laid-out taskflow (host runs), or one per subflow being joined (subflow runs).
//   0   remaining failed failures cancelled src nsrc cursor(u64) parent sub done link sems · ·
@unmanaged export class Run {
  remaining: i32; // tasks scheduled and not yet retired (over-counted, never under: tasks.ts credit);
                  // whoever takes it to 0 posts RUN_BIT|run
  failed: i32;    // 0, or first failing task + 1 (atomic cmpxchg: the first failure wins)
  failures: i32;  // how many tasks failed (atomic add)
  cancelled: i32; // non-zero once the host cancelled the run: its tasks are skipped from then on (atomic)
  src: u32;       // heap pointer to the run's source task ids; host-written, published by the cursor store
  nsrc: u32;      // how many
  cursor: u64;    // (generation << 32) | next unclaimed source; atomic (tasks.ts claimSources)
  // Subflow runs only (subflows.ts subRunStart): a graph a running task built and now joins.
  parent: u32;    // the run of the joining task (NONE if it has none): its failure or cancellation skips ours too
  sub: u32;       // 1: a subflow run; its end sets `done` instead of posting to the host. Written before start
  done: i32;      // subflow run: 0 while in flight, 1 once its count reached 0 (atomic; the joiner waits on it)
  link: u32;      // while free: next free subflow run + 1 (atomic; subflows.ts subRunFree)
  sems: u32;      // host runs: heap pointer to the taskflow's SemLedger (semaphores.ts), or 0 when none of its
                  // tasks uses a semaphore. Host-written at placement, published by the push of the run's seed;
                  // subflow runs: always 0 (their slots are never placed by the host)
  _p1: u32; _p3: u64;
}

export const SEED_RUN_MASK: u32 = 0xffff;   // an injector entry with RUN_BIT set is a seed: RUN_BIT | gen14 << 16 | run
export const SEED_GEN_MASK: u32 = 0x3fff;   // 14 bits: bit 30 stays clear, so a seed is never EMPTY (-1) as an i32
export const SEED_CHUNK: u32 = 128;         // sources a worker claims at once (then moves to its own deque)

// A function table entry, written by the host before the first task that names it is submitted.
@unmanaged export class FnEntry {
  kind: u32;      // 0 = empty, 1 = module export (name), 2 = inline source; atomic store publishes ptr/len
  ptr: u32;       // heap pointer to UTF-8 bytes: the export name or the function source
  len: u32;
  hash: u32;
}

export const enum TaskFlag {
  NotifyHost = 1,   // post the task id to the host when it retires (async tasks)
  Condition = 2,    // a condition task: its edges out are weak; it releases the successors it chose
  Child = 4,        // spawned inside a running task (ctx.spawn): retiring sets `done`; its spawner frees it (the
                    // host, if the spawner died: src/engine/recovery.ts). Cleared when a slot is freed
  Revocable = 8,    // submitted with a handle: may be withdrawn before it starts (Task.state)
  Watched = 16,     // has a timeout: the worker writes tStart (ms since the epoch) before calling it
  Semaphores = 32,  // a graph task that acquires or releases semaphores: Task.done names its SemList (semaphores.ts)
  Dependent = 64,   // a dependent async task (dependent.ts): counts its dependencies down, lists its successors, and
                    // lives as long as references to it remain (its hold word). Cleared when a slot is freed
  Fork = 128,       // with Child: a job of a subflow's fork-join (src/worker/context-object.ts forkJoin), which a
                    // sibling's failure on another worker skips (FORK_FAILED_SHIFT, tasks.ts forkFailed)
}

// spawnRecord's `level` with this bit set makes a fork-join child (TaskFlag.Fork); Task.state keeps the
// level without it. One argument, not one more: spawnNumber is a call per spawn in divide and conquer.
export const FORK_SPAWN: u32 = 0x80000000;
// A fork-join child that failed on a worker other than its joiner's ORs bit
// FORK_FAILED_SHIFT + (level & FORK_FAILED_LEVELS - 1) into its spawner's `pending` (src/worker/fork-stop.ts), where
// `level` is the child's (Task.state): whoever takes a sibling (same spawner, same level: the same
// fork-join) skips it (tasks.ts runFailed), and one running sees ctx.cancelled. A level per bit keeps
// apart the fork-joins of one task run one inside another (an inline child's frame shows its spawner's
// task, one level deeper); levels 16 apart share a bit (a mask, not a remainder: the check is on every
// take of a fork-join child). Bits 16–31: a running task's `pending` is 0, or 1 (deps == 1: never
// counted down), so they are free while it runs; its retire resets the word.
export const FORK_FAILED_SHIFT: u32 = 16;
export const FORK_FAILED_LEVELS: u32 = 16;   // a power of two

// Priority levels of the submission queues: workers take from the most urgent non-empty one first
// (worker.ts explore). Level 2 (normal) is the original injector.
export const LEVELS: u32 = 4;
export const SLOT_CACHE: u32 = 64;   // task slots a worker keeps for its own spawns (tasks.ts taskAllocW)
export const NORMAL: u32 = 2;
// A graph task's priority level sits in Task.flags bits 8–9 as `level ^ NORMAL`, so that 0 (every record
// written without one: submitted tasks, children) reads as normal. src/engine/placement.ts writes it.
export const LEVEL_SHIFT: u32 = 8;
// Capacity (log2) of each deque of a level other than normal, at most the normal deque's. A worker with
// more ready tasks of one such level overflows them to that level's submission queue, which keeps them
// ahead of less urgent levels (but, like the injector, is taken before steals). 4096 cells are 16 KiB a
// level a worker; the normal deque can be 2^16 (256 KiB), which three more per worker would multiply.
export const LEVEL_DEQUE_CAP_LOG2: u32 = 12;

// ---- heap blocks ----
// Blocks the host or a worker allocates in the shared heap (heap.ts) and lays out as declared here. The
// Wasm core reads none of them except Choice (retire); they are here so that every shared layout has
// one declaration, read by the TypeScript side through the exports of offsets.ts.

// A worker's frames (WorkerSlot.frames): the tasks on its stack below the running one, each waiting in a
// join while the worker runs others. Allocated by the worker at start-up for its cap of entries
// (src/worker/frames.ts FRAME_CAP; a deeper stack runs on, the block lists its bottom entries only).
//   0   count   4 task · task · …            (FrameEntry each: entry k is the task at depth k, 0 the bottom)
// Owner-written plainly; the host reads count, then that many entries, only after the thread died.
@unmanaged export class Frames {
  count: u32;     // entries in use (0: the running task is the worker's only one)
  tasks: u32;     // the first entry; entry k lies k · sizeof(FrameEntry) bytes further
}
@unmanaged export class FrameEntry { task: u32; }

// A worker's await list (WorkerSlot.awaitList, WorkerSlot.awaitCap entries): one entry per task the
// worker holds suspended on a promise. Owner-written plainly; the host reads it after the thread died.
// Allocated by the worker at start-up for its cap of entries (src/worker/suspend.ts AWAIT_CAP).
//   0   task+1 · task+1 · …                  (AwaitEntry each; 0 = free entry)
@unmanaged export class AwaitEntry { task1: u32; }

// A worker's condition choices (WorkerSlot.choices): the successor indices a finishing condition task
// chose, passed to finish()/retire() by pointer and count. Owner-only while it lives; the host frees it
// after the thread died.
//   0   index · index · …                    (Choice each: a successor index in [0, nsucc), each once)
@unmanaged export class Choice { index: u32; }

// An algorithm call's job block (src/algorithms/spec.ts says who writes what and what publishes it): one
// per call, allocated by its driver; when the calling thread drives the call, `slots` f64 partials follow
// it, one per part (helper `index` writes slot `index`).
//   0   cursor best stop grain parts kind n aux auxN phase runs perPair done slots · ·     (i32 words)
//   64  partial f64[slots]
@unmanaged export class Job {
  cursor: i32;    // next unclaimed item (dynamic, guided): atomic add / CAS
  best: i32;      // findIndex: the smallest match so far (atomic min by CAS)
  stop: i32;      // set (atomic) by a task whose callback threw
  grain: i32; parts: i32; kind: i32; n: i32;   // the phase's index space, written by the driver
  aux: u32;       // per algorithm: scan's chunk list, sort's second buffer (heap pointers)
  auxN: i32;      // scan: chunk list entries (atomic add); sort: the split list (heap pointer)
  phase: i32; runs: i32; perPair: i32;
  done: i32;      // helpers that handed their partial back (atomic add; caller-driven calls)
  slots: i32;     // partial slots after the block (0: a driving task's call)
  _j0: u32; _j1: u32;
}

// An executor.map call's job block (src/engine/batch-task.ts says who writes what and what publishes
// it): one per call, allocated and freed by the host. The header, then per item an 8-byte input word,
// an 8-byte output word, an input kind byte and an output kind byte (the areas named by the pointers
// below), then one MapBlock per block of `grain` items.
//   0   cursor stop n grain blocks fn inVals inKinds outVals outKinds table · · · · ·   (u32 words)
@unmanaged export class MapJob {
  cursor: i32;    // next unclaimed block: atomic add by the call's tasks
  stop: i32;      // set (atomic store) by the host when the call is cancelled
  n: u32; grain: u32; blocks: u32; fn: u32;   // items, items per block, blocks, the function's id
  inVals: u32; inKinds: u32; outVals: u32; outKinds: u32;   // heap pointers to the per-item areas
  table: u32;     // heap pointer to MapBlock[blocks]
  _m0: u32; _m1: u32; _m2: u32; _m3: u32; _m4: u32;
}
// One block of a map call's items: codec blocks (heap pointer, byte length; 0 length = none) of the
// inputs that do not fit a word (host-written), and of the block's encoded outputs and errors
// (written by the task that claimed the block).
@unmanaged export class MapBlock {
  inPtr: u32; inLen: u32; outPtr: u32; outLen: u32; errPtr: u32; errLen: u32;
}

// The metrics block (src/observe/metrics-block.ts), host-allocated once before the workers start; every
// WorkerSlot.metrics names it. The header, then one ring of METRIC_SLOTS window slots per worker.
//   0   hostOrigin(f64) sampleEvery stamps observers · · ·                    (host-written)
//   64  worker 0's ring · worker 1's ring · …                           (sizeof(MetricSlot) · METRIC_SLOTS each)
@unmanaged export class MetricsHeader {
  hostOrigin: f64;  // the host's performance.timeOrigin
  sampleEvery: u32; // time 1 task in this many (0: none); host-written plainly at any time
  stamps: u32;      // heap pointer to u32[taskCap]: submit times of stamped async tasks (µs, 0 = none)
  observers: u32;   // heap pointer to the observer block (src/observe/observers.ts), host-written before the
                    // workers start; the Wasm core never reads it
  _h0: u32;
  _h2: u64; _h3: u64; _h4: u64; _h5: u64; _h6: u64;
}
// One window slot of a worker's ring, written only by that worker (plain stores, published by finish()):
//   0   epoch+1 runSamples waitSamples ·   16 busyMs(f64)   24 run u32[METRIC_BUCKETS]   wait u32[METRIC_BUCKETS]
// 232 bytes: a multiple of 8, so busyMs stays aligned in every slot of a ring.
@unmanaged export class MetricSlot {
  epoch1: u32;      // the slot's epoch (host time / SLOT_MS) + 1; 0 = never used
  runSamples: u32; waitSamples: u32; _s0: u32;
  busyMs: f64;
}
export const METRIC_BUCKETS: u32 = 26;   // histogram buckets: [0,1) µs, powers of two up to 2^24 µs, one open bucket
export const METRIC_SLOTS: u32 = 64;     // window slots per ring
export const METRIC_RUN: usize = offsetof<MetricSlot>();                              // run-time histogram
export const METRIC_WAIT: usize = METRIC_RUN + (<usize>METRIC_BUCKETS << 2);         // wait-time histogram
export const METRIC_SLOT_BYTES: usize = METRIC_WAIT + (<usize>METRIC_BUCKETS << 2);

// A cancellation token's words in one executor's memory (src/engine/cancel.ts): heap-allocated by the
// host the first time a task uses the token; a task record's `token` names it.
//   0   cancelled reason reasonLen ·
// The host writes the reason's UTF-8 text in the heap, then reason and reasonLen (plain), then stores
// cancelled = 1 (atomic; publishes them) and notifies it. Workers load it atomically (and wait on it).
@unmanaged export class Token {
  cancelled: i32;
  reason: u32;      // heap pointer to the reason text, or 0
  reasonLen: u32;
  _k0: u32;
}

// A semaphore's words in one executor's memory (semaphores.ts; src/engine/semaphores.ts): heap-allocated
// by the host the first time a taskflow using the Semaphore is placed, one cache line so that two
// semaphores never share one.
//   0   value waiting lock head tail · …
// value and waiting are atomic (taken and given without the lock); head, tail and the parked tasks'
// links (Task.state) are plain, guarded by lock, whose release (an atomic store) publishes them.
@unmanaged export class Sem {
  value: i32;       // units free now: maxValue − units held. CAS to take one (> 0 only), atomic.add to give;
                    //   below 0 only after reset(n) lowered the maximum under units still held
  waiting: i32;     // tasks parked, or about to park: a parker adds 1 *before* it reads value again, a giver
                    //   reads it *after* its add to value (the Dekker pair of semaphores.ts park/give)
  lock: i32;        // spinlock over head, tail and the links: CAS 0 → 1 to take, atomic store 0 to release
  head: u32;        // first parked task + 1 (0: none); FIFO through Task.state
  tail: u32;        // last parked task + 1
  _m0: u32; _m1: u64; _m2: u64; _m3: u64; _m4: u64; _m5: u64;
}
// A placed taskflow's semaphore block (src/engine/placement.ts), named by its run slot's `sems`: a
// SemLedger, a SemHold per semaphore its tasks use, then a SemList per task that uses one (Task.done
// names it). Host-written plainly at placement; the push of the run's seed publishes it. Only `held` changes.
//   0   count · · ·      16  SemHold[count]: sem held (8 bytes each)      …  SemList, SemList, …
@unmanaged export class SemLedger {
  count: u32;       // SemHolds that follow
  _l0: u32; _l1: u64;
}
@unmanaged export class SemHold {
  sem: u32;         // heap pointer to the Sem
  held: i32;        // units this taskflow's run holds now: atomic.add when its tasks acquire, a CAS
                    //   decrement (> 0 only) when they release; the run's end gives back what is left (xchg)
}
// One task's semaphores: nAcq SemHold pointers to acquire (sorted by Sem address), then nRel to release.
//   0   nAcq nRel   8  hold · hold · …
@unmanaged export class SemList {
  nAcq: u32;
  nRel: u32;
}

// ---- learners (assembly/learn/; assembly/README.md "Learners") ----

// The learners' block: the duration predictors of every task fingerprint. Host-allocated once before any
// worker starts (src/learn/models.ts); Header.learn names it.
//   0   cap enabled · ·  minCutoff(f64) beta(f64) dCutoff(f64) emaAlpha(f64) · ·        (config)
//   64  observed dropped contended evicted · · …                                          (counters, atomic.add)
//   128 Predictor[cap]                                                                    (64 bytes each)
@unmanaged export class LearnTable {
  cap: u32;         // predictor entries, a power of two. Config: host-written before the workers start
  enabled: u32;     // 0: workers feed nothing (option learning: false). Atomic: the host may flip it at any time
  _c0: u64;
  minCutoff: f64;   // 1€ filter parameters (learn/one-euro.ts), in cycles per sample; host-written plainly
  beta: f64;        //   before the workers start or while `enabled` is 0 (the store that sets it publishes them)
  dCutoff: f64;
  emaAlpha: f64;    // the baseline EMA's gain
  _c1: u64; _c2: u64;
  observed: u32;    // samples folded into a predictor (atomic.add, any thread)
  dropped: u32;     // samples refused: NaN, ±Infinity or negative (a clock that went backwards)
  contended: u32;   // samples skipped because another thread held the entry's seqlock (never waited for)
  evicted: u32;     // predictors replaced by another fingerprint whose probe window was full
  _n0: u64; _n1: u64; _n2: u64; _n3: u64; _n4: u64; _n5: u64;
}
// A spawned child's fingerprint names its fork-join level where a graph task names its node: node
// FORK_LEVEL_NODE + min(level, FORK_LEVELS - 1). Graph nodes are at most 2^24 (maxTasks ≤ 2^24), so the two
// never meet. Children at one level of a divide and conquer do about the same work, and a level deeper
// about 1/k of it (k-way splits): the level is what predicts a child's duration (src/worker/forecast.ts).
export const FORK_LEVEL_NODE: u32 = (1 << 24) + 1;
export const FORK_LEVELS: u32 = 64;
// One fingerprint's predictor: one cache line. `seq` is a seqlock (learn/predictor.ts): odd while a writer
// holds it; every other word is loaded and stored atomically between the writer's CAS and release, so a
// reader whose two loads of `seq` agree (and are even) read one consistent state.
//   0   seq fn1 shape samples   16 mean m2 x dx ema rv (f64)
@unmanaged export class Predictor {
  seq: u32;         // even: stable; odd: a writer is updating (it took it by CAS even → odd)
  fn1: u32;         // function id + 1 (0: the entry is free)
  shape: u32;       // size class << 25 | graph node (task slot + 1; 0 for async tasks), or for a spawned child
                    // FORK_LEVEL_NODE + its fork-join level (learn/predictor.ts)
  samples: u32;     // samples folded in
  mean: f64;        // Welford's running mean and sum of squared deviations (ms)
  m2: f64;
  x: f64;           // the 1€ filter's value and its filtered derivative (ms, ms per sample)
  dx: f64;
  ema: f64;         // the baseline exponential moving average (ms)
  rv: f64;          // the tracked variance of the 1€ filter's residual (ms²; learn/one-euro.ts): its noise floor
}

// An online logistic model (learn/logistic.ts): a 64-byte header, then `dim` f32 weights and `dim` f32
// velocities, each array padded to 16 bytes so both start 16-aligned.
//   0   seq dim updates dropped  lr momentum l2 bias biasV · …       64 w f32[dim] · v f32[dim]
@unmanaged export class LogitModel {
  seq: u32;         // seqlock, as Predictor.seq: a writer takes it by CAS even → odd, drops its update if taken
  dim: u32;         // features; config
  updates: u32;     // updates applied (written under the seqlock)
  dropped: u32;     // updates refused: a non-finite feature or label, or a step that diverged (atomic.add)
  lr: f32; momentum: f32; l2: f32;   // learning rate, momentum, L2 penalty: config
  bias: f32; biasV: f32;             // the intercept and its velocity (under the seqlock)
  _l0: u32; _l1: u64; _l2: u64; _l3: u64;
}

// A tabular Q-learning policy (learn/qtable.ts): a 32-byte header, then f32 Q[states × actions], row-major.
// Owner-only: updated and read by the one thread that observes the rewards (plain loads and stores); the
// host reads it only after that thread is done or stopped, through the store that hands it back.
//   0   states actions rng updates alpha gamma epsilon ·    32 Q f32[states * actions]
@unmanaged export class QTable {
  states: u32; actions: u32;
  rng: u32;         // xorshift32 state for ε-greedy (seedable, never 0)
  updates: u32;
  alpha: f32; gamma: f32; epsilon: f32;   // learning rate, discount, exploration rate
  _q0: u32;
}

// The placement router (learn/router.ts): a 64-byte header, the decision's feature vector and two
// scratch vectors, then one RouteModel per option (serial, parallel, GPU). Owner-only: the host thread
// decides and observes (it times the calls), so every word is a plain load or store.
//   0   dim options noise drift p0 decisions updates refused diverged · …   (config, counters)
//   64  x f32[dim] (the features) · px f32[dim] · k f32[dim] (scratch; px also routerQuery's results) · RouteModel[options]
@unmanaged export class RouterBlock {
  dim: u32;         // features, a multiple of 4. Config: host-written by routerInit
  options: u32;     // models (choices)
  noise: f32;       // measurement noise variance of log2 time (the Kalman filter's r)
  drift: f32;       // process noise added to P's diagonal per update (q): how fast old evidence fades
  p0: f32;          // the prior variance of every weight, and the cap drift grows P's diagonal to
  updates: u32;     // updates applied, over all models
  refused: u32;     // updates refused: a non-finite feature or target
  diverged: u32;    // models reset because an update left a weight or P not finite (or P's diagonal ≤ 0)
  _r0: u64; _r1: u64; _r2: u64; _r3: u64;
}
// One option's model: a 16-byte header, then w f32[dim], support f32[dim] (the sum of the features of
// every sample: support · x says how much evidence lies near x) and P f32[dim × dim] (row-major).
@unmanaged export class RouteModel {
  samples: u32;     // updates folded in
  resVar: f32;      // running mean of the squared a-priori error (log2 time): the model's noise
  _m0: u32; _m1: u32;
}

// The placement router's per-shape measurements (learn/shapes.ts): a 32-byte header, then `slots` rows
// of `options` ShapeStats, one row per call shape (op, size class, choices open) the host maps to a slot.
// Owner-only like RouterBlock: the host thread times the calls and folds them in, plain loads and stores.
//   0   slots options gamma down updates · …   32 ShapeStat[slots × options]
@unmanaged export class ShapeBlock {
  slots: u32;       // rows. Config: host-written by shapeInit
  options: u32;     // choices per row
  gamma: f32;       // discount per observation of the row: every choice's weight × gamma, then the new one
  down: f32;        // the least gain of a sample below the mean (a cheaper call is followed fast)
  updates: u32;     // measurements folded in, over all rows
  _s0: u32; _s1: u32; _s2: u32;
}
// One choice's discounted measurements at one shape: a weighted Welford (West 1979) whose weights fade
// by gamma per observation of the row, so a choice not taken for a while loses its say (and is retried).
//   0   weight mean m2 count
@unmanaged export class ShapeStat {
  weight: f32;      // Σ gamma^age over this choice's samples: the effective sample count
  mean: f32;        // weighted mean of log2 time per element (log2 µs − log2 n)
  m2: f32;          // weighted sum of squared deviations (variance = m2 / weight)
  count: u32;       // samples folded in, never discounted
}

// ---- accessors ----

// @ts-ignore: decorator
@inline export function header(): Header { return changetype<Header>(HEADER); }
// @ts-ignore: decorator
@inline export function taskAt(t: u32): usize { return <usize>header().tasks + (<usize>t << 7); }
// @ts-ignore: decorator
@inline export function workerAt(w: u32): usize { return <usize>header().workers + <usize>w * offsetof<WorkerSlot>(); }
// @ts-ignore: decorator
@inline export function runAt(r: u32): usize { return <usize>header().runs + (<usize>r << 6); }
/** The submission queue of priority level l (0 most urgent … 3 least; 2 is the injector). */
// @ts-ignore: decorator
@inline export function levelQueue(l: u32): usize {
  if (l == NORMAL) return INJECTOR;
  return <usize>header().levels + <usize>(l < NORMAL ? l : l - 1) * 128;
}
/** Worker w's deque of priority level l: its WorkerSlot for normal, else one of its Deque blocks. */
// @ts-ignore: decorator
@inline export function levelDeque(w: u32, l: u32): usize {
  if (l == NORMAL) return workerAt(w);
  return <usize>header().levelDeques + ((<usize>w * (LEVELS - 1) + (l < NORMAL ? l : l - 1)) << 7);
}
/** The priority level (0 critical … 3 low) of a task with these flags (LEVEL_SHIFT). */
// @ts-ignore: decorator
@inline export function taskLevel(flags: u32): u32 { return ((flags >> LEVEL_SHIFT) & 3) ^ NORMAL; }
// @ts-ignore: decorator
@inline export function fnAt(f: u32): usize { return <usize>header().fns + (<usize>f << 4); }

function alignUp(x: usize, a: usize): usize { return (x + a - 1) & ~(a - 1); }

/** Bytes of memory the layout needs before the heap starts, for these parameters. Pure: touches no memory. */
export function layoutSize(nWorkers: u32, taskCapLog2: u32, dequeCapLog2: u32, runCap: u32, fnCap: u32): usize {
  return planRegions(nWorkers, taskCapLog2, dequeCapLog2, runCap, fnCap, false);
}

/**
 * Lays the regions out and writes the header. Host only, once, on a zeroed memory at least
 * layoutSize(...) + 64 KiB long, before any worker instantiates. Returns the heap base.
 */
export function configure(nWorkers: u32, taskCapLog2: u32, dequeCapLog2: u32, runCap: u32, fnCap: u32,
                          maxSpinners: u32, spinIters: u32): usize {
  // spinIters may be set again by setSpin() once the host has calibrated it, before workers start.
  const h = header();
  const heap = planRegions(nWorkers, taskCapLog2, dequeCapLog2, runCap, fnCap, true);
  h.maxSpinners = maxSpinners;
  h.spinIters = spinIters;
  h.heapBase = <u32>heap;
  h.heapTop = <u32>heap;
  h.subBase = runCap;   // no subflow runs until setSubRuns()
  atomic.store<u32>(HEADER + offsetof<Header>("subBump"), runCap);
  for (let w: u32 = 0; w < nWorkers; w++) {
    const s = changetype<WorkerSlot>(workerAt(w));
    s.current = -1;
    s.rng = 0x9e3779b9 ^ (w * 0x85ebca6b) | 1;
  }
  atomic.store<u32>(HEADER, MAGIC); // magic last: a worker that sees it sees the whole configuration
  return heap;
}

/** Host, before workers start: run slots [base, runCap) are for subflows, the rest for host runs. */
export function setSubRuns(base: u32): void {
  const h = header();
  h.subBase = min(base, h.runCap);
  atomic.store<u32>(HEADER + offsetof<Header>("subBump"), h.subBase);
}

/** Host: every `tick`-th queue pop of a worker serves a lower priority level first (0: strict priority). */
export function setAging(tick: u32): void {
  header().agingTick = tick;
}

/** Host, before workers start: the spin policy (sleep.ts, worker.ts waitForTask). */
export function setSpin(maxSpinners: u32, spinIters: u32): void {
  const h = header();
  h.maxSpinners = maxSpinners;
  h.spinIters = spinIters;
}

export const LINGER: usize = HEADER + offsetof<Header>("linger");   // see Header.linger
export const HOST_BUSY: usize = HEADER + offsetof<Header>("hostBusy");   // see Header.hostBusy

/**
 * Host, at any time: spinners make at least `rounds` explore rounds before they park (0: spinIters, the
 * usual). A parallel algorithm sets it while calls come in, so the workers its helpers ran on are still
 * looking for work when the next call's helpers are pushed: waking a parked thread costs more than such
 * a call on a VM. A hint only: the sleep protocol after the rounds is unchanged.
 */
export function setLinger(rounds: u32): void {
  atomic.store<u32>(LINGER, rounds);
}

/** Host: non-zero while it runs its share of an algorithm call (Header.hostBusy; lingering workers leave it a CPU). */
export function setHostBusy(busy: u32): void {
  atomic.store<u32>(HOST_BUSY, busy);
}

function planRegions(nWorkers: u32, taskCapLog2: u32, dequeCapLog2: u32, runCap: u32, fnCap: u32, write: bool): usize {
  const taskCap: u32 = 1 << taskCapLog2;
  const dequeCap: u32 = 1 << dequeCapLog2;
  const compCap: u32 = 1 << (32 - clz<u32>(taskCap + runCap - 1)); // next power of two ≥ taskCap + runCap
  let p: usize = alignUp(REGIONS, LINE);
  const workers = p; p += <usize>nWorkers * offsetof<WorkerSlot>();
  const deques = alignUp(p, LINE); p = deques + <usize>nWorkers * (<usize>dequeCap << 2);
  const levelCap: u32 = 1 << min(dequeCapLog2, LEVEL_DEQUE_CAP_LOG2);
  const nLevelDeques = <usize>nWorkers * (LEVELS - 1);
  const levelDeques = alignUp(p, LINE); p = levelDeques + nLevelDeques * offsetof<Deque>();
  const levelCells = alignUp(p, LINE); p = levelCells + nLevelDeques * (<usize>levelCap << 2);
  const injCells = alignUp(p, LINE); p = injCells + (<usize>taskCap << 3);
  const compCells = alignUp(p, LINE); p = compCells + (<usize>compCap << 3);
  const tasks = alignUp(p, LINE); p = tasks + (<usize>taskCap << 7);
  const runs = alignUp(p, LINE); p = runs + (<usize>runCap << 6);
  const levels = alignUp(p, LINE); p = levels + <usize>(LEVELS - 1) * (128 + (<usize>taskCap << 3));
  const fns = alignUp(p, LINE); p = fns + (<usize>fnCap << 4);
  const heap = alignUp(p, 65536);
  if (write) {
    const h = header();
    h.nWorkers = nWorkers; h.taskCap = taskCap; h.dequeCap = dequeCap; h.runCap = runCap; h.fnCap = fnCap;
    h.workers = <u32>workers; h.tasks = <u32>tasks; h.runs = <u32>runs; h.fns = <u32>fns;
    h.injectorCells = <u32>injCells; h.injectorMask = taskCap - 1;
    h.completionCells = <u32>compCells; h.completionMask = compCap - 1;
    const inj = changetype<Mpmc>(INJECTOR); inj.mask = taskCap - 1; inj.cells = <u32>injCells;
    const comp = changetype<Mpmc>(COMPLETIONS); comp.mask = compCap - 1; comp.cells = <u32>compCells;
    h.levels = <u32>levels;
    for (let l: u32 = 0; l < LEVELS - 1; l++) {
      const q = changetype<Mpmc>(levels + <usize>l * 128);
      q.mask = taskCap - 1;
      q.cells = <u32>(levels + <usize>(LEVELS - 1) * 128 + <usize>l * (<usize>taskCap << 3));
    }
    for (let w: u32 = 0; w < nWorkers; w++) {
      const s = changetype<WorkerSlot>(workers + <usize>w * offsetof<WorkerSlot>());
      s.buf = <u32>(deques + <usize>w * (<usize>dequeCap << 2));
      s.mask = dequeCap - 1;
    }
    // deque.ts reads a WorkerSlot's deque words through the Deque class: they must sit at the same offsets.
    if (offsetof<Deque>("top") != offsetof<WorkerSlot>("top") || offsetof<Deque>("bottom") != offsetof<WorkerSlot>("bottom") ||
        offsetof<Deque>("buf") != offsetof<WorkerSlot>("buf") || offsetof<Deque>("mask") != offsetof<WorkerSlot>("mask")) unreachable();
    h.levelDeques = <u32>levelDeques;
    for (let d: usize = 0; d < nLevelDeques; d++) {
      const q = changetype<Deque>(levelDeques + d * offsetof<Deque>());
      q.buf = <u32>(levelCells + d * (<usize>levelCap << 2));
      q.mask = levelCap - 1;
    }
  }
  return heap;
}
