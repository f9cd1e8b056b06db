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
const args: unknown[] = [];

/** Calls task t's function with its bound arguments followed by its predecessors' results. */
function call(p: number): unknown {
  const u32 = core.u32;
  const fn = fns.get(u32[(p + L.T_fn) >> 2]);
  args.length = 0;
  if (u32[(p + L.T_argInfo) >> 2] !== 0) codec.readArgs(p, args);
  const npred = u32[(p + L.T_npred) >> 2];
  if (npred !== 0) {
    const list = u32[(p + L.T_pred) >> 2] >> 2;
    for (let i = 0; i < npred; i++) args.push(codec.readResult(core.taskPtr(u32[list + i])));
  }
  switch (args.length) {
    case 0: return fn();
    case 1: return fn(args[0]);
    case 2: return fn(args[0], args[1]);
    default: return fn(...args);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

async function loop(): Promise<void> {
  let t = x.next(w);
  while (t >= 0) {
    const p = core.taskPtr(t);
    let failed = 0;
    try {
      let r = call(p);
      if (isThenable(r)) r = await r;   // an async task: this worker waits for it (issue #3 overlaps them)
      codec.writeResult(p, r);
    } catch (e) {
      codec.writeError(p, e);
      failed = 1;
    }
    t = x.finish(w, t, failed);
  }
  ctx.close();
}

ctx.post({ type: 'ready' });
await loop();
