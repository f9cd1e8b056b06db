// The two forms of a dependentAsync call, on the host (executor.dependentAsync) and inside a task
// (this.dependentAsync): (fn, ...deps) and (fn, { deps, args }). Pure: checks the shape and names what is
// wrong; what a dependency must be is the caller's check (an AsyncTask on the host, a WorkerAsyncTask in a
// task).
import { messages } from '../errors.js';

/**
 * Options of dependentAsync(fn, options): `H` is the handle type, AsyncTask for executor.dependentAsync,
 * WorkerAsyncTask for this.dependentAsync inside a task.
 */
export interface DependentAsyncOptions<H = unknown> {
  /** The handles to wait for; their results follow `args`, in this order. */
  deps?: Iterable<H>;
  /** fn's own arguments, before the dependencies' results. */
  args?: readonly unknown[];
}
const OPTION_KEYS = ['deps', 'args'] as const;
const NONE: readonly unknown[] = Object.freeze([]);

/** An object literal (the options form), not a handle, a promise or an array. */
function isPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The dependencies and arguments of `${who}.dependentAsync(fn, ...rest)` ('executor' or 'this'). Throws a
 * TypeError naming the problem: fn not a function, an unknown option, `args` not an array, `deps` not
 * iterable. A single plain object is the options form; anything else in `rest` is a dependency.
 */
export function parseDependentCall(who: string, fn: unknown, rest: readonly unknown[]): { deps: readonly unknown[]; args: readonly unknown[] } {
  if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(`${who}.dependentAsync(fn, ...deps): fn`, fn));
  if (rest.length !== 1 || !isPlainObject(rest[0])) return { deps: rest, args: NONE };
  const o = rest[0] as Record<string, unknown>;
  const call = `${who}.dependentAsync(fn, options)`;
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(call, k, OPTION_KEYS));
  }
  if (o.args !== undefined && !Array.isArray(o.args)) throw new TypeError(messages.callOption(call, 'args', 'an array of arguments', o.args));
  if (o.deps !== undefined && (typeof o.deps !== 'object' || o.deps === null || typeof (o.deps as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw new TypeError(messages.callOption(call, 'deps', 'an array (or iterable) of AsyncTask handles', o.deps));
  }
  return {
    deps: o.deps === undefined ? NONE : Array.from(o.deps as Iterable<unknown>),
    args: (o.args as readonly unknown[] | undefined) ?? NONE,
  };
}
