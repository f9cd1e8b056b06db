// How deep fork-join may nest on one worker's stack. Helping inside a join runs the joined child on the
// joiner's own JS stack (join.ts runNested), so each level of nesting costs stack: about 1.2 KiB for a
// one-line recursive task on Node 20, whose worker threads have a 4 MiB stack by default
// (`resourceLimits.stackSizeMb`): about 3,300 levels then, about 650 with 1 MiB. A stack overflow thrown
// inside the runtime's own steps (recording a failure, retiring a task in Wasm) would leave a task popped
// but never retired and the frame stack off by one, its joiner waiting for ever. So a task that enters
// the runtime to go deeper (ctx.spawn, ctx.join, joining a subflow) first checks, from STACK_CHECK_DEPTH
// tasks deep on, that STACK_RESERVE bytes of stack remain, and gets a RangeError naming it and the depth
// if not, before anything changed. The reserve covers every runtime step between two such checks:
// reaching the child through helpUntil and runNested, and failing, recording and retiring it.
//
// Below STACK_CHECK_DEPTH nothing is checked, so the per-task path pays one comparison: that many levels
// take about 80 KiB, which any stack of 1 MiB or more holds, and the common shapes stay far below it
// (fib(30) nests at most about 40 deep, on 1 to 4 workers).
import { messages } from '../errors.js';
import type { Thread } from './thread.js';

/** Tasks on a worker's stack from which a step that nests deeper first checks the room left (see above). */
export const STACK_CHECK_DEPTH = 64;
/**
 * Stack, in 8-byte words, that must remain for a task to nest deeper: 64 KiB. V8 compiles a function
 * on its first call (again after its bytecode was flushed) only with 40 KiB free, and the rarely run
 * steps (failing a task, building this error) are the ones likely to need it; the runtime's own frames
 * between two checks took under 8 KiB more in every case measured (spawn, join, both shapes of subflow,
 * 1 to 4 workers); 64 KiB leaves three times that.
 */
const RESERVE_WORDS = 8192;
/** RESERVE_WORDS in bytes. */
export const STACK_RESERVE = RESERVE_WORDS * 8;
/**
 * More that a spawn asks for than a join: a task that could spawn a child can then join it. Two checks
 * at almost the same depth can disagree at the boundary (the frames between them differ by a tier of
 * the compiler), and a join refused after its spawn succeeded leaves the task a child it cannot join;
 * a spawn refused first leaves it nothing to undo.
 */
const SPAWN_MARGIN_WORDS = 2048;

const reserve: number[] = new Array<number>(RESERVE_WORDS).fill(0);
const spawnReserve: number[] = new Array<number>(RESERVE_WORDS + SPAWN_MARGIN_WORDS).fill(0);
function nothing(): void {}

/**
 * True when at least STACK_RESERVE bytes of stack remain below the caller. A call with RESERVE_WORDS
 * arguments pushes them all on the machine stack, after checking that they fit, in every tier of V8 (the
 * array's length is not known to the compiler, so the call is never expanded): a RangeError means they
 * did not.
 */
function stackRoom(words: number[]): boolean {
  try {
    Reflect.apply(nothing, undefined, words);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws a RangeError naming task `top` (on top of this worker's stack) and the depth if fewer than
 * STACK_RESERVE bytes of stack remain (and the spawn margin more, for a spawn); `call` names what it
 * called. Call it where th.depth >= STACK_CHECK_DEPTH.
 */
export function ensureStackRoom(th: Thread, top: number, call: string, spawn = false): void {
  if (stackRoom(spawn ? spawnReserve : reserve)) return;
  const name = th.fns!.nameOf(th.core.u32[th.record(top) + th.T_fn]);
  throw new RangeError(messages.tooDeep(call, name, th.depth, th.w, STACK_RESERVE >> 10));
}
