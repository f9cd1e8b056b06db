// One run of a pipeline: the host-side state machine that moves tokens through the stages. The
// protocol is written out in README.md beside this file; the rules it applies are in policy.ts.
//
// Everything here runs on the host thread, in promise callbacks: stage calls on workers are one-off tasks
// (what executor.async runs: engine/tasks.ts), so the flow needs no shared memory of its own and no locks. A token is
// { index, value }; index is its place in source order, value the last stage's output.
import type { Engine } from '../engine/engine.js';
import { ASYNC } from '../engine/tasks.js';
import { messages, CancelledError, PipelineError } from '../errors.js';
import { mayPull, mayEnter, isOver } from './policy.js';
import type { Source, Pull } from './source.js';

/** A stage as a flow runs it. */
export interface Stage {
  readonly fn: (...a: any[]) => unknown;
  readonly args: readonly unknown[];
  readonly serial: boolean;
  readonly host: boolean;
  readonly name: string;
  /** Pass the token's context ({ token, line, pipe }) after the input. */
  readonly context: boolean;
}

/** What a stage with `{ context: true }` gets after its input: Taskflow's pf.token(), pf.line(), pf.pipe(). */
export interface PipeContext {
  /** The token's number in this run, in source order (0 for the first item). */
  readonly token: number;
  /** The line the token holds: 0 to lines-1, held by no other token in flight. */
  readonly line: number;
  /** The stage's position in the pipeline (0 for the first pipe). */
  readonly pipe: number;
}

type Token = { index: number; line: number; value: unknown };
type Taker = { resolve(r: IteratorResult<unknown>): void; reject(e: unknown): void };

export class Flow {
  readonly #ex: Engine;
  readonly #stages: readonly Stage[];
  readonly #lines: number;
  readonly #name: string;
  readonly #source: Source;
  /** Sink form: completed outputs wait (holding their line) until the consumer takes them. */
  readonly #sink: boolean;
  readonly #signal: AbortSignal | undefined;

  // Tokens and lines.
  #held = 0;            // tokens holding a line (see policy.mayPull)
  #numbered = 0;        // tokens taken from the source so far = the next token's index
  #completed = 0;       // tokens that left the last stage
  #pulling = false;     // a source next() is in flight
  #exhausted = false;   // the source said done, or threw (then it is not closed: it has finished)
  #closing = false;     // the source's return() is in flight
  #calls = 0;           // stage calls in flight
  /** Lines no token holds, oldest-freed first: with tokens finishing in order, token t gets line t % lines. */
  readonly #free: number[];
  /** Called as each token is taken from the source (the pipeline's numTokens). */
  readonly #onToken: () => void;

  // Serial stages: whose turn it is, whether one is running, and tokens waiting for their turn. A waiting
  // token's index is within `lines` of the turn (every token between them holds a line), so a slot per line
  // (index % lines) is enough.
  readonly #turn: number[];
  readonly #busy: boolean[];
  readonly #parked: (Token | undefined)[][];

  // Sink form: outputs not yet taken, and consumers waiting for one.
  readonly #out: Token[] = [];
  #outHead = 0;
  readonly #takers: Taker[] = [];

  // Ending.
  #stopping = false;
  #failed = false;
  #error: unknown = undefined;
  readonly #suppressed: unknown[] = [];
  /** The consumer left (sink form): later errors concern nobody. */
  #quiet = false;
  #over = false;
  #errorTaken = false;
  #settle!: () => void;
  /** Resolves when the flow is over (nothing in flight); see failed / error / completed. */
  readonly over: Promise<void>;

  constructor(ex: Engine, stages: readonly Stage[], lines: number, name: string, source: Source,
    sink: boolean, signal: AbortSignal | undefined, onToken: () => void = () => {}) {
    this.#ex = ex;
    this.#stages = stages;
    this.#lines = lines;
    this.#name = name;
    this.#source = source;
    this.#sink = sink;
    this.#signal = signal;
    this.#free = Array.from({ length: lines }, (_, i) => i);
    this.#onToken = onToken;
    this.#turn = stages.map(() => 0);
    this.#busy = stages.map(() => false);
    this.#parked = stages.map((s) => (s.serial ? new Array<Token | undefined>(lines) : []));
    this.over = new Promise<void>((r) => { this.#settle = r; });
  }

  get failed(): boolean { return this.#failed; }
  get error(): unknown { return this.#error; }
  get completed(): number { return this.#completed; }

  /** Starts pulling. An already aborted signal stops the flow before the first pull. */
  start(): void {
    const signal = this.#signal;
    if (signal) {
      if (signal.aborted) this.#cancel();
      else signal.addEventListener('abort', this.#cancel, { once: true });
    }
    this.#pump();
  }

  readonly #cancel = (): void => {
    this.#stop(new CancelledError(messages.pipelineCancelled(this.#name), this.#signal?.reason));
  };

  // ---- the source ----

  /** Pulls while policy allows: synchronously from an iterable, one promise at a time from an async one. */
  #pump(): void {
    while (mayPull(this.#stopping, this.#exhausted, this.#pulling, this.#held, this.#lines)) {
      this.#held++;   // the line is taken as the pull starts
      this.#pulling = true;
      let r: Pull;
      try {
        r = this.#source.next();
      } catch (e) {
        this.#pulled(undefined, true, e);
        continue;
      }
      if (r instanceof Promise) {
        r.then((res) => { this.#pulled(res, false, undefined); this.#pump(); },
          (e) => { this.#pulled(undefined, true, e); this.#pump(); });
        return;
      }
      this.#pulled(r, false, undefined);
    }
    this.#check();
  }

  /** A pull settled: a new token enters the first stage, or the source is done or failed. */
  #pulled(res: IteratorResult<unknown> | undefined, threw: boolean, error: unknown): void {
    this.#pulling = false;
    if (!threw && (typeof res !== 'object' || res === null)) { threw = true; error = new TypeError(messages.sourceResult(res)); }
    if (threw) {
      this.#held--;
      this.#exhausted = true;   // an iterator that threw is finished: it is not closed
      this.#stop(new PipelineError(messages.sourceFailed(this.#name, this.#numbered, error),
        { pipeline: this.#name, stage: 'source', stageIndex: -1, token: this.#numbered }, error));
      return;
    }
    if (res!.done) { this.#held--; this.#exhausted = true; this.#check(); return; }
    if (this.#stopping) { this.#held--; this.#check(); return; }   // pulled while stopping: dropped
    this.#onToken();
    this.#arrive({ index: this.#numbered++, line: this.#free.shift()!, value: res!.value }, 0);
  }

  // ---- stages ----

  /** Token reaches stage s: starts there, or waits for its turn at a serial stage. */
  #arrive(token: Token, s: number): void {
    const st = this.#stages[s];
    if (!mayEnter(st.serial, this.#busy[s], this.#turn[s], token.index)) {
      this.#parked[s][token.index % this.#lines] = token;
      return;
    }
    this.#call(token, s);
  }

  #call(token: Token, s: number): void {
    const st = this.#stages[s];
    if (st.serial) this.#busy[s] = true;
    this.#calls++;
    const input = st.context
      ? [...st.args, token.value, Object.freeze<PipeContext>({ token: token.index, line: token.line, pipe: s })]
      : st.args.length === 0 ? [token.value] : [...st.args, token.value];
    let p: Promise<unknown>;
    if (st.host) {
      // In a microtask: a host stage never runs inside the flow's own bookkeeping (it may abort, for one).
      p = Promise.resolve().then(() => st.fn(...input));
    } else {
      p = this.#ex.tasks.plain(2, st.fn, input, ASYNC);
    }
    p.then((v) => this.#finished(token, s, v), (e) => this.#failedAt(token, s, e));
  }

  /** Stage s finished token: on to the next stage (or out), and the serial stage takes the next in turn. */
  #finished(token: Token, s: number, value: unknown): void {
    this.#calls--;
    const st = this.#stages[s];
    if (st.serial) { this.#busy[s] = false; this.#turn[s] = token.index + 1; }
    if (this.#stopping) { this.#check(); return; }   // no new stage call once stopping
    if (st.serial) {   // the stage is free: the token whose turn it now is starts, if it is waiting
      const slot = this.#turn[s] % this.#lines;
      const next = this.#parked[s][slot];
      if (next !== undefined && next.index === this.#turn[s]) {
        this.#parked[s][slot] = undefined;
        this.#call(next, s);
      }
    }
    token.value = value;
    if (s + 1 < this.#stages.length) this.#arrive(token, s + 1);
    else this.#complete(token);
    this.#pump();
  }

  #failedAt(token: Token, s: number, e: unknown): void {
    this.#calls--;
    const st = this.#stages[s];
    if (st.serial) this.#busy[s] = false;
    this.#stop(new PipelineError(
      messages.stageFailed(this.#name, st.name, s, this.#stages.length, st.serial ? 'serial' : 'parallel', token.index, e),
      { pipeline: this.#name, stage: st.name, stageIndex: s, token: token.index }, e));
  }

  /** Token left the last stage: its line is free (run form) or waits for the consumer (sink form). */
  #complete(token: Token): void {
    this.#completed++;
    if (!this.#sink) { this.#release(token); return; }
    this.#out.push(token);
    this.#serve();
  }

  /** Token leaves the pipeline: its line is free for the next pull. */
  #release(token: Token): void {
    this.#held--;
    this.#free.push(token.line);
  }

  // ---- stopping and ending ----

  /**
   * Stops the flow: no more pulls and no new stage calls; calls in flight finish; the source is closed
   * (its return()) unless it is exhausted. The first reason is the flow's error (undefined: the consumer
   * left); later ones are attached as suppressed.
   */
  #stop(reason: unknown): void {
    if (this.#stopping) {
      if (this.#failed && !this.#quiet && reason !== undefined) this.#suppressed.push(reason);
      this.#check();
      return;
    }
    this.#stopping = true;
    if (reason !== undefined) { this.#failed = true; this.#error = reason; } else this.#quiet = true;
    // Buffered outputs are dropped: a stopped pipeline delivers nothing more.
    for (let i = this.#outHead; i < this.#out.length; i++) this.#release(this.#out[i]);
    this.#out.length = 0;
    this.#outHead = 0;
    if (!this.#exhausted) {
      this.#exhausted = true;
      this.#closing = true;
      this.#source.close().then(() => {}, () => {}).then(() => { this.#closing = false; this.#check(); });
    }
    this.#check();
  }

  /** Ends the flow once policy says nothing is left in flight. */
  #check(): void {
    if (this.#over) return;
    if (!isOver(this.#calls, this.#pulling, this.#closing, this.#stopping, this.#exhausted, this.#held, this.#out.length - this.#outHead)) return;
    this.#over = true;
    this.#signal?.removeEventListener('abort', this.#cancel);
    if (this.#failed && this.#suppressed.length > 0) (this.#error as { suppressed?: unknown[] }).suppressed = this.#suppressed;
    this.#settle();
    this.#serve();
  }

  // ---- the sink form ----

  /** The consumer asks for the next output (iterator next()). */
  take(): Promise<IteratorResult<unknown>> {
    return new Promise((resolve, reject) => {
      this.#takers.push({ resolve, reject });
      this.#serve();
    });
  }

  /** The consumer leaves (iterator return(), `break` in `for await`): stops and resolves once over. */
  async leave(): Promise<IteratorResult<unknown>> {
    if (!this.#over) {
      this.#quiet = true;
      this.#stop(undefined);
      await this.over;
    }
    return { value: undefined, done: true };
  }

  /** Hands outputs to waiting consumers in completion order; once over, the error (once), then done. */
  #serve(): void {
    let freed = false;
    while (this.#takers.length > 0) {
      if (!this.#stopping && this.#outHead < this.#out.length) {
        const token = this.#out[this.#outHead];
        this.#out[this.#outHead++] = undefined as unknown as Token;
        if (this.#outHead === this.#out.length) { this.#out.length = 0; this.#outHead = 0; }
        this.#release(token);   // handed over: the token leaves the pipeline and frees its line
        freed = true;
        this.#takers.shift()!.resolve({ value: token.value, done: false });
        continue;
      }
      if (!this.#over) break;
      if (this.#failed && !this.#quiet && !this.#errorTaken) {
        this.#errorTaken = true;
        this.#takers.shift()!.reject(this.#error);
        continue;
      }
      this.#takers.shift()!.resolve({ value: undefined, done: true });
    }
    if (freed) this.#pump();
  }
}
