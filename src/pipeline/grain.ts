// The host side of a stage's batches (docs/pipelines.md "Grain"): how many ready tokens one task of a
// parallel worker stage takes now, the batch task's arguments, and its answer read back. The worker side
// is batch-task.ts; the flow (flow.ts) queues a batching stage's tokens and hands them over.
import type { JobHost } from '../engine/host-task.js';
import type { SharedCore } from '../engine/memory.js';
import { FnKind } from '../engine/functions.js';
import { taskError } from '../engine/outcomes.js';
import { learnersTable, readPrediction, PREDICTION_BYTES } from '../engine/learn-table.js';
import { learnedPipeGrain, plainPipeGrain, sampled, PIPE_TOKEN_SHAPE } from '../policy/pipe-grain.js';
import type { BatchAnswer } from './batch-task.js';
import type { PlainError } from '../engine/codec.js';
import { negativeZeros, restoreZeros } from './zeros.js';
import type { Stage } from './stage.js';

/** A token as a batch sees it. */
export interface BatchToken { readonly index: number; readonly line: number; readonly value: unknown; readonly deferrals: number }

/**
 * The out block of the host's prediction reads, one per core: the host reads on one thread, one read at
 * a time, and the block lives as long as the executor's memory.
 */
const scratch = new WeakMap<SharedCore, number>();

/** A stage that runs its tokens in batch tasks: its function's id and its grain. Host thread only. */
export class StageGrain {
  readonly fnId: number;
  readonly #core: SharedCore;
  readonly #fixed: number;
  #size: number;
  /** Tokens sent one per task while learned so (sampled() picks the ones measured). */
  #single = 0;

  private constructor(core: SharedCore, fnId: number, fixed: number) {
    this.#core = core; this.fnId = fnId; this.#fixed = fixed;
    this.#size = fixed > 0 ? fixed : plainPipeGrain();
    this.refresh();
  }

  /**
   * The batching of stage st on `host`, or undefined where each token is a task of the stage's function
   * as before: serial and host stages, `grain: 1`, 'auto' with learning off (or paused), and a function
   * the table refuses (its own task then fails with that error, naming the token, as it always did).
   */
  static of(host: JobHost, st: Stage): StageGrain | undefined {
    if (st.serial || st.host || st.grain === 1) return undefined;
    if (st.grain === 0 && learnersTable(host.core) === 0) return undefined;
    let fnId: number;
    try { fnId = host.fns.idOf(st.fn, 'executor.async(fn)'); } catch { return undefined; }
    return new StageGrain(host.core, fnId, st.grain);
  }

  /** Tokens one task takes now. */
  get size(): number { return this.#size; }

  /**
   * Whether a token that goes alone now goes as a batch of one (measured) rather than as a task of the
   * stage's function: always at a fixed grain, one in SAMPLE_EVERY while learned to take one per task.
   */
  measures(): boolean {
    return this.#fixed > 0 || sampled(this.#single++);
  }

  /** Reads the stage's learned cost per token again ('auto'): the grain the next batches take. */
  refresh(): void {
    if (this.#fixed > 0) return;
    const c = this.#core;
    const table = learnersTable(c);
    if (table === 0) { this.#size = plainPipeGrain(); return; }
    let out = scratch.get(c);
    if (out === undefined) { out = c.alloc(PREDICTION_BYTES); scratch.set(c, out); }
    const p = readPrediction(c, table, this.fnId, PIPE_TOKEN_SHAPE, out);
    if (p !== undefined) this.#size = learnedPipeGrain(p.samples, p.oneEuro);
  }
}

/** The batch task's arguments for `tokens` of stage st (position s): batch-task.ts lists them. */
export function batchArgs(g: StageGrain, st: Stage, s: number, stop: number, tokens: readonly BatchToken[]): unknown[] {
  const k = tokens.length;
  const values = tokens.map((t) => t.value);
  const a: unknown[] = [g.fnId, st.args.length, st.context ? s : -1, stop, k, ...st.args, k === 1 ? values[0] : values];
  if (st.context) a.push(tokens.flatMap((t) => [t.index, t.line, t.deferrals]));
  const marks = negativeZeros(values, 3);   // also for one: after the head, a tuple has no room for its words
  if (marks !== undefined) a.push(marks);
  return a;
}

/** What a batch answered, read back: the outputs of the tokens that ran, how many ran, the failing one's error. */
export interface Answer { readonly out: unknown[]; readonly ran: number; readonly error: unknown }

/** A batch's answer (a batch of one's: its output) read back. */
export function readAnswer(host: JobHost, g: StageGrain, k: number, answer: unknown): Answer {
  if (k === 1) return { out: [answer], ran: 1, error: undefined };
  const [out, marks, ran, plain] = answer as BatchAnswer;
  if (marks !== 0) restoreZeros(out, marks);
  return { out, ran, error: plain === undefined ? undefined : stageError(host, g, plain) };
}

/** A batch of one's rejection read back when it is a BatchCut (it did not run, or its call failed); else undefined. */
export function readCut(host: JobHost, g: StageGrain, e: unknown): Answer | undefined {
  const cut = (e as { batchCut?: PlainError | 0 } | null)?.batchCut;
  if (!(e instanceof Error) || e.name !== 'BatchCut' || cut === undefined) return undefined;
  return { out: [], ran: 0, error: cut === 0 ? undefined : stageError(host, g, cut) };
}

/** The error a stage's call threw, rebuilt as the executor rebuilds a task's own (outcomes.ts taskError). */
function stageError(host: JobHost, g: StageGrain, plain: PlainError): unknown {
  const fns = host.fns;
  return taskError(plain, fns.nameOf(g.fnId), fns.kindOf(g.fnId) === FnKind.Inline);
}
