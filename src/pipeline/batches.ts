// A flow's batching stages (docs/pipelines.md "Grain"): the parallel worker stages whose tokens go to
// workers several to a task. Each keeps a queue of the tokens that reached it; the queue goes as batches
// at the end of the event-loop turn in which they arrived (every token ready by then, none waited for),
// or at once when it holds a whole batch. Host thread only, like the flow (flow.ts), whose counters the
// hooks update: a token in a batch task counts as a stage call until the task's answer is read.
//
// The stop word is the one shared word: an i32 in the executor's memory, allocated with the first batch
// and freed once the flow is over (no batch in flight then). The flow sets it with an atomic store when
// it stops; each batch task loads it atomically before each token and runs none after it is set
// (batch-task.ts). Atomic because it is written while tasks read it; nothing else is published by it.
import type { JobHost } from '../engine/host-task.js';
import { ASYNC } from '../engine/tasks.js';
import { DataCloneError } from '../errors.js';
import { macrotask } from '../platform/wait-async.js';
import { batchSize } from '../policy/pipe-grain.js';
import { PIPE_TASK } from './batch-task.js';
import { StageGrain, batchArgs, readAnswer, readCut, type Answer, type BatchToken } from './grain.js';
import type { Stage } from './stage.js';

/** What batches do to the flow. */
export interface BatchHooks<T> {
  stopping(): boolean;
  /** Stage calls in flight change by n. */
  calls(n: number): void;
  /** Token t goes to stage s as a call of its own (the stage's usual path). */
  callOne(t: T, s: number): void;
  /** Stage s finished t with output v (counts one call done). */
  finished(t: T, s: number, v: unknown): void;
  /** Stage s failed on t with error e (counts one call done): the flow stops, naming t. */
  failed(t: T, s: number, e: unknown): void;
  check(): void;
}

export class Batches<T extends BatchToken> {
  readonly #host: JobHost;
  readonly #stages: readonly Stage[];
  readonly #hooks: BatchHooks<T>;
  /** Per stage: its batching, or undefined where each token is a task (or host call) of its own. */
  readonly #grains: (StageGrain | undefined)[];
  readonly #queued: T[][];
  #flushing = false;
  #stopWord = 0;

  constructor(host: JobHost, stages: readonly Stage[], hooks: BatchHooks<T>) {
    this.#host = host;
    this.#stages = stages;
    this.#hooks = hooks;
    this.#grains = stages.map((st) => StageGrain.of(host, st));
    this.#queued = stages.map(() => []);
  }

  /** Whether stage s batches its tokens. */
  takes(s: number): boolean { return this.#grains[s] !== undefined; }

  /** Token t reached batching stage s. */
  queue(t: T, s: number): void {
    const q = this.#queued[s], g = this.#grains[s]!;
    if (g.size <= 1 && q.length === 0 && !g.measures()) { this.#hooks.callOne(t, s); return; }
    q.push(t);
    if (q.length >= g.size) this.#dispatch(s);
    else if (!this.#flushing) { this.#flushing = true; macrotask(this.#flush); }
  }

  /** The flow stops: running batches run no further token. */
  stop(): void {
    if (this.#stopWord !== 0) Atomics.store(this.#host.core.i32, this.#stopWord >> 2, 1);
  }

  /** The flow is over: nothing in flight reads the stop word any more. */
  over(): void {
    if (this.#stopWord !== 0) { this.#host.core.x.heapFree(this.#stopWord); this.#stopWord = 0; }
  }

  readonly #flush = (): void => {
    this.#flushing = false;
    for (let s = 0; s < this.#stages.length; s++) this.#dispatch(s);
    this.#hooks.check();
  };

  /** Stage s's queued tokens go as batches of its grain; none once stopping (they keep their lines). */
  #dispatch(s: number): void {
    const q = this.#queued[s], g = this.#grains[s];
    while (g !== undefined && !this.#hooks.stopping() && q.length > 0) this.#batch(q.splice(0, batchSize(g.size, q.length)), s, g);
  }

  /**
   * Sends tokens as one task. It runs from a macrotask (the flush), where a throw would be uncaught: a
   * heap too full for the stop word, a submission refused, or an answer that cannot be read fails the
   * batch instead (#failed), so the flow stops with the error and its count of calls stays exact.
   */
  #batch(tokens: T[], s: number, g: StageGrain): void {
    const core = this.#host.core;
    this.#hooks.calls(tokens.length);
    let sent: Promise<unknown>;
    try {
      if (this.#stopWord === 0) { this.#stopWord = core.alloc(8); core.i32[this.#stopWord >> 2] = 0; }
      sent = this.#host.tasks.plain(2, PIPE_TASK, batchArgs(g, this.#stages[s], s, this.#stopWord, tokens), ASYNC);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then((a) => {
      let answer: Answer;
      try { answer = readAnswer(this.#host, g, tokens.length, a); } catch (e) { this.#failed(tokens, s, g, e); return; }
      this.#answered(tokens, s, g, answer);
    }, (e) => this.#failed(tokens, s, g, e));
  }

  /** A batch answered: the tokens that ran go on in order; a failing one stops the flow; later ones never ran. */
  #answered(tokens: T[], s: number, g: StageGrain, { out, ran, error }: Answer): void {
    g.refresh();
    const h = this.#hooks;
    for (let i = 0; i < ran; i++) h.finished(tokens[i], s, out[i]);
    const failed = ran < tokens.length && error !== undefined;
    if (failed) h.failed(tokens[ran], s, error);
    h.calls(-(tokens.length - ran - (failed ? 1 : 0)));
    h.check();
  }

  /**
   * The batch task itself failed: a batch of one that was cut (BatchCut) is an answer. A DataCloneError:
   * its arguments could not be sent and nothing ran, so
   * its tokens go again as calls of their own, whose errors name the token and argument as always.
   * Otherwise (its worker died) the batch's first token fails with the error.
   */
  #failed(tokens: T[], s: number, g: StageGrain, e: unknown): void {
    const cut = tokens.length === 1 ? readCut(this.#host, g, e) : undefined;
    if (cut !== undefined) { this.#answered(tokens, s, g, cut); return; }
    const h = this.#hooks;
    if (e instanceof DataCloneError || h.stopping()) {
      h.calls(-tokens.length);
      if (!h.stopping()) for (const t of tokens) h.callOne(t, s);
      h.check();
      return;
    }
    h.calls(-(tokens.length - 1));
    h.failed(tokens[0], s, e);
  }
}
