// Options of executor.submit: validated at the boundary into a Job, the host's record of one submitted
// task across its attempts (tasks.ts runs it).
import { CancellationToken } from './cancel.js';
import { messages, TimeoutError } from '../errors.js';
import { checkedPriority, type Priority, type RetryDelay } from '../policy/scheduling.js';

export interface TaskOptions {
  /** 'critical' | 'high' | 'normal' | 'low': workers take more urgent tasks first, FIFO within a level. Default 'normal'. */
  priority?: Priority;
  /** Cancels the task: before it starts it is withdrawn; while it runs, its token is cancelled. */
  signal?: AbortSignal;
  /** A token the task can watch (this.checkCancelled(), this.signal); cancelling it cancels the task. */
  token?: CancellationToken;
  /** Milliseconds the task may run, counted from when it starts (not from submission). On expiry the promise rejects with a TimeoutError and the task's token is cancelled. */
  timeout?: number;
  /** Attempts after a failure. Default 0. */
  retries?: number;
  /** Backoff between attempts: a fixed number of ms, or exponential with jitter. Default { base: 10, factor: 2, max: 1000, jitter: 'full' }. */
  retryDelay?: number | RetryDelay;
  /** Which errors are retried (default: all but cancellations and timeouts). */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Name used in errors. Default: the function's name. */
  name?: string;
}

/** The promise of a submitted task, with control over it before it starts. */
export type TaskHandle<R> = Promise<R> & {
  /** Withdraws the task if it has not started (the promise rejects with a CancelledError) and returns true; otherwise cancels its token, if any, and returns false. */
  cancel(reason?: unknown): boolean;
  /** Moves a task that has not started to another priority level (O(1)); false if it already started or settled. */
  reprioritize(priority: Priority): boolean;
};

const known = ['priority', 'signal', 'token', 'timeout', 'retries', 'retryDelay', 'retryIf', 'name'] as const;

export interface Job {
  fnId: number;
  args: unknown[];
  name: string;
  level: number;
  token: CancellationToken | undefined;   // the job's own (linked to the user's token, if any), when it can be cancelled
  words: number;                          // the token's word block this job holds (0: none), from its first attempt
  lost: boolean;                          // an attempt died with its worker: its token words are never freed
  timeout: number;                        // 0: none
  retries: number;
  retryDelay: RetryDelay;
  retryIf: ((error: unknown, attempt: number) => boolean) | undefined;
  attempt: number;                        // attempts started so far
  slot: number;                           // task slot while in the core, else -1
  settled: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;   // retry backoff
  grace: ReturnType<typeof setTimeout> | undefined;   // forced-cancel grace, once its token was cancelled
  stopToken: (() => void) | undefined;                // removes the job's listener from its token
  unlinkToken: (() => void) | undefined;              // removes the link from the user's token to the job's
  timedOut: boolean;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

function onlyPriority(o: TaskOptions): boolean {
  for (const k in o) if (k !== 'priority') return false;
  return true;
}

/** The call whose options these are, as messages name it. */
const SUBMIT = 'executor.submit(fn, args, options)';

function nonNegative(name: string, v: unknown, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new TypeError(messages.callOption(SUBMIT, name, integer ? 'a non-negative integer' : 'a non-negative number', v));
  }
  return v;
}

export type Resolved = Omit<Job, 'fnId' | 'args' | 'name' | 'words' | 'lost' | 'attempt' | 'slot' | 'settled' | 'timer' | 'grace' | 'stopToken' | 'unlinkToken' | 'timedOut' | 'resolve' | 'reject'> & { name?: string; signal?: AbortSignal };
/** The options of a submit() without any (the common case: no validation, no allocation). */
const DEFAULTS: Resolved = { level: 2, token: undefined, timeout: 0, retries: 0, retryDelay: {}, retryIf: undefined, name: undefined, signal: undefined };
/** Resolved options by priority level, for option objects that set nothing else. */
export const BY_LEVEL: readonly Resolved[] = [0, 1, 2, 3].map((level) => ({ ...DEFAULTS, level }));

/** Validates submit options; every message names the call and the option. */
export function resolveTaskOptions(o: TaskOptions | undefined): Resolved {
  if (o === undefined) return DEFAULTS;
  if (typeof o !== 'object' || o === null) throw new TypeError(messages.argType(`${SUBMIT}: options`, 'an object', o));
  for (const k of Object.keys(o)) {
    if (!(known as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(SUBMIT, k, known));
  }
  const level = o.priority === undefined ? 2 : checkedPriority(`${SUBMIT}: options.priority`, o.priority);
  if (onlyPriority(o)) return BY_LEVEL[level];
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(messages.callOption(SUBMIT, 'signal', 'an AbortSignal', o.signal));
  if (o.token !== undefined && !(o.token instanceof CancellationToken)) throw new TypeError(messages.callOption(SUBMIT, 'token', 'a CancellationToken', o.token));
  if (o.retryIf !== undefined && typeof o.retryIf !== 'function') throw new TypeError(messages.callOption(SUBMIT, 'retryIf', 'a function', o.retryIf));
  if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(messages.callOption(SUBMIT, 'name', 'a string', o.name));
  let retryDelay: RetryDelay = {};
  if (typeof o.retryDelay === 'number') retryDelay = { base: nonNegative('retryDelay', o.retryDelay, false), factor: 1, jitter: 'none', max: o.retryDelay };
  else if (o.retryDelay !== undefined) {
    if (typeof o.retryDelay !== 'object' || o.retryDelay === null) throw new TypeError(messages.callOption(SUBMIT, 'retryDelay', 'milliseconds or { base, factor, max, jitter }', o.retryDelay));
    const d = o.retryDelay;
    if (d.base !== undefined) nonNegative('retryDelay.base', d.base, false);
    if (d.max !== undefined) nonNegative('retryDelay.max', d.max, false);
    if (d.factor !== undefined && !(typeof d.factor === 'number' && d.factor >= 1)) throw new TypeError(messages.callOption(SUBMIT, 'retryDelay.factor', 'a number ≥ 1', d.factor));
    if (d.jitter !== undefined && d.jitter !== 'full' && d.jitter !== 'none') throw new TypeError(messages.callOption(SUBMIT, 'retryDelay.jitter', "'full' or 'none'", d.jitter));
    retryDelay = d;
  }
  const timeout = o.timeout === undefined ? 0 : nonNegative('timeout', o.timeout, false);
  if (o.timeout !== undefined && timeout === 0) throw new TypeError(messages.callOption(SUBMIT, 'timeout', 'a positive number of milliseconds', o.timeout));
  return {
    level, token: o.token, timeout, retries: o.retries === undefined ? 0 : nonNegative('retries', o.retries, true),
    retryDelay, retryIf: o.retryIf, name: o.name, signal: o.signal,
  };
}

/** A submitted task's record, before its first attempt. */
export function newJob(fnId: number, args: readonly unknown[], name: string, o: Resolved, token: CancellationToken | undefined,
  resolve: (v: unknown) => void, reject: (e: unknown) => void): Job {
  return {
    fnId, args: args as unknown[], name, level: o.level, token, words: 0, lost: false, timeout: o.timeout,
    retries: o.retries, retryDelay: o.retryDelay, retryIf: o.retryIf, attempt: 0, slot: -1, settled: false,
    timer: undefined, grace: undefined, stopToken: undefined, unlinkToken: undefined, timedOut: false, resolve, reject,
  };
}

/** The error of a job whose task ran past its timeout. */
export function timeoutError(job: Job): TimeoutError {
  return new TimeoutError(messages.taskTimedOut(job.name, job.timeout), { task: job.name, timeout: job.timeout });
}

/** The job of a slot that was withdrawn (cancelled or moved) and is still in a queue. */
export const WITHDRAWN = { settled: true } as Job;
