// Orphaned children: tasks spawned (ctx.spawn) by a task whose worker died under it. Their spawner will
// never join them, and the joiner is who frees a child, so the host takes that over (the protocol is in
// assembly/README.md, "Orphaned children"):
//
//   - a child's `succ` word holds its spawner's id + 1 (tasks.ts spawnPush, after the push; cleared
//     before the Child flag is set, src/worker/main.ts spawn), and a freed slot has no flags, so after a
//     crash the host finds the dead tasks' children by one scan of the slots handed out so far;
//   - for each it CASes `done` 0 → 2 (orphaned). If that wins, the child has not retired yet: when it
//     does, retire's own CAS 0 → 1 fails and it posts its id to the host, which frees it then. If the
//     word was 1, the child retired before: the host frees it now. A 2 was marked by an earlier crash.
//
// What an orphan runs is not stopped: it shares its spawner's token and run, which stop it only if they
// were cancelled or failed. Its grandchildren are joined by the orphan itself, as usual.
import type { SharedCore } from './memory.js';

/**
 * Host, after a worker died running the tasks in `dead`: marks their children that have not retired as
 * orphans (`marked`, each posts itself to the host when it retires) and returns those that had retired
 * (`retired`, for the host to free now).
 */
export function orphansOf(core: SharedCore, dead: ReadonlySet<number>): { marked: number[]; retired: number[] } {
  const marked: number[] = [], retired: number[] = [];
  if (dead.size === 0) return { marked, retired };
  core.refresh();
  const { u32, i32, L } = core;
  const bump = Math.min(core.taskCap, Atomics.load(u32, (L.header + L.H_taskBump) >> 2));
  const size = L.size_Task >> 2, base = core.tasks >> 2;
  const fFlags = L.T_flags >> 2, fSucc = L.T_succ >> 2, fDone = L.T_done >> 2, CHILD = L.flag_Child;
  for (let t = 0, i = base; t < bump; t++, i += size) {
    // Flags first, by an atomic load: a child being spawned stores its flag atomically after clearing
    // `succ` (src/worker/main.ts spawn), so one seen as a child shows a cleared or a current `succ`.
    if ((Atomics.load(u32, i + fFlags) & CHILD) === 0 || !dead.has(u32[i + fSucc] - 1)) continue;
    const was = Atomics.compareExchange(i32, i + fDone, 0, 2);
    if (was === 0) marked.push(t);
    else if (was === 1) retired.push(t);
  }
  return { marked, retired };
}

/** Whether task slot t holds a spawned child (TaskFlag.Child). */
export function isChild(core: SharedCore, t: number): boolean {
  return (core.u32[(core.taskPtr(t) + core.L.T_flags) >> 2] & core.L.flag_Child) !== 0;
}
