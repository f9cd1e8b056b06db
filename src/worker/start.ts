// A worker: the JS half of the worker loop (the Wasm half is assembly/worker.ts). It attaches to the
// shared core, imports the task module, binds the built-in task modules, then runs tasks until the core
// says SHUTDOWN. Per task there is one call into Wasm (finish, which also finds the next task); there is
// no postMessage per task. A worker thread runs it from main.ts; the single-threaded mode runs it on the
// host thread (inline.ts), where it never blocks and yields to the event loop between slices.
//
// Start-up tells the pool how far it got (src/engine/pool.ts names the failing stage): 'started' once
// this file's own code is loaded and the core attached, 'loaded' once the task module is imported,
// 'ready' once it runs tasks.
import { SharedCore, EMPTY, RETRY, SHUTDOWN } from '../engine/memory.js';
import { FunctionCache } from '../engine/functions.js';
import { useHostChannel } from '../engine/hop.js';
import type { Platform, WorkerContext } from '../platform/types.js';
import { BUILTIN_MODULES, bindBuiltinModules } from '../builtins.js';
import { Sampler } from '../observe/sampler.js';
import { ObserverHooks } from '../observe/observers.js';
import { Thread } from './thread.js';
import type { WorkerData, StartMessage } from '../engine/thread-protocol.js';
import { createTaskContext } from './context-object.js';
import { openFrames } from './frames.js';
import { openChoices } from './choices.js';
import { createTokens } from './cancel.js';
import { createRetries } from './retry.js';
import { createCall } from './call.js';
import { createJoin } from './join.js';
import { createForkStop } from './fork-stop.js';
import { createForecast } from './forecast.js';
import { createLazy } from './lazy.js';
import { createDependents } from './dependent.js';
import { AWAIT_CAP, BUSY_YIELD_MS, openAwaitList } from './suspend.js';
import { clockStride } from '../policy/scheduling.js';
import { createRun } from './run.js';
import { workerLifecycle } from './lifecycle.js';
import { takeSeat } from './direct.js';

/**
 * The single-threaded mode's slice: the worker runs tasks for this long (ms), then yields a macrotask turn,
 * so timers, I/O and input on the host thread wait at most about a slice (plus the task running then).
 * A turn costs microseconds (setImmediate, a MessageChannel message): under 1 % of a slice.
 */
export const SLICE_MS = 4;

/** How the single-threaded mode's worker is stopped from outside (inline.ts terminate()). */
export interface Stop { stopped: boolean }

/**
 * The worker whose core and channel the thread's per-thread modules (the built-in task modules, GPU
 * tasks) are bound to. One per thread, except in the single-threaded mode, where the workers of several
 * executors share the host's thread: each binds again after every turn it yielded (bindThread).
 */
let boundTo: Thread | undefined;

/** Runs a worker until the core says SHUTDOWN. `single`: on the host thread, never blocking (inline.ts). */
export async function startWorker(platform: Platform, port: WorkerContext<WorkerData>, single?: Stop): Promise<void> {
  const { yieldToEventLoop } = platform;
  const post = (m: StartMessage): void => port.post(m);
  const data = port.data;
  const th = new Thread(SharedCore.attach(data.module, data.memory), data.worker, platform.waitAsync);
  post({ type: 'started' });
  const ns = data.moduleUrl ? ((await import(/* webpackIgnore: true */ /* @vite-ignore */ data.moduleUrl)) as Record<string, unknown>) : data.moduleNamespace ?? {};
  post({ type: 'loaded' });

  // Each part of the worker, made once for this thread: closures over it (thread.ts says why), each
  // created exactly once.
  const { x, w } = th;
  th.single = single !== undefined;
  const choices = openChoices(th);
  x.slotCacheInit(w);   // before 'ready': the heap a test measures after start-up already holds it
  const frames = openFrames(th);
  const awaits = openAwaitList(th);
  const tokens = createTokens(th);
  const retries = createRetries(th, tokens);
  const call = createCall(th);
  const forecast = createForecast(th);
  const forkStop = createForkStop(th);
  const join = createJoin(th, { frames, call, choices, retries, tokens, forecast, forkStop });
  const lazy = createLazy(th, { frames, forecast, tokens, joinRest: join.joinRest, abandon: join.abandon });
  const dependents = createDependents(th, join.helpUntil, tokens);
  th.ctx = createTaskContext(th, { join, tokens, dependents, forecast, lazy, forkStop });
  // GPU tasks and host jobs of graphs ask the host through the port (engine/hop.ts), naming their run.
  useHostChannel(th.ctx, port as WorkerContext<unknown>, () => tokens.stopRunOf(th.frameTask[th.depth - 1]));
  th.fns = new FunctionCache(th.core, ns, th.ctx);
  const fnCache = th.fns;
  /** Binds this worker to the per-thread modules, unless it is bound already. */
  const bindThread = (): void => {
    if (boundTo === th) return;
    boundTo = th;
    bindBuiltinModules(th.core, fnCache);
  };
  bindThread();
  const builtins = BUILTIN_MODULES.map((m) => m.name);
  // Lifecycle (lifecycle.ts): an elastic slot waits for work in JS, with a bounded park, so it can leave
  // when idle; any slot may be recycled between tasks while it holds none.
  const life = workerLifecycle(th.core, w, data.lifecycle);
  th.elastic = life.elastic || th.single;   // neither may block in Wasm
  const nextTask = life.elastic ? life.next : (): number => x.next(w);
  /** Metrics hook (src/observe/sampler.ts): times 1 top-level task in N, and every stamped async task. */
  th.sampler = new Sampler(th.core, w);
  /** Observer hook (src/observe/observers.ts): one load per task while none is installed. */
  const fns = th.fns!;
  th.observers = new ObserverHooks(th.core, w, (id) => fns.get(id));
  const { runTop, resume } = createRun(th, { frames, call, choices, join, awaits, retries, tokens, forecast, lazy });

  /**
   * The loop: run what finish() hands back; resume settled async tasks first; with suspended tasks, never
   * block (look without parking, sleep on Atomics.waitAsync) and yield to the event loop now and then.
   */
  async function loop(): Promise<void> {
    const { resumable } = th;
    let t = nextTask();
    let since = performance.now();
    for (;;) {
      while (t >= 0) {
        if (resumable.length > 0) { x.requeue(w, t); t = resume(resumable.shift()!); continue; }   // settled first
        t = runTop(t);
        if (life.recycles && th.suspended === 0 && life.recycleDue()) { if (t >= 0) x.requeue(w, t); t = SHUTDOWN; break; }   // lifecycle
        if (th.suspended > 0 && performance.now() - since > BUSY_YIELD_MS) {   // checked after every task while any is suspended
          if (t >= 0) { x.requeue(w, t); t = EMPTY; }   // not ours while we yield: a crash there must not fail it
          await yieldToEventLoop();   // let the suspended tasks' promises settle
          since = performance.now();
        }
      }
      if (resumable.length > 0) { t = resume(resumable.shift()!); continue; }
      if (t === SHUTDOWN) break;
      if (th.suspended === 0) { t = nextTask(); if (t === SHUTDOWN) break; continue; }
      if (th.suspended < AWAIT_CAP) t = x.tryNext(w);
      if (t >= 0 || t === SHUTDOWN) continue;
      if (t === RETRY) continue;
      since = performance.now();
      if (th.suspended >= AWAIT_CAP) await awaits.awaitSettlement();
      else t = await awaits.sleepAsync();
    }
  }

  /**
   * The single-threaded mode's loop, on the host thread: never blocks. It runs tasks for a slice, then
   * yields a macrotask turn (the task it was handed goes back on its deque meanwhile); with nothing to
   * run it sleeps (Platform.waitAsync), woken by a submission like any parked worker. After each turn
   * it binds the thread's modules again: another executor's worker may have run meanwhile.
   */
  async function sliced(stop: Stop): Promise<void> {
    const { resumable } = th;
    let t = x.tryNext(w);
    let since = performance.now();
    // The clock is read every `stride` tasks (policy/scheduling.ts clockStride), not after each one.
    let stride = 1, left = 1, read = since;
    for (;;) {
      while (t >= 0) {
        if (resumable.length > 0) { x.requeue(w, t); t = resume(resumable.shift()!); continue; }   // settled first
        t = runTop(t);
        if (--left > 0) continue;
        const now = performance.now();
        stride = left = clockStride((now - read) / stride);
        read = now;
        if (now - since > SLICE_MS) {
          if (t >= 0) { x.requeue(w, t); t = EMPTY; }
          await yieldToEventLoop();
          if (stop.stopped) return;
          bindThread();
          since = read = performance.now();
        }
      }
      if (resumable.length > 0) { t = resume(resumable.shift()!); continue; }
      if (t === SHUTDOWN || stop.stopped) break;
      t = th.suspended < AWAIT_CAP ? x.tryNext(w) : EMPTY;
      if (t >= 0 || t === SHUTDOWN || t === RETRY) continue;
      if (th.suspended >= AWAIT_CAP) await awaits.awaitSettlement();
      else t = await awaits.sleepAsync();
      if (stop.stopped) return;
      bindThread();
      since = read = performance.now();
      stride = left = 1;   // after a sleep the next tasks may be of another kind
    }
  }

  post({ type: 'ready', builtins });
  if (single !== undefined) {
    const leaveSeat = takeSeat(th);   // the host's one-off tasks predicted short may run at once (direct.ts)
    try { await sliced(single); } finally { leaveSeat(); }
  } else {
    await loop();
  }
  th.observers.close();   // epilogues, before the thread's blocks go
  choices.close();
  frames.close();
  if (single === undefined) life.leave();   // a planned exit (recycling, idle) ends the thread now, whatever handles tasks left open
}
