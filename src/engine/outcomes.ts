// Reading what a task left in its slot: its return value, or its error rebuilt on the host with the
// task's name (and, for an inline function that used a variable of its enclosing scope, a message that
// says so). A task whose worker died has no error in its slot worth reading: recovery records the
// crash error here first, and it wins.
import { Kind, type Codec } from './codec.js';
import { FnKind, type FunctionTable } from './functions.js';
import type { SharedCore } from './memory.js';
import { messages, rebuildError, isPlainError, DataCloneError, type PlainError, type TaskFailure } from '../errors.js';

/**
 * What a task of function `name` threw, rebuilt (rebuildError): a return value the codec refused names
 * the task, and for an inline function (`inline`, sent as source) a ReferenceError says which variable
 * of its enclosing scope it used. Also for the calls a pipeline stage's batch task makes (pipeline/).
 */
export function taskError(plain: PlainError, name: string, inline: boolean): TaskFailure {
  const err = rebuildError(plain, name);
  const fault = err instanceof DataCloneError ? (err as DataCloneError).fault : undefined;
  if (plain.returned === true && fault !== undefined) {   // name the task that returned it
    err.message = messages.notCloneable(messages.returned(name), fault);
    err.stack = `DataCloneError: ${err.message}\n${(plain.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
  const m = /^(\S+) is not defined$/.exec(plain.message);
  if (m && plain.name === 'ReferenceError' && inline) {
    err.message = messages.captured(name, m[1]);
    err.stack = `ReferenceError: ${err.message}\n${(plain.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
  return err;
}

/** Host thread only. */
export class Outcomes {
  readonly #core: SharedCore;
  readonly #codec: Codec;
  readonly #fns: FunctionTable;
  /** Names a task that belongs to a laid-out graph (runs.ts), or undefined for a lone task. */
  readonly #graphTaskName: (t: number) => string | undefined;
  /** Crash errors of tasks whose worker died, until their slot is read (recovery.ts). */
  readonly #crashed = new Map<number, Error>();
  /** The value or error read by the last `read`. */
  value: unknown;
  error: unknown;

  constructor(core: SharedCore, codec: Codec, fns: FunctionTable, graphTaskName: (t: number) => string | undefined) {
    this.#core = core;
    this.#codec = codec;
    this.#fns = fns;
    this.#graphTaskName = graphTaskName;
  }

  /**
   * Reads task t's outcome into `value` (returns false) or `error` (returns true). Never throws: an
   * outcome that cannot be read (decoded, rebuilt) is the task's error. No allocation on success.
   */
  read(t: number): boolean {
    const p = this.#core.taskPtr(t);
    if (this.#codec.resultKind(p) === Kind.Error) {
      this.error = this.errorOf(t);
      this.value = undefined;
      return true;
    }
    try {
      this.value = this.#codec.readResult(p);
      this.error = undefined;
      return false;
    } catch (e) {
      this.value = undefined;
      this.error = this.#unreadable(t, e);
      return true;
    }
  }

  /** The error for task t's outcome that could not be read: `cause` is why. */
  #unreadable(t: number, cause: unknown): Error {
    let name: string;
    try { name = this.name(t); } catch { name = `task ${t}`; }
    return new Error(messages.unreadable(name, cause), { cause });
  }

  /** Task t's worker died under it: `err` is its outcome whatever its slot holds. */
  crashed(t: number, err: Error): void { this.#crashed.set(t, err); }

  /** Whether t's worker died under it and its slot was not read yet. */
  hasCrashed(t: number): boolean { return this.#crashed.has(t); }

  /** Forgets t's crash error (its slot is freed without being read). */
  forget(t: number): void { this.#crashed.delete(t); }

  /** Forgets every crash error (the executor stopped). */
  clear(): void { this.#crashed.clear(); }

  /**
   * The error task t failed with: its worker's crash, or its thrown value rebuilt with the task's name.
   * Never throws: an error record that cannot be read gives an error saying so.
   */
  errorOf(t: number): unknown {
    const crash = this.#crashed.get(t);
    if (crash) { this.#crashed.delete(t); return crash; }
    try {
      return this.#rebuild(t);
    } catch (e) {
      return this.#unreadable(t, e);
    }
  }

  #rebuild(t: number): unknown {
    const p = this.#core.taskPtr(t);
    return this.failure(this.#codec.readResult(p), this.#core.u32[(p + this.#core.L.T_fn) >> 2], this.name(t));
  }

  /**
   * What a task of function fnId, named `name`, rejects with for the error record `plain` its worker wrote
   * (or a direct run made: direct-seat.ts): the rebuilt error, or the thrown value itself when it was
   * not an error.
   */
  failure(plain: unknown, fnId: number, name: string): unknown {
    return isPlainError(plain) ? taskError(plain, name, this.#fns.kindOf(fnId) === FnKind.Inline) : plain;
  }

  /** Task t's name for errors: its graph task's name, else its function's, else `task <t>`. */
  name(t: number): string {
    const graph = this.#graphTaskName(t);
    if (graph !== undefined) return graph;
    const fnId = this.#core.u32[(this.#core.taskPtr(t) + this.#core.L.T_fn) >> 2];
    return this.#fns.nameOf(fnId) ?? `task ${t}`;
  }
}
