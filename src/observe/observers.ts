// Observers (Taskflow's ObserverInterface, adapted to threads): callbacks a worker calls when it starts
// and ends a task, and once per worker before its first observed task (prologue) and when it leaves or
// sees the observer removed (epilogue).
//
// ## Why the callbacks run on the workers (and not on the host, from an event ring)
// A task runs on a worker thread, so its entry and exit happen there. Two designs were possible: record
// (worker, task) events in a per-worker ring in shared memory and hand them to a host observer in
// batches, or run the observer's callbacks on the worker itself. The second is taken: it keeps Taskflow's
// semantics (the callback runs on the worker, right before and after the task, so it can time it or read
// thread state), loses nothing (a ring can overflow and would need the host's pump to drain it), and
// costs no more when no observer is set: one plain load of a shared word per task, the same in both.
// The callbacks cross threads as task functions do, by identity (engine/functions.ts: a module export,
// or an inline function's source compiled once per worker), so they hold no closure; what they record
// goes to the `data` array the observer was made with (a view on the executor's shared memory, from
// executor.shared()), which every callback receives.
//
// ## The block (host-allocated once, before any worker starts; MetricsHeader.observers names it)
//   word 0 count (observers installed; what the task path tests), word 1 generation (bumped by every
//   change), then MAX_OBSERVERS entries of ENTRY_WORDS words:
//   key (0 = free) onEntry+1 onExit+1 prologue+1 epilogue+1 dtype+1 ptr length
// The host writes an entry plainly, then stores the generation and the count atomically: a worker that
// sees the count non-zero re-reads the table when the generation differs from the one it last read.
// The count is read plainly on the task path; the queue push of any task submitted after makeObserver
// returned publishes it, so such tasks are observed. Tasks already queued may or may not be.
import type { SharedCore } from '../engine/memory.js';
import { DTYPES, type SharedArrayCtor, type SharedTypedArray } from '../engine/codec.js';

/** How many observers an executor holds at once. */
export const MAX_OBSERVERS = 8;
const ENTRY_WORDS = 8;
const HEAD_WORDS = 2;
const E_KEY = 0, E_ENTRY = 1, E_EXIT = 2, E_PROLOGUE = 3, E_EPILOGUE = 4, E_DTYPE = 5, E_PTR = 6, E_LEN = 7;

/** What an observer's task callbacks receive about the task. */
export interface ObservedTask {
  /** The task's slot: unique among tasks alive at once (reused after the task retired). */
  readonly id: number;
  /** The function id of its task function (the same in every thread). */
  readonly fn: number;
  /** The task function's name (`fn.name`; '' for an anonymous function). */
  readonly name: string;
}

/**
 * An observer: every member optional, each a task function (a module export or an inline function,
 * as a task's, so no closure). `data` is the shared array the observer was made with, or undefined.
 */
export interface Observer {
  onEntry?: (worker: number, task: ObservedTask, data: any) => void;
  onExit?: (worker: number, task: ObservedTask, data: any) => void;
  prologue?: (worker: number, data: any) => void;
  epilogue?: (worker: number, data: any) => void;
}

/** What makeObserver returns, and removeObserver takes. */
export interface ObserverHandle { readonly id: number }

/** The block's size in bytes. */
export const observerBlockBytes = (): number => 4 * (HEAD_WORDS + MAX_OBSERVERS * ENTRY_WORDS);

/** The host's side: installs and removes observers. Thread-safety: the host thread only. */
export class Observers {
  readonly #core: SharedCore;
  readonly #at: number;              // word index of the block
  #next = 1;
  readonly #handles = new Map<ObserverHandle, number>();   // handle → entry index

  private constructor(core: SharedCore, at: number) { this.#core = core; this.#at = at; }

  /** Allocates the block and names it in the metrics header (which must exist). Before any worker starts. */
  static create(core: SharedCore, metricsBlock: number): Observers {
    const bytes = observerBlockBytes();
    const block = core.alloc(bytes);
    core.u8.fill(0, block, block + bytes);
    core.u32[(metricsBlock + core.L.M_observers) >> 2] = block;
    return new Observers(core, block >> 2);
  }

  get size(): number { return this.#handles.size; }

  /** Installs an observer whose callbacks have these function ids (-1: none) and data; undefined when full. */
  add(ids: { onEntry: number; onExit: number; prologue: number; epilogue: number }, data: SharedTypedArray | undefined): ObserverHandle | undefined {
    const u32 = this.#core.u32;
    let e = -1;
    for (let i = 0; i < MAX_OBSERVERS; i++) if (u32[this.#entry(i) + E_KEY] === 0) { e = i; break; }
    if (e < 0) return undefined;
    const p = this.#entry(e);
    const key = this.#next++;
    u32[p + E_ENTRY] = ids.onEntry + 1; u32[p + E_EXIT] = ids.onExit + 1;
    u32[p + E_PROLOGUE] = ids.prologue + 1; u32[p + E_EPILOGUE] = ids.epilogue + 1;
    u32[p + E_DTYPE] = data === undefined ? 0 : DTYPES.indexOf(data.constructor as SharedArrayCtor) + 1;
    u32[p + E_PTR] = data === undefined ? 0 : data.byteOffset;
    u32[p + E_LEN] = data === undefined ? 0 : data.length;
    u32[p + E_KEY] = key;
    const handle = Object.freeze({ id: key });
    this.#handles.set(handle, e);
    this.#publish();
    return handle;
  }

  /** Removes an installed observer; false when the handle is not one of ours (or was removed). */
  remove(handle: ObserverHandle): boolean {
    const e = this.#handles.get(handle);
    if (e === undefined) return false;
    this.#handles.delete(handle);
    this.#core.u32[this.#entry(e) + E_KEY] = 0;
    this.#publish();
    return true;
  }

  #entry(i: number): number { return this.#at + HEAD_WORDS + i * ENTRY_WORDS; }

  #publish(): void {
    const i32 = this.#core.i32;
    Atomics.add(i32, this.#at + 1, 1);
    Atomics.store(i32, this.#at, this.#handles.size);
  }
}

/** What the task functions behind an id resolve to, on a worker. */
export type Resolve = (id: number) => Function;

interface Installed {
  key: number;
  onEntry: Function | undefined; onExit: Function | undefined; epilogue: Function | undefined;
  data: SharedTypedArray | undefined;
}

const NO_BLOCK = new Uint32Array(1);   // a core without an executor: the count reads 0 forever

/**
 * A worker's side. The task path tests `on()` (one plain load) and calls entry/exit only when it is true.
 * Callbacks that throw are ignored: an observer must not fail the task it watches.
 * Thread-safety: the worker's own thread only.
 */
export class ObserverHooks {
  readonly #core: SharedCore;
  readonly #w: number;
  readonly #u32: Uint32Array;
  readonly #at: number;
  readonly #resolve: Resolve;
  #gen = 0;
  #list: Installed[] = [];
  readonly #i32: Int32Array;
  readonly #taskFn: number;

  constructor(core: SharedCore, w: number, resolve: Resolve) {
    this.#core = core;
    this.#w = w;
    this.#resolve = resolve;
    const metrics = core.u32[(core.workerPtr(w) + core.L.W_metrics) >> 2];
    const block = metrics === 0 ? 0 : core.u32[(metrics + core.L.M_observers) >> 2];
    this.#u32 = block === 0 ? NO_BLOCK : new Uint32Array(core.memory.buffer);   // the block predates this thread
    this.#i32 = new Int32Array(this.#u32.buffer);
    this.#at = block >> 2;
    this.#taskFn = core.L.T_fn >> 2;
  }

  /** True while any observer is installed: the one test the task path makes. */
  on(): boolean { return this.#u32[this.#at] !== 0; }

  /** Before task t (record at byte p) runs. */
  entry(t: number, p: number): void { this.#each(t, p, true); }
  /** After task t's attempt ended (returned, threw, or its promise settled). */
  exit(t: number, p: number): void { this.#each(t, p, false); }

  #each(t: number, p: number, entry: boolean): void {
    if (Atomics.load(this.#i32, this.#at + 1) !== this.#gen) this.#sync();
    let view: ObservedTask | undefined;
    for (const o of this.#list) {
      const f = entry ? o.onEntry : o.onExit;
      if (f === undefined) continue;
      if (view === undefined) {
        const fn = this.#core.u32[(p >> 2) + this.#taskFn];
        let name = '';
        try { name = this.#resolve(fn).name; } catch { /* an id this thread cannot resolve: no name */ }
        view = { id: t, fn, name };
      }
      try { f(this.#w, view, o.data); } catch { /* ignored: see the class comment */ }
    }
  }

  /** Re-reads the table: prologues for observers new to this worker, epilogues for removed ones. */
  #sync(): void {
    const u32 = this.#u32;
    for (;;) {
      const gen = Atomics.load(this.#i32, this.#at + 1);
      const next: Installed[] = [];
      const starting: [Function, SharedTypedArray | undefined][] = [];
      for (let i = 0; i < MAX_OBSERVERS; i++) {
        const e = this.#at + HEAD_WORDS + i * ENTRY_WORDS;
        const key = u32[e + E_KEY];
        if (key === 0) continue;
        const old = this.#list.find((o) => o.key === key);
        if (old !== undefined) { next.push(old); continue; }
        const fnOf = (k: number): Function | undefined => (u32[e + k] === 0 ? undefined : this.#resolve(u32[e + k] - 1));
        const dtype = u32[e + E_DTYPE];
        const data = dtype === 0 ? undefined : new DTYPES[dtype - 1](this.#core.memory.buffer as ArrayBuffer, u32[e + E_PTR], u32[e + E_LEN]);
        const o: Installed = { key, onEntry: fnOf(E_ENTRY), onExit: fnOf(E_EXIT), epilogue: fnOf(E_EPILOGUE), data };
        next.push(o);
        const pro = fnOf(E_PROLOGUE);
        if (pro !== undefined) starting.push([pro, data]);
      }
      if (Atomics.load(this.#i32, this.#at + 1) !== gen) continue;   // changed while read: again
      for (const o of this.#list) if (!next.includes(o)) this.#end(o);
      this.#list = next;
      this.#gen = gen;
      for (const [f, data] of starting) { try { f(this.#w, data); } catch { /* ignored */ } }
      return;
    }
  }

  #end(o: Installed): void {
    if (o.epilogue !== undefined) { try { o.epilogue(this.#w, o.data); } catch { /* ignored */ } }
  }

  /** The worker is leaving: epilogues for every observer it started. */
  close(): void {
    for (const o of this.#list) this.#end(o);
    this.#list = [];
  }
}
