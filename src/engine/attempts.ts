// What a failed attempt of a job (tasks.ts) leads to: another attempt after a backoff, or the error the
// job rejects with. Pure but for the job's own retryIf, which may throw (the caller reports that).
import { messages, CancelledError, TimeoutError, type TaskFailure } from '../errors.js';
import type { Job } from './jobs.js';

/**
 * The error of job's failed attempt as the job reports it: naming the job, and a CancelledError (the
 * attempt's error in `suppressed`) when its token was cancelled: a cancelled token wins
 * (docs/control.md "Retries"), whatever the attempt threw.
 */
export function attemptError(job: Job, error: unknown): unknown {
  if (error instanceof Error && (error as TaskFailure).task !== undefined) (error as TaskFailure).task = job.name;
  if (job.token?.cancelled && !(error instanceof CancelledError) && !(error instanceof TimeoutError)) {
    return cancelledAfterFailure(job, error);
  }
  return error;
}

/**
 * Whether job, whose attempt failed with `error`, gets another attempt: not past its retries, not once the
 * executor stops running (close() finishes retries too) or its token is cancelled, never for a
 * cancellation or a timeout, and then as its retryIf says (which may throw).
 */
export function mayRetry(job: Job, error: unknown, running: boolean): boolean {
  if (job.attempt > job.retries || !running || job.token?.cancelled) return false;
  if (error instanceof CancelledError || error instanceof TimeoutError) return false;
  return job.retryIf ? job.retryIf(error, job.attempt) === true : true;
}

/** The CancelledError of a job whose attempt failed after its token was cancelled; the attempt's error is in `suppressed`. */
function cancelledAfterFailure(job: Job, attemptError: unknown): CancelledError {
  const reason = job.token!.reason;
  const e = new CancelledError(messages.tokenCancelledJob(job.name, reason), reason) as CancelledError & { suppressed?: unknown[]; task?: string };
  e.suppressed = [attemptError];
  return withTask(e, job.name);
}

/** e naming the task it belongs to, as a task's own errors do, whether it was withdrawn or ran. */
export function withTask<E extends Error>(e: E, name: string): E & { task?: string } {
  (e as E & { task?: string }).task = name;
  return e;
}
