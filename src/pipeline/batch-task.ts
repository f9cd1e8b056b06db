// A batch of a parallel worker stage's tokens as one task (docs/pipelines.md "Grain"), run in workers: the
// built-in `beatflow.pipe` (PIPE_TASKS, listed in src/builtins.ts) calls the stage's function on each
// token in turn and answers with the outputs together. The host side is grain.ts and flow.ts.
//
// Arguments (BatchHead, then the stage's own args, then the tokens):
//   fnId   the stage function's id in the function table (FunctionCache.get on the worker)
//   lead   how many of the stage's own args follow the head
//   pipe   the stage's position when it takes the token's context, else -1
//   stop   address of the flow's stop word (an i32; 0: none). The host sets it with an atomic store when
//          the flow stops; the task loads it atomically before each token and runs none after it is set.
//          Atomic because the host writes it while the task runs; nothing else is published through it.
//   count  tokens in the batch
//   then: the inputs (the input itself when count is 1, else an array of them), the contexts when pipe
//   ≥ 0 ([token, line, numDeferrals] per token, flat), and, when some input is -0, its marks (zeros.ts).
// Answer: [outputs, marks of -0 outputs or 0, tokens run, PlainError of the failing token or absent].
// `tokens run` < count means the batch was cut: at a token whose call threw (its error follows; the
// outputs before it are complete, no later token ran), or at a stop (no error). A batch of one answers
// as a task of the stage's function would: its output itself (in the record's words when it fits, so
// encoding an answer array is not paid per token), or, cut, it throws a BatchCut carrying the error
// (0: stopped before it ran). Every call's cost is folded into the learners' table as ns per token
// under (fnId, PIPE_TOKEN_SHAPE).
import type { SharedCore } from '../engine/memory.js';
import type { FunctionCache, BuiltinModule } from '../engine/functions.js';
import { Codec, type PlainError } from '../engine/codec.js';
import { markReturned } from '../engine/clone-rules.js';
import { isThenable } from '../engine/batch-task.js';
import { learnersTable } from '../engine/learn-table.js';
import { PIPE_TOKEN_SHAPE } from '../policy/pipe-grain.js';
import { messages } from '../errors.js';
import { contextData } from './stage.js';
import { negativeZeros, restoreZeros } from './zeros.js';

/** What a batch task answers: outputs, marks of their -0s (0: none), tokens run, the failing token's error. */
export type BatchAnswer = [unknown[], number[] | 0, number, PlainError?];

/** What a batch of one throws when it was cut: the failing call's error, or 0 when it did not run (a stop). */
export class BatchCut extends Error {
  override name = 'BatchCut';
  readonly batchCut: PlainError | 0;
  constructor(cut: PlainError | 0) {
    super('beatflow.pipe: batch of one cut');
    this.batchCut = cut;
  }
}

let core: SharedCore | undefined;
let codec: Codec | undefined;
let fns: FunctionCache | undefined;

/** Worker start-up: the core and function cache the task uses. */
function bindPipe(c: SharedCore, f: FunctionCache): void {
  core = c;
  codec = new Codec(c);
  fns = f;
}

/** One batch in progress: the stage's function and arguments, the tokens, what ran so far. */
class Batch {
  readonly out: unknown[] = [];
  readonly #t0 = performance.now();
  constructor(readonly f: Function, readonly fnId: number, readonly args: unknown[], readonly values: unknown[],
    readonly ctx: number[] | undefined, readonly pipe: number, readonly stop: number) {}

  /** The call of token i's arguments: ...args, input, then its context when the stage takes it. */
  argsOf(i: number): unknown[] {
    const a = [...this.args, this.values[i]];
    if (this.ctx !== undefined) a.push(contextData(this.ctx[3 * i], this.ctx[3 * i + 1], this.pipe, this.ctx[3 * i + 2]));
    return a;
  }

  stopped(): boolean {
    return this.stop !== 0 && Atomics.load(core!.i32, this.stop >> 2) !== 0;
  }

  /** Token i's output: kept, or (one the codec cannot send back) the failure of token i. */
  keep(r: unknown): BatchAnswer | undefined {
    const fault = codec!.uncloneable(r);
    if (fault === undefined) { this.out.push(r); return undefined; }
    const refused = codec!.refusal(messages.returned(), fault);
    markReturned(refused);   // as a task's own return value: the host names the stage's function
    return this.answer(refused);
  }

  /** The answer after the tokens in `out` ran, cut by `error` when one is given; folds in their cost. */
  answer(error?: unknown): BatchAnswer {
    const ran = this.out.length + (error === undefined ? 0 : 1);
    const table = ran > 0 ? learnersTable(core!) : 0;
    if (table !== 0) core!.x.predictObserve(table, this.fnId, PIPE_TOKEN_SHAPE, ((performance.now() - this.#t0) * 1e6) / ran);
    const marks = negativeZeros(this.out, 2) ?? 0;
    return error === undefined ? [this.out, marks, this.out.length] : [this.out, marks, this.out.length, codec!.toPlain(error)];
  }
}

/** The task: the stage's function on each token in turn (a promise once a call returned one). */
function pipeBatch(fnId: number, lead: number, pipe: number, stop: number, count: number, ...rest: unknown[]): unknown {
  const args = rest.slice(0, lead);
  const values = count === 1 ? [rest[lead]] : rest[lead] as unknown[];
  const ctx = pipe >= 0 ? rest[lead + 1] as number[] : undefined;
  const marks = rest[lead + (pipe >= 0 ? 2 : 1)] as number[] | undefined;
  if (marks !== undefined) restoreZeros(values, marks);
  const answer = run(new Batch(fns!.get(fnId), fnId, args, values, ctx, pipe, stop), 0);
  if (count !== 1) return answer;
  return answer instanceof Promise ? answer.then(alone) : alone(answer);
}

/** A batch of one's answer as a task of the stage's function gives it: the output, or a BatchCut thrown. */
function alone([out, , ran, error]: BatchAnswer): unknown {
  if (ran === 1) return out[0];
  throw new BatchCut(error ?? 0);
}

/** Runs tokens from i on; on a thenable, waits for it and goes on from there. */
function run(b: Batch, i: number): BatchAnswer | Promise<BatchAnswer> {
  for (; i < b.values.length; i++) {
    if (b.stopped()) return b.answer();
    let r: unknown;
    try {
      r = b.f(...b.argsOf(i));
    } catch (e) {
      return b.answer(e);
    }
    if (isThenable(r)) {
      const next = i + 1;
      return Promise.resolve(r).then((v) => b.keep(v) ?? run(b, next), (e) => b.answer(e));
    }
    const cut = b.keep(r);
    if (cut !== undefined) return cut;
  }
  return b.answer();
}

/** The batch task as a built-in task module (src/builtins.ts). */
export const PIPE_TASKS: BuiltinModule = {
  name: 'pipe',
  functions: { 'beatflow.pipe': pipeBatch },
  bind: bindPipe,
};

/** The task function of a stage's batches. */
export const PIPE_TASK: Function = pipeBatch;
