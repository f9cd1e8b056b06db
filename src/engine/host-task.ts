// Host code as a graph task: a library registers a job (a function the host thread runs) and emplaces
// the built-in `beatflow.host` with the job's id as its argument. On its worker the task hops to the host
// (hop.ts, kind 'job') with the id and its inputs (the predecessors' results); the host runs the job on
// the executor whose worker asked and answers with the job's value or error. pipeline.task(tf, source)
// is such a job (src/pipeline/pipeline.ts): the host runs the pipeline, whose stages are tasks again.
//
// The registry is per process and lives on the host only: ids are numbers, so a task carries one in its
// record like any argument. An entry lives as long as the object that holds its task (the Taskflow): a
// FinalizationRegistry drops it after that object is collected.
import type { BuiltinModule } from './functions.js';
import type { Tasks } from './tasks.js';
import { askHost, type HopAsk } from './hop.js';
import { messages } from '../errors.js';

/** What a job gets of the executor that runs it: its one-off tasks (what executor.async runs). */
export interface JobHost { readonly tasks: Tasks }

/** The graph run a job's task belongs to, as the job sees it. */
export interface JobRun {
  /** Whether that run has stopped: cancelled (also by its signal or deadline) or failed, it or a run it is nested in. */
  stopped(): boolean;
  /**
   * Calls fn each time a run of this executor is cancelled from the host (ask stopped() then); returns a
   * remover. A failure elsewhere in the run shows only through stopped(): the workers record it.
   */
  onCancel(fn: () => void): () => void;
}

/** A job: what the host runs for its task. `inputs` are the task's predecessors' results. */
export type HostJob = (host: JobHost, inputs: readonly unknown[], run: JobRun) => Promise<unknown>;

/** What the worker sends: the job and the task's inputs. */
interface JobPayload { readonly id: number; readonly inputs: readonly unknown[] }

const jobs = new Map<number, HostJob>();
let lastJob = 0;
const collected = new FinalizationRegistry<number>((id) => { jobs.delete(id); });

/** Registers `job` for as long as `holder` lives; returns the id its task takes as argument. Host thread only. */
export function registerHostJob(job: HostJob, holder: object): number {
  const id = ++lastJob;
  jobs.set(id, job);
  collected.register(holder, id);
  return id;
}

/** The task: asks the host to run job `id` with the task's other arguments; settles with its answer. */
function host(this: unknown, id: number, ...inputs: unknown[]): Promise<unknown> {
  return askHost(this, 'job', { id, inputs } satisfies JobPayload);
}

export const HOST_TASKS: BuiltinModule = Object.freeze({ name: 'host', functions: Object.freeze({ 'beatflow.host': host }) });

/** The task function a job's task runs (emplace it with `.args(id)`). */
export const HOST_TASK: (id: number, ...inputs: unknown[]) => Promise<unknown> = host;

/** The host side: runs the job a worker's task names, on `jobHost`. */
export function serveJob(jobHost: JobHost, ask: HopAsk, run: JobRun): Promise<unknown> {
  const { id, inputs } = ask.payload as JobPayload;
  const job = jobs.get(id);
  if (job === undefined) return Promise.reject(new Error(messages.hostJobMissing(id)));
  return job(jobHost, inputs, run);
}
