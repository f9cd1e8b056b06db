// The public Pipeline: its options and pipes (pure data, checked at the boundary), and the two ways to
// run it over a source: run() resolves when every token is through; stream() is an async iterable of
// the last stage's outputs. Each call is an independent run (flow.ts).
import { engineOf, type Engine, type ExecutorRef } from '../engine/engine.js';
import { messages } from '../errors.js';
import { Flow, type Stage } from './flow.js';
import { Pipe } from './pipe.js';
import { isSource, openSource } from './source.js';

/** Options of `new Pipeline(options, ...pipes)`. */
export interface PipelineOptions {
  /** The most tokens in flight at once (Taskflow's number of lines): an integer from 1 to 65536. Required. */
  lines: number;
  /** The pipeline's name in errors. Default 'pipeline'. */
  name?: string;
}

/** Options of pipeline.run / pipeline.stream. */
export interface PipelineRunOptions {
  /** Cancels the run when aborted: no new pull or stage call, running calls finish, it rejects with a CancelledError. */
  signal?: AbortSignal;
}

/** What pipeline.run resolves with. */
export interface PipelineResult {
  /** Tokens that went through every stage (= items the source produced). */
  tokens: number;
}

/** Taskflow's lines are a small number per pipeline; a bound keeps a typo from reserving millions of slots. */
const MAX_LINES = 1 << 16;
const KNOWN = ['lines', 'name'] as const;
const RUN_KNOWN = ['signal'] as const;
/** The constructor's signature, as its messages name it. */
const NEW = 'new Pipeline(options, ...pipes)';

/**
 * A pipeline of serial and parallel stages over at most `lines` tokens in flight, as C++ Taskflow's
 * tf::Pipeline. Tokens are the source's items, numbered in source order; each stage's output is the next
 * stage's input. A serial stage takes one token at a time, in token order; a parallel stage takes several
 * at once. The source is pulled only when a line is free (backpressure). The first stage error, source
 * error or abort stops it: no new pull or stage call, running calls finish, the source's iterator is
 * closed (return()), and the run rejects naming the stage.
 *
 * A Pipeline is pure data: it can run many times, also at once, on any executor.
 * Thread-safety: create and run it on the host thread; worker stages run on the executor's workers.
 *
 * @example
 * const p = new Pipeline({ lines: 4, name: 'csv' },
 *   Pipe.parallel(tasks.parse, 'parse'), Pipe.parallel(tasks.transform, 'transform'),
 *   Pipe.serial((row) => rows.push(row), { name: 'collect', on: 'host' }));
 * await p.run(executor, readLines('data.csv'));                  // { tokens: n }
 * for await (const out of p.stream(executor, ['1,2', '3,4'])) console.log(out);
 */
export class Pipeline {
  readonly name: string;
  readonly lines: number;
  readonly pipes: readonly Pipe[];
  readonly #stages: readonly Stage[];
  #numTokens = 0;

  constructor(options: PipelineOptions, ...pipes: Pipe[]) {
    if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof Pipe) {
      throw new TypeError(messages.pipelineOptions(options));
    }
    for (const k of Object.keys(options)) {
      if (!(KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(NEW, k, KNOWN));
    }
    const { lines, name } = options;
    if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) {
      throw new TypeError(messages.pipelineLines(lines, MAX_LINES));
    }
    if (name !== undefined && typeof name !== 'string') throw new TypeError(messages.callOption(NEW, 'name', 'a string', name));
    if (pipes.length === 0) throw new TypeError(messages.noPipes);
    pipes.forEach((p, i) => { if (!(p instanceof Pipe)) throw new TypeError(messages.notAPipe(i, p)); });
    this.name = name ?? 'pipeline';
    this.lines = lines;
    this.pipes = Object.freeze([...pipes]);
    this.#stages = Object.freeze(pipes.map((p, i) => Object.freeze({
      fn: p.fn, args: p.args, serial: p.kind === 'serial', host: p.on === 'host', context: p.context,
      name: p.label ?? (p.fn.name || `stage ${i + 1}`),
    })));
    Object.freeze(this);
  }

  /**
   * Tokens taken from sources so far, over every run of this pipeline (finished, failed or running),
   * as Taskflow's num_tokens(). A run's own count is in what run() resolves with.
   */
  numTokens(): number {
    return this.#numTokens;
  }

  readonly #counted = (): void => { this.#numTokens++; };

  /**
   * Runs every item of `source` (an iterable or async iterable) through the stages; resolves with the
   * number of tokens once all are through, or rejects with a PipelineError naming the failed stage (or a
   * CancelledError when `options.signal` aborts). The last stage's outputs are dropped: make it a host
   * stage to keep them.
   */
  run(executor: ExecutorRef, source: Iterable<unknown> | AsyncIterable<unknown>, options?: PipelineRunOptions): Promise<PipelineResult> {
    let signal: AbortSignal | undefined, engine: Engine;
    try { [engine, signal] = this.#check('run', executor, source, options); } catch (e) { return Promise.reject(e); }
    const flow = new Flow(engine, this.#stages, this.lines, this.name, openSource(source), false, signal, this.#counted);
    flow.start();
    return flow.over.then(() => {
      if (flow.failed) throw flow.error;
      return { tokens: flow.completed };
    });
  }

  /**
   * The sink form: an async iterable of the last stage's outputs, in the order tokens leave it (token
   * order when the last stage is serial). Nothing starts until the first `next()`. An output not yet taken
   * keeps its line, so the pipeline never runs more than `lines` tokens ahead of the consumer. A stage
   * error rejects the next `next()` (once running calls finished); leaving the loop early (`break`,
   * `return()`) stops the pipeline and resolves once its running calls finished.
   * @throws TypeError naming the argument when executor, source or options.signal is not valid.
   */
  stream(executor: ExecutorRef, source: Iterable<unknown> | AsyncIterable<unknown>, options?: PipelineRunOptions): AsyncIterableIterator<unknown> {
    const [engine, signal] = this.#check('stream', executor, source, options);
    let flow: Flow | undefined;
    let left = false;
    const start = (): Flow => {
      if (!flow) {
        flow = new Flow(engine, this.#stages, this.lines, this.name, openSource(source), true, signal, this.#counted);
        flow.start();
      }
      return flow;
    };
    return {
      next: () => (left && !flow ? Promise.resolve({ value: undefined, done: true }) : start().take()),
      return: (value?: unknown) => {
        left = true;
        return flow ? flow.leave().then(() => ({ value, done: true as const })) : Promise.resolve({ value, done: true as const });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  #check(method: string, executor: unknown, source: unknown, options: PipelineRunOptions | undefined): [Engine, AbortSignal | undefined] {
    const engine = engineOf(executor, `pipeline.${method}(executor, source)`);
    if (!isSource(source)) throw new TypeError(messages.pipelineSource(method, source));
    if (options === undefined) return [engine, undefined];
    const call = `pipeline.${method}(executor, source, options)`;
    if (typeof options !== 'object' || options === null) throw new TypeError(messages.argType(`${call}: options`, 'an object like { signal }', options));
    for (const k of Object.keys(options)) {
      if (!(RUN_KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(call, k, RUN_KNOWN));
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError(messages.callOption(call, 'signal', 'an AbortSignal', options.signal));
    return [engine, options.signal];
  }
}
