// Crash recovery on the host: what happens to the tasks of a worker whose thread died, and to the
// children they spawned (the pool, pool.ts, starts the replacement thread).
//
// Orphaned children: tasks spawned (ctx.spawn) by a task whose worker died under it. Their spawner will
// never join them, and the joiner is who frees a child, so the host takes that over (the protocol is in
// assembly/README.md, "Orphaned children"):
//
//   - a child's `succ` word holds its spawner's id + 1 (assembly/tasks.ts spawnPush, after the push; cleared
//     before the Child flag is set, src/worker/context-object.ts spawn), and a freed slot has no flags, so after a
//     crash the host finds the dead tasks' children by one scan of the slots handed out so far;
//   - for each it CASes `done` 0 → 2 (orphaned). If that wins, the child has not retired yet: when it
//     does, retire's own CAS 0 → 1 fails and it posts its id to the host, which frees it then. If the
//     word was 1, the child retired before: the host frees it now. A 2 was marked by an earlier crash.
//
// What an orphan runs is not stopped: it shares its spawner's token and run, which stop it only if they
// were cancelled or failed. Its grandchildren are joined by the orphan itself, as usual.
import { NONE, type SharedCore } from './memory.js';
import type { CrashInfo } from './pool.js';
import { messages, WorkerCrashError } from '../errors.js';
import type { EngineParts } from './parts.js';

/**
 * Host, after a worker died running the tasks in `dead`: marks their children that have not retired as
 * orphans (`marked`, each posts itself to the host when it retires) and returns those that had retired
 * (`retired`, for the host to free now), and the dependent tasks they made (`handles`: their maker's
 * reference is the host's to drop).
 */
export function orphansOf(core: SharedCore, dead: ReadonlySet<number>): { marked: number[]; retired: number[]; handles: [slot: number, serial: number][] } {
  const marked: number[] = [], retired: number[] = [], handles: [number, number][] = [];
  if (dead.size === 0) return { marked, retired, handles };
  core.refresh();
  const { u32, i32, L } = core;
  const bump = Math.min(core.taskCap, Atomics.load(u32, (L.header + L.H_taskBump) >> 2));
  const size = L.size_Task >> 2, base = core.tasks >> 2;
  const fFlags = L.T_flags >> 2, fSucc = L.T_succ >> 2, fDone = L.T_done >> 2, fState = L.T_state >> 2;
  const fSerial = (L.T_tStart + 4) >> 2;   // the high word of a dependent task's hold word (assembly/dependent.ts)
  const CHILD = L.flag_Child, DEPENDENT = L.flag_Dependent;
  for (let t = 0, i = base; t < bump; t++, i += size) {
    // Flags first, by an atomic load: a child being spawned stores its flag atomically after clearing
    // `succ` (src/worker/context-object.ts spawn), so one seen as a child shows a cleared or a current
    // `succ`. A dependent task's maker and serial are written before its flag the same way
    // (assembly/dependent.ts depInit); the serial is read before the maker, so a maker read from an
    // earlier task in the slot goes with that task's serial, and depDisown then leaves the new one alone.
    const flags = Atomics.load(u32, i + fFlags);
    if ((flags & DEPENDENT) !== 0) {
      const serial = Atomics.load(u32, i + fSerial);
      if (dead.has(u32[i + fState] - 1)) handles.push([t, serial]);
      continue;
    }
    if ((flags & CHILD) === 0 || !dead.has(u32[i + fSucc] - 1)) continue;
    const was = Atomics.compareExchange(i32, i + fDone, 0, 2);
    if (was === 0) marked.push(t);
    else if (was === 1) retired.push(t);
  }
  return { marked, retired, handles };
}

/** What recovery needs of the engine. */
export interface RecoveryHost extends EngineParts {
  /** The error for a task whose worker was terminated because it ignored a cancellation (timeouts.ts). */
  forcedError(t: number): Error | undefined;
  /** Frees a lone task's slot and blocks (tasks.ts). */
  freeSlot(t: number): void;
  /** Every worker slot failed to restart: the engine stops with this error. */
  giveUp(error: Error): void;
}

/**
 * A worker's thread died (crash, out of memory, terminate): the tasks it held fail with a
 * WorkerCrashError naming the worker and the task, their children are taken over as orphans, and the
 * pool starts a replacement (pool.ts). Host thread only.
 */
export class Recovery {
  readonly #h: RecoveryHost;
  /** Children whose spawner died with its worker, not retired yet: each posts itself when it retires. */
  readonly #orphans = new Set<number>();
  #broken = 0;

  constructor(host: RecoveryHost) {
    this.#h = host;
  }

  /** The pool reports a dead thread and what it held (pool.ts CrashInfo). */
  crashed(info: CrashInfo): void {
    const h = this.#h;
    if (!h.isRunning()) return;
    const cause = info.terminated ? messages.terminated : info.error instanceof Error
      ? messages.died(info.error.message)
      : messages.exited(info.exitCode);
    const lost = [...new Set([...(info.task === undefined ? [] : [info.task]), ...info.joining, ...info.awaiting])];
    // Their children lose their joiner: the host frees them. Marked before the lost tasks retire below,
    // so a lost task that was itself such a child posts itself to be freed.
    const { marked, retired, handles } = orphansOf(h.core, new Set(lost));
    for (const c of marked) this.#orphans.add(c);
    h.completions.inFlight += marked.length;
    for (const c of retired) h.freeSlot(c);
    const L = h.core.L;
    for (const t of lost) {
      const name = h.outcomes.name(t);
      const err = h.forcedError(t) ?? new WorkerCrashError(messages.crashed(info.worker, cause, name), info.worker,
        { exitCode: info.exitCode, cause: info.error, task: name });
      const p = h.core.taskPtr(t), flags = h.core.u32[(p + L.T_flags) >> 2];
      // A child's joiner reads the error from its result, and so do a dependent task's dependents and
      // joiners; the host keeps only those of the tasks whose outcome it reads itself.
      if ((flags & L.flag_Child) === 0 && (flags & (L.flag_Dependent | L.flag_NotifyHost)) !== L.flag_Dependent) h.outcomes.crashed(t, err);
      if ((flags & L.flag_Dependent) !== 0) h.codec.freeArgs(p);   // its worker frees them once read: maybe not yet
      h.codec.writeError(p, err);
      h.core.x.retireFromHost(t, 1);
    }
    // The dead tasks' scopes went with their thread: their makers' references to dependent tasks are dropped here.
    for (const [t, serial] of handles) h.core.x.depDisown(NONE, t, serial);
    if (lost.length > 0 || marked.length > 0) h.completions.ensurePump();
  }

  /** Task slot t came back and is no lone task of the host's: an orphan that retired is freed. */
  retired(t: number): void {
    if (!this.#orphans.delete(t)) return;   // never let one stray id stop the pump
    this.#h.freeSlot(t);
    this.#h.completions.inFlight--;
  }

  /**
   * A worker slot could not be restarted. Its queued tasks can still be stolen by the others; if no
   * worker is left, nothing can run: everything in flight is rejected with the cause.
   */
  broken(err: Error, workers: number): void {
    if (++this.#broken >= workers && this.#h.isRunning()) {
      this.#h.giveUp(new Error(messages.restartsFailed(err.message), { cause: err }));
    }
  }

  /** The executor stopped: orphans are no longer waited for. */
  clear(): void { this.#orphans.clear(); }
}
