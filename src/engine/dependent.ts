// Dependent async tasks (executor.dependentAsync, Taskflow's dependent_async): one-off tasks that run
// once the AsyncTask handles they name have finished, fed their results.
//
// The dependency counting lives on the host. Each handle counts its unfinished dependencies and lists
// the handles waiting for it; when a task settles (the completion pump resolved its promise) it counts
// each waiter down, and a waiter that reaches zero is submitted like executor.async. A handle's work is
// O(its edges), so a chain of any length is linear, and the settling walk is a loop, not recursion, so a
// failure at the head of a 100k-long chain does not grow the stack.
import { messages } from '../errors.js';
import type { Tasks, CallName } from './tasks.js';

const CALL: CallName = Object.freeze({ op: 'dependentAsync', fn: 'executor.dependentAsync(fn)' });
const NORMAL = 2;
const WAITING = 0, RUNNING = 1, FULFILLED = 2, REJECTED = 3;
const NONE: readonly AsyncTask[] = Object.freeze([]);

/** Options of executor.dependentAsync(fn, options). */
export interface DependentAsyncOptions {
  /** The handles to wait for (AsyncTask from dependentAsync); their results follow `args`, in this order. */
  deps?: Iterable<AsyncTask>;
  /** fn's own arguments, before the dependencies' results. */
  args?: readonly unknown[];
}
const OPTION_KEYS = ['deps', 'args'] as const;

/** An object literal (the options form), not a handle, a promise or an array. */
function isPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A dependent async task (executor.dependentAsync): a one-off task that runs after the handles it
 * depends on finished. `done` is a promise of its result; `isDone()` says whether it settled.
 * Host thread only, like the executor that made it.
 *
 * @example
 * const a = executor.dependentAsync(() => 1);
 * const b = executor.dependentAsync((x) => x + 1, a);
 * console.log(await b.done);   // 2
 */
export class AsyncTask<R = unknown> {
  /** @internal The registry of the executor that made it. */
  readonly _owner: Dependents;
  /** @internal WAITING (for dependencies), RUNNING (submitted), FULFILLED or REJECTED. */
  _state = WAITING;
  /** @internal The result, or the error. */
  _value: unknown;
  /** @internal Dependencies not finished yet. */
  _pending = 0;
  /** @internal What to run, until it is submitted. */
  _fn: unknown;
  _args: readonly unknown[] = NONE;
  _deps: readonly AsyncTask[] = NONE;
  /** @internal The handles waiting for this one (each once per edge), until it settles. */
  _waiters: AsyncTask[] | undefined;
  #done: Promise<R> | undefined;

  /** @internal Made by executor.dependentAsync. */
  constructor(owner: Dependents) { this._owner = owner; }

  /** True once the task finished: it ran (returned or threw), or failed because a dependency failed. */
  isDone(): boolean { return this._state >= FULFILLED; }

  /**
   * A promise of the task's result; it rejects with the task's error, or with the error of its first
   * failed dependency (in the order they were given). Made on first read, so a handle nobody awaits
   * never reports an unhandled rejection.
   */
  get done(): Promise<R> {
    if (this.#done === undefined) {
      this.#done = new Promise<R>((resolve, reject) => this._owner.watch(this, resolve as (v: unknown) => void, reject));
    }
    return this.#done;
  }
}

/** The dependent async tasks of one executor (host thread only). */
export class Dependents {
  readonly #tasks: Tasks;
  /** Handles made and not settled yet. */
  #unsettled = 0;
  #idle: (() => void)[] = [];
  /** Who awaits each unsettled handle's `done`. */
  readonly #watchers = new Map<AsyncTask, { resolve: (v: unknown) => void; reject: (e: unknown) => void }[]>();

  constructor(tasks: Tasks) { this.#tasks = tasks; }

  /** Handles not settled yet (executor.waitForAll waits for them). */
  get unsettled(): number { return this.#unsettled; }

  /** Resolves once no handle is unsettled. */
  idle(): Promise<void> {
    return this.#unsettled === 0 ? Promise.resolve() : new Promise<void>((r) => this.#idle.push(r));
  }

  /**
   * executor.dependentAsync(fn, ...deps) or (fn, { deps, args }). Bad input throws a TypeError naming
   * it before anything is submitted.
   */
  create(fn: unknown, rest: readonly unknown[]): AsyncTask {
    if (typeof fn !== 'function') throw new TypeError(messages.notAFunction('executor.dependentAsync(fn, ...deps): fn', fn));
    let deps: readonly unknown[] = rest, args: readonly unknown[] = NONE;
    if (rest.length === 1 && isPlainObject(rest[0])) {   // the options form; anything else is a dependency, checked below
      const o = rest[0] as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption('executor.dependentAsync(fn, options)', k, OPTION_KEYS));
      }
      if (o.args !== undefined && !Array.isArray(o.args)) {
        throw new TypeError(messages.callOption('executor.dependentAsync(fn, options)', 'args', 'an array of arguments', o.args));
      }
      if (o.deps !== undefined && (typeof o.deps !== 'object' || o.deps === null || typeof (o.deps as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
        throw new TypeError(messages.callOption('executor.dependentAsync(fn, options)', 'deps', 'an array (or iterable) of AsyncTask handles', o.deps));
      }
      deps = o.deps === undefined ? NONE : Array.from(o.deps as Iterable<unknown>);
      args = (o.args as readonly unknown[] | undefined) ?? NONE;
    }
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i];
      if (!(d instanceof AsyncTask)) throw new TypeError(messages.notAnAsyncTask(i, d));
      if (d._owner !== this) throw new Error(messages.foreignAsyncTask(i));
    }
    const h = new AsyncTask(this);
    h._fn = fn;
    h._args = args;
    h._deps = deps as readonly AsyncTask[];
    this.#unsettled++;
    let pending = 0;
    for (const d of h._deps) {
      if (d._state < FULFILLED) { (d._waiters ??= []).push(h); pending++; }
    }
    h._pending = pending;
    if (pending === 0) this.#start(h);
    return h;
  }

  /** @internal AsyncTask.done: settles now if the handle has, else when it does. */
  watch(h: AsyncTask, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
    if (h._state === FULFILLED) resolve(h._value);
    else if (h._state === REJECTED) reject(h._value);
    else {
      let list = this.#watchers.get(h);
      if (list === undefined) this.#watchers.set(h, list = []);
      list.push({ resolve, reject });
    }
  }

  /** Every dependency of h finished: run it with their results, or fail it with the first one's error. */
  #start(h: AsyncTask): void {
    const deps = h._deps;
    let args = h._args;
    if (deps.length > 0) {
      const failed = deps.find((d) => d._state === REJECTED);
      if (failed !== undefined) { this.#settle(h, REJECTED, failed._value); return; }
      const all = args.slice();
      for (const d of deps) all.push(d._value);
      args = all;
    }
    const fn = h._fn;
    h._state = RUNNING;
    h._fn = undefined;
    h._args = h._deps = NONE;   // keep no dependency alive longer than needed
    this.#tasks.plain(NORMAL, fn, args, CALL).then(
      (v) => this.#settle(h, FULFILLED, v),
      (e) => this.#settle(h, REJECTED, e),
    );
  }

  /**
   * h settled: tell whoever awaits it, count its waiters down and start the ones that reach zero. A
   * waiter whose dependency failed settles here too (without running), so the walk is a loop over a
   * work list.
   */
  #settle(first: AsyncTask, state: number, value: unknown): void {
    const work: [AsyncTask, number, unknown][] = [[first, state, value]];
    while (work.length > 0) {
      const [h, s, v] = work.pop()!;
      h._state = s;
      h._value = v;
      const watchers = this.#watchers.get(h);
      if (watchers !== undefined) {
        this.#watchers.delete(h);
        for (const w of watchers) (s === FULFILLED ? w.resolve : w.reject)(v);
      }
      const waiters = h._waiters;
      h._waiters = undefined;
      if (waiters !== undefined) {
        for (const next of waiters) {
          if (--next._pending !== 0) continue;
          const failed = next._deps.find((d) => d._state === REJECTED);
          if (failed !== undefined) {
            next._fn = undefined;
            next._args = next._deps = NONE;
            work.push([next, REJECTED, failed._value]);
          } else this.#start(next);
        }
      }
      if (--this.#unsettled === 0) {
        const idle = this.#idle;
        this.#idle = [];
        for (const r of idle) r();
      }
    }
  }
}
