// One run of a pipeline: the host-side state machine that moves tokens through the stages. The
// protocol is written out in README.md beside this file; the rules it applies are in policy.ts.
//
// Everything here runs on the host thread, in promise callbacks: stage calls on workers are one-off tasks
// (what executor.async runs: engine/tasks.ts), so the flow needs no shared memory of its own and no locks. A token is
// { index, line, value, seq, deferrals }: index is its place in source order, value the last stage's output, seq its
// place in the order tokens passed the first pipe (the order serial stages after it take them).
import type { JobHost, JobRun } from '../engine/host-task.js';
import { ASYNC } from '../engine/tasks.js';
import { messages, CancelledError, PipelineError } from '../errors.js';
import { mayPull, mayEnter, isOver } from './policy.js';
import { Deferrals } from './defer.js';
import type { Source, Pull } from './source.js';
import { stageInput, type Stage } from './stage.js';

type Token = { readonly index: number; line: number; value: unknown; seq: number; deferrals: number };
type Taker = { resolve(r: IteratorResult<unknown>): void; reject(e: unknown): void };

/** How a flow is run: its form, what cancels it, and who counts its tokens. */
export interface FlowOptions {
  /** Sink form (stream()): completed outputs wait, holding their line, until the consumer takes them. */
  readonly sink: boolean;
  readonly signal?: AbortSignal;
  /** The graph run of the task the flow runs for (pipeline.task): it stops the flow when it stops. */
  readonly run?: JobRun;
  /** Called as each token is taken from the source (the pipeline's numTokens). */
  readonly onToken?: () => void;
  /** Called once the flow is over, just before `over` resolves. */
  readonly onOver?: () => void;
}

export class Flow {
  readonly #ex: JobHost;
  readonly #stages: readonly Stage[];
  readonly #lines: number;
  readonly #name: string;
  readonly #source: Source;
  /** Sink form: completed outputs wait (holding their line) until the consumer takes them. */
  readonly #sink: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #run: JobRun | undefined;
  #unwatch: (() => void) | undefined;

  // Tokens and lines.
  #held = 0;            // tokens holding a line (see policy.mayPull)
  #numbered = 0;        // tokens taken from the source so far = the next token's index
  #completed = 0;       // tokens that left the last stage
  #passed = 0;          // tokens that passed the first pipe = the next one's seq
  #pulling = false;     // a source next() is in flight
  #exhausted = false;   // the source said done, or threw (then it is not closed: it has finished)
  #closing = false;     // the source's return() is in flight
  #calls = 0;           // stage calls in flight
  /** Lines no token holds, oldest-freed first: with tokens finishing in order, token t gets line t % lines. */
  readonly #free: number[];
  /** Called as each token is taken from the source (the pipeline's numTokens). */
  readonly #onToken: () => void;
  readonly #onOver: (() => void) | undefined;
  /** Deferred tokens (pf.defer), made by the first deferral. */
  #deferrals: Deferrals<Token> | undefined;

  // Serial stages: whose turn it is, whether one is running, and tokens waiting for their turn. The first
  // stage's turn is the index of the next new token; a later stage's, the seq of the next token. A waiting
  // token's number is within `lines` of the turn (every token between them holds a line), so a slot per
  // line (number % lines) is enough.
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

  constructor(ex: JobHost, stages: readonly Stage[], lines: number, name: string, source: Source, options: FlowOptions) {
    this.#ex = ex;
    this.#stages = stages;
    this.#lines = lines;
    this.#name = name;
    this.#source = source;
    this.#sink = options.sink;
    this.#signal = options.signal;
    this.#run = options.run;
    this.#free = Array.from({ length: lines }, (_, i) => i);
    this.#onToken = options.onToken ?? (() => {});
    this.#onOver = options.onOver;
    this.#turn = stages.map(() => 0);
    this.#busy = stages.map(() => false);
    this.#parked = stages.map((s) => (s.serial ? new Array<Token | undefined>(lines) : []));
    this.over = new Promise<void>((r) => { this.#settle = r; });
  }

  get failed(): boolean { return this.#failed; }
  get error(): unknown { return this.#error; }
  get completed(): number { return this.#completed; }

  /** Starts pulling. An already aborted signal (or stopped run) stops the flow before the first pull. */
  start(): void {
    const signal = this.#signal;
    if (signal) {
      if (signal.aborted) this.#cancel();
      else signal.addEventListener('abort', this.#cancel, { once: true });
    }
    if (this.#run) this.#unwatch = this.#run.onCancel(this.#watchRun);
    this.#pump();
  }

  readonly #cancel = (): void => {
    this.#stop(new CancelledError(messages.pipelineCancelled(this.#name), this.#signal?.reason));
  };

  /** The graph run this flow is a task of stopped (cancelled, failed): so does the flow. */
  readonly #watchRun = (): void => {
    if (!this.#stopping && this.#run!.stopped()) this.#stop(new CancelledError(messages.pipelineRunStopped(this.#name)));
  };

  // ---- the source ----

  /**
   * Feeds the first pipe a ready deferred token if it can take one, then pulls while policy allows:
   * synchronously from an iterable, one promise at a time from an async one. Ready tokens count as
   * holding the lines they are about to take, so no pull takes a line before them.
   */
  #pump(): void {
    if (this.#run) this.#watchRun();
    if (this.#deferrals !== undefined && this.#deferrals.ready > 0) this.#feedFirst();
    const ready = this.#deferrals?.ready ?? 0;
    while (mayPull(this.#stopping, this.#exhausted, this.#pulling, this.#held + ready, this.#lines)) {
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
    if (res!.done) {
      this.#held--;
      this.#exhausted = true;
      const never = this.#deferrals?.beyond(this.#numbered);
      if (never !== undefined) this.#deferFailed(never[0], messages.deferBeyond(never[0], never[1], this.#numbered));
      this.#check();
      return;
    }
    if (this.#stopping) { this.#held--; this.#check(); return; }   // pulled while stopping: dropped
    this.#onToken();
    this.#arrive({ index: this.#numbered++, line: this.#free.shift()!, value: res!.value, seq: -1, deferrals: 0 }, 0);
  }

  // ---- stages ----

  /** Token reaches stage s: starts there, or waits for its turn at a serial stage. */
  #arrive(token: Token, s: number): void {
    const st = this.#stages[s];
    const n = s === 0 ? token.index : token.seq;
    if (!mayEnter(st.serial, this.#busy[s], this.#turn[s], n) || (s === 0 && (this.#deferrals?.ready ?? 0) > 0)) {
      this.#parked[s][n % this.#lines] = token;
      return;
    }
    this.#call(token, s);
  }

  #call(token: Token, s: number): void {
    const st = this.#stages[s];
    if (st.serial) this.#busy[s] = true;
    this.#calls++;
    let asked: Set<number> | undefined;
    let open = true;
    const input = stageInput(st, s, token, (t) => { asked = this.#deferTo(s, open, t, asked); });
    let p: Promise<unknown>;
    if (st.host) {
      // In a microtask: a host stage never runs inside the flow's own bookkeeping (it may abort, for one).
      p = Promise.resolve().then(() => st.fn(...input));
    } else {
      p = this.#ex.tasks.plain(2, st.fn, input, ASYNC);
    }
    p.then((v) => { open = false; this.#finished(token, s, v, asked); }, (e) => { open = false; this.#failedAt(token, s, e); });
  }

  /** pf.defer(t) in stage s: checked, then added to the tokens this call waits for. */
  #deferTo(s: number, open: boolean, t: number, asked: Set<number> | undefined): Set<number> {
    const st = this.#stages[s];
    if (s !== 0 || !st.serial) throw new Error(messages.deferNotFirst(this.#name, st.name, s));
    if (!open) throw new Error(messages.deferLate(this.#name, st.name));
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) throw new TypeError(messages.deferToken(t));
    return (asked ?? new Set<number>()).add(t);
  }

  /** Stage s finished token: on to the next stage (or out), and the serial stage takes the next in turn. */
  #finished(token: Token, s: number, value: unknown, asked: Set<number> | undefined): void {
    this.#calls--;
    const st = this.#stages[s];
    if (st.serial && !(s === 0 && asked !== undefined)) this.#freeSerial(token, s);
    if (this.#stopping) { if (asked !== undefined) this.#busy[0] = false; this.#check(); return; }   // no new stage call once stopping
    if (s === 0 && asked !== undefined) { this.#deferred(token, asked); return; }
    if (s === 0) {
      token.seq = st.serial ? this.#passed++ : token.index;   // after a parallel first stage, later ones go by token order
      this.#deferrals?.passed(token.index);
    }
    if (st.serial) this.#next(s);
    token.value = value;
    if (s + 1 < this.#stages.length) this.#arrive(token, s + 1);
    else this.#complete(token);
    this.#pump();
  }

  /** Serial stage s is done with token: whose turn it is now. */
  #freeSerial(token: Token, s: number): void {
    this.#busy[s] = false;
    if (s === 0) this.#turn[0] = Math.max(this.#turn[0], token.index + 1);   // a deferred token coming back is below it
    else this.#turn[s] = token.seq + 1;
  }

  /** Serial stage s is free: the token whose turn it now is starts, if it is waiting. */
  #next(s: number): void {
    if (s === 0 && (this.#deferrals?.ready ?? 0) > 0) { this.#feedFirst(); return; }
    const slot = this.#turn[s] % this.#lines;
    const next = this.#parked[s][slot];
    if (next !== undefined && (s === 0 ? next.index : next.seq) === this.#turn[s]) {
      this.#parked[s][slot] = undefined;
      this.#call(next, s);
    }
  }

  /**
   * The serial first stage is free and a deferred token is ready: it goes first, before any new token, as
   * soon as a line is free (the line freed next calls back here through #pump). Then the new tokens, in order.
   */
  #feedFirst(): void {
    const d = this.#deferrals!;
    if (this.#stopping || this.#busy[0]) return;
    if (d.ready === 0) { this.#next(0); return; }
    if (this.#held >= this.#lines) return;
    const token = d.takeReady()!;
    this.#held++;
    token.line = this.#free.shift()!;
    this.#call(token, 0);
  }

  /** The first pipe's call deferred its token (pf.defer): it waits, runs again at once, or the flow fails. */
  #deferred(token: Token, asked: Set<number>): void {
    const d = (this.#deferrals ??= new Deferrals<Token>());
    const next = Math.max(this.#turn[0], token.index + 1);
    const out = d.defer(token, asked, next, this.#exhausted ? this.#numbered : Infinity);
    switch (out.kind) {
      case 'rerun':
        token.deferrals++;
        this.#call(token, 0);
        return;
      case 'deferred':
        token.deferrals++;
        this.#freeSerial(token, 0);
        this.#release(token);   // a deferred token holds no line (as in Taskflow)
        this.#next(0);
        this.#pump();
        return;
      case 'self':
        this.#busy[0] = false;
        this.#deferFailed(token.index, messages.deferSelf(token.index));
        return;
      case 'cycle':
        this.#busy[0] = false;
        this.#deferFailed(token.index, messages.deferCycle(out.path));
        return;
      case 'beyond':
        this.#busy[0] = false;
        this.#deferFailed(token.index, messages.deferBeyond(token.index, out.on, out.end));
    }
  }

  /** A deferral that can never resolve fails the flow, naming the first stage and the token. */
  #deferFailed(index: number, why: string): void {
    const st = this.#stages[0];
    const cause = new Error(why);
    this.#stop(new PipelineError(messages.stageFailed(this.#name, st.name, 0, this.#stages.length, 'serial', index, cause),
      { pipeline: this.#name, stage: st.name, stageIndex: 0, token: index }, cause));
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

  /** Token gives its line back: it left the pipeline, or it was deferred. */
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
    const waiting = this.#out.length - this.#outHead;
    const pending = this.#deferrals?.size ?? 0;
    if (!isOver(this.#calls, this.#pulling, this.#closing, this.#stopping, this.#exhausted, this.#held, waiting, pending)) {
      // Never a hang: deferred tokens with nothing left that could resolve them (the checks at each
      // deferral and at the source's end leave none; this is the last guard).
      if (!this.#stopping && this.#exhausted && this.#calls === 0 && !this.#pulling && this.#held === waiting &&
          pending > 0 && this.#deferrals!.ready === 0) this.#deferFailed(this.#deferrals!.firstWaiting(), messages.deferStuck(pending));
      return;
    }
    this.#over = true;
    this.#signal?.removeEventListener('abort', this.#cancel);
    this.#unwatch?.();
    this.#onOver?.();
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
