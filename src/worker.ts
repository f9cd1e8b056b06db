// A worker thread: the JS half of the worker loop (the Wasm half is assembly/worker.ts).
// It attaches to the shared core, imports the task module, then runs tasks until the core says
// SHUTDOWN. Per task there is one call into Wasm (finish, which also finds the next task); there is
// no postMessage per task.
import { SharedCore } from './memory.js';
import { Codec } from './codec.js';
import { FunctionCache } from './functions.js';
import { workerContext } from './platform.js';

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  worker: number;
  moduleUrl?: string;
}

const ctx = workerContext<WorkerData>();
const { worker: w } = ctx.data;
const core = SharedCore.attach(ctx.data.module, ctx.data.memory);
const codec = new Codec(core);
const ns = ctx.data.moduleUrl ? ((await import(ctx.data.moduleUrl)) as Record<string, unknown>) : {};
const fns = new FunctionCache(core, ns);
const L = core.L;
const x = core.x;
const tasks = core.tasks;
const taskSize = L.size_Task;
const T_fn = L.T_fn >> 2, T_argInfo = L.T_argInfo >> 2, T_npred = L.T_npred >> 2, T_pred = L.T_pred >> 2;
const T_flags = L.T_flags >> 2, T_nsucc = L.T_nsucc >> 2;
const CONDITION = L.flag_Condition;

/** Where this worker lists a condition task's choices for finishCondition (heap, grown on demand). */
let choices = core.alloc(4 * 64);
let choiceCap = 64;

/**
 * A condition task returned r: the successor indices to release, checked against nsucc (other values
 * and out-of-range indices release nothing), each once. Written at `choices`; returns how many.
 */
function writeChoices(r: unknown, nsucc: number): number {
  const picks = typeof r === 'number' ? [r] : Array.isArray(r) ? r : [];
  if (picks.length > choiceCap) {
    x.heapFree(choices);
    choiceCap = picks.length;
    choices = core.alloc(4 * choiceCap);
  }
  const u32 = core.u32;
  let n = 0;
  for (const i of picks) {
    if (!Number.isInteger(i) || i < 0 || i >= nsucc) continue;
    let seen = false;
    for (let k = 0; k < n; k++) if (u32[(choices >> 2) + k] === i) { seen = true; break; }
    if (!seen) u32[(choices >> 2) + n++] = i;
  }
  return n;
}

/**
 * Calls the task at record p: fn(...boundArgs, ...predecessorResults). The two common shapes (nothing,
 * or one predecessor's result) skip the argument array.
 */
function call(p: number): unknown {
  const u32 = core.u32;
  const i = p >> 2;
  const fn = fns.get(u32[i + T_fn]);
  const npred = u32[i + T_npred];
  if (u32[i + T_argInfo] === 0) {
    if (npred === 0) return fn();
    if (npred === 1) return fn(codec.readResult(tasks + u32[u32[i + T_pred] >> 2] * taskSize));
  }
  const args: unknown[] = [];
  if (u32[i + T_argInfo] !== 0) codec.readArgs(p, args);
  const list = u32[i + T_pred] >> 2;
  for (let k = 0; k < npred; k++) args.push(codec.readResult(tasks + u32[list + k] * taskSize));
  switch (args.length) {
    case 1: return fn(args[0]);
    case 2: return fn(args[0], args[1]);
    case 3: return fn(args[0], args[1], args[2]);
    default: return fn(...args);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

async function loop(): Promise<void> {
  let t = x.next(w);
  while (t >= 0) {
    const p = tasks + t * taskSize;
    let failed = 0;
    let r: unknown;
    try {
      r = call(p);
      if (isThenable(r)) {             // an async task: this worker waits for it (issue #3 overlaps them)
        x.flushRun(w);                 // first apply our run balance, so no run's end waits on this await
        r = await r;
      }
      codec.writeResult(p, r);
    } catch (e) {
      codec.writeError(p, e);
      failed = 1;
    }
    const i = p >> 2;
    if (failed === 0 && (core.u32[i + T_flags] & CONDITION) !== 0) {
      t = x.finishCondition(w, t, choices, writeChoices(r, core.u32[i + T_nsucc]));
    } else {
      t = x.finish(w, t, failed);
    }
  }
  ctx.close();
}

ctx.post({ type: 'ready' });
await loop();
