// The public Pipeline: its options and pipes (pure data, checked at the boundary), and the three ways to
// run it over a source: run() resolves when every token is through; stream() is an async iterable of
// the last stage's outputs; task() puts a run into a taskflow. Each is an independent run (flow.ts).
import { engineOf, type ExecutorRef } from '../engine/engine.js';
import { checkTaskflow } from '../engine/runs.js';
import { HOST_TASK, registerHostJob, type JobHost, type JobRun } from '../engine/host-task.js';
import type { Taskflow, Task } from '../graph/taskflow.js';
import { messages } from '../errors.js';
import { Flow } from './flow.js';
import type { Stage } from './stage.js';
import { Pipe } from './pipe.js';
import { isSource, openSource } from './source.js';

/** Options of `new Pipeline(options, ...pipes)`. */
export interface PipelineOptions {
  /** The most tokens in flight at once (Taskflow's number of lines): an integer from 1 to 65536. Required. */
  lines: number;
  /** The pipeline's name in errors (and its task's name in a taskflow). Default 'pipeline'. */
  name?: string;
}

/** Options of pipeline.run / pipeline.stream. */
export interface PipelineRunOptions {
  /** Cancels the run when aborted: no new pull or stage call, running calls finish, it rejects with a CancelledError. */
  signal?: AbortSignal;
}

/** What pipeline.run resolves with (and a pipeline's task yields). */
export interface PipelineResult {
  /** Tokens that went through every stage (= items the source produced). */
  tokens: number;
}

/** What a pipeline takes tokens from: any iterable or async iterable of the first stage's inputs. */
export type PipelineSource<In = unknown> = Iterable<In> | AsyncIterable<In>;

/** Taskflow's lines are a small number per pipeline; a bound keeps a typo from reserving millions of slots. */
const MAX_LINES = 1 << 16;
const KNOWN = ['lines', 'name'] as const;
const RUN_KNOWN = ['signal'] as const;
/** The constructor's signature, as its messages name it. */
const NEW = 'new Pipeline(options, ...pipes)';
const TASK = 'pipeline.task(tf, source)';

/** Checks the constructor's options: the name and the number of lines. */
function checkOptions(options: PipelineOptions): [string, number] {
  if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof Pipe) {
    throw new TypeError(messages.pipelineOptions(options));
  }
  for (const k of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(NEW, k, KNOWN));
  }
  const { lines, name } = options;
  checkLines(lines, `${NEW}: options.lines`);
  if (name !== undefined && typeof name !== 'string') throw new TypeError(messages.callOption(NEW, 'name', 'a string', name));
  return [name ?? 'pipeline', lines];
}

/** options.lines (or reset's lines, `what` names it): an integer from 1 to MAX_LINES. */
export function checkLines(lines: unknown, what: string): asserts lines is number {
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) {
    throw new TypeError(messages.pipelineLines(what, lines, MAX_LINES));
  }
}

/** The stages a flow runs, from checked pipes (`call` names the caller in errors). */
export function stagesOf(pipes: readonly unknown[], call: string): readonly Stage[] {
  pipes.forEach((p, i) => { if (!(p instanceof Pipe)) throw new TypeError(messages.notAPipe(call, i, p)); });
  return Object.freeze((pipes as readonly Pipe[]).map((p, i) => Object.freeze({
    fn: p.fn, args: p.args, serial: p.kind === 'serial', host: p.on === 'host', context: p.context,
    name: p.label ?? (p.fn.name || `stage ${i + 1}`),
  })));
}

/** A pipeline's pipes and lines can change between runs (ScalablePipeline.reset): its own accessor. */
export let replacePipes: (p: Pipeline, lines: number, pipes: readonly Pipe[], stages: readonly Stage[]) => void;

/**
 * A pipeline of serial and parallel stages over at most `lines` tokens in flight, as C++ Taskflow's
 * tf::Pipeline. Tokens are the source's items, numbered in source order; each stage's output is the next
 * stage's input. A serial stage takes one token at a time, in token order; a parallel stage takes several
 * at once. The source is pulled only when a line is free (backpressure). The first stage error, source
 * error or abort stops it: no new pull or stage call, running calls finish, the source's iterator is
 * closed (return()), and the run rejects naming the stage.
 *
 * A Pipeline can run many times, also at once, on any executor. `In` is what its first stage takes, `Out`
 * what its last gives: `new DataPipeline(...)` infers and checks them, `new Pipeline(...)` leaves them any.
 * Thread-safety: create and run it on the host thread; worker stages run on the executor's workers.
 *
 * @example
 * const p = new Pipeline({ lines: 4, name: 'csv' },
 *   Pipe.parallel(tasks.parse, 'parse'), Pipe.parallel(tasks.transform, 'transform'),
 *   Pipe.serial((row) => rows.push(row), { name: 'collect', on: 'host' }));
 * await p.run(executor, readLines('data.csv'));                  // { tokens: n }
 * for await (const out of p.stream(executor, ['1,2', '3,4'])) console.log(out);
 */
export class Pipeline<In = any, Out = any> {
  readonly name: string;
  #lines: number;
  #pipes: readonly Pipe[];
  #stages: readonly Stage[];
  #numTokens = 0;
  /** Runs in flight (run, stream, task): reset() refuses while there are any. */
  #running = 0;

  static {
    replacePipes = (p, lines, pipes, stages) => { p.#lines = lines; p.#pipes = Object.freeze([...pipes]); p.#stages = stages; };
  }

  constructor(options: PipelineOptions, ...pipes: Pipe[]) {
    const [name, lines] = checkOptions(options);
    if (pipes.length === 0 && new.target === Pipeline) throw new TypeError(messages.noPipes);
    this.name = name;
    this.#lines = lines;
    this.#stages = stagesOf(pipes, NEW);
    this.#pipes = Object.freeze([...pipes]);
    Object.freeze(this);
  }

  /** The most tokens in flight at once. */
  get lines(): number { return this.#lines; }
  /** The stages, in order. */
  get pipes(): readonly Pipe[] { return this.#pipes; }

  /**
   * Tokens taken from sources so far, over every run of this pipeline (finished, failed or running) since
   * it was made or reset, as Taskflow's num_tokens(). A run's own count is in what run() resolves with.
   */
  numTokens(): number {
    return this.#numTokens;
  }

  /**
   * Resets the pipeline to its initial state, as Taskflow's reset(): numTokens() is 0 again. Refused (an
   * Error naming the pipeline) while a run, stream or task of it is in flight.
   */
  reset(): void {
    if (this.#running > 0) throw new Error(messages.resetDuringRun(this.name, this.#running));
    this.#numTokens = 0;
  }

  readonly #counted = (): void => { this.#numTokens++; };
  readonly #ended = (): void => { this.#running--; };

  /**
   * Runs every item of `source` (an iterable or async iterable) through the stages; resolves with the
   * number of tokens once all are through, or rejects with a PipelineError naming the failed stage (or a
   * CancelledError when `options.signal` aborts). The last stage's outputs are dropped: make it a host
   * stage to keep them.
   */
  run(executor: ExecutorRef, source: PipelineSource<In>, options?: PipelineRunOptions): Promise<PipelineResult> {
    let signal: AbortSignal | undefined, engine: JobHost;
    try { [engine, signal] = this.#check('run', executor, source, options); } catch (e) { return Promise.reject(e); }
    return this.#runOn(engine, source, signal, undefined);
  }

  /**
   * The sink form: an async iterable of the last stage's outputs, in the order tokens leave it (token
   * order when the last stage is serial). Nothing starts until the first `next()`. An output not yet taken
   * keeps its line, so the pipeline never runs more than `lines` ahead of the consumer. A stage error
   * rejects the next `next()` (once running calls finished); leaving the loop early (`break`,
   * `return()`) stops the pipeline and resolves once its running calls finished.
   * @throws TypeError naming the argument when executor, source or options.signal is not valid.
   */
  stream(executor: ExecutorRef, source: PipelineSource<In>, options?: PipelineRunOptions): AsyncIterableIterator<Out> {
    const [engine, signal] = this.#check('stream', executor, source, options);
    let flow: Flow | undefined;
    let left = false;
    const next = (): Promise<IteratorResult<unknown>> => {
      if (left && !flow) return Promise.resolve({ value: undefined, done: true });
      try { flow ??= this.#start(engine, source, { sink: true, signal }); } catch (e) { return Promise.reject(e); }
      return flow.take();
    };
    return {
      next: next as () => Promise<IteratorResult<Out>>,
      return: (value?: unknown) => {
        left = true;
        return flow ? flow.leave().then(() => ({ value, done: true as const })) : Promise.resolve({ value, done: true as const });
      },
      [Symbol.asyncIterator]() { return this; },
    } as AsyncIterableIterator<Out>;
  }

  /**
   * Adds a task to `tf` that runs this pipeline to completion over `source`, as Taskflow's
   * taskflow.composed_of(pipeline): its successors start once every token is through, and they receive
   * its PipelineResult. `source` is an iterable or async iterable, taken anew by each run of the graph
   * (an array runs again in full; a generator is used up by the first run), or a function the host
   * calls at each run with the task's predecessors' results, returning one. A failing stage fails the
   * graph run with the PipelineError (the stage named); a cancelled or failed run stops the pipeline.
   * The task hops to the host, which runs the pipeline (docs/pipelines.md says what that costs).
   * @throws TypeError naming tf or source when either is not valid.
   */
  task(tf: Taskflow, source: PipelineSource<In> | ((...inputs: any[]) => PipelineSource<In>)): Task<PipelineResult> {
    checkTaskflow(`${TASK}: tf`, tf);
    if (typeof source !== 'function' && !isSource(source)) throw new TypeError(messages.pipelineTaskSource(source));
    const id = registerHostJob((host, inputs, run) => {
      let src: unknown = source;
      if (typeof source === 'function') {
        try { src = source(...inputs); } catch (e) { return Promise.reject(e); }
        if (!isSource(src)) return Promise.reject(new TypeError(messages.pipelineTaskSourceResult(this.name, src)));
      }
      return this.#runOn(host, src as PipelineSource<In>, undefined, run);
    }, tf);
    return tf.emplace(HOST_TASK).args(id).name(this.name) as unknown as Task<PipelineResult>;
  }

  /** One run on `host`: resolves with its count or rejects with its error, once nothing of it is in flight. */
  #runOn(host: JobHost, source: PipelineSource<In>, signal: AbortSignal | undefined, run: JobRun | undefined): Promise<PipelineResult> {
    let flow: Flow;
    try { flow = this.#start(host, source, { sink: false, signal, run }); } catch (e) { return Promise.reject(e); }
    return flow.over.then(() => {
      if (flow.failed) throw flow.error;
      return { tokens: flow.completed };
    });
  }

  /** Starts a flow over the current pipes, counted in flight until it is over. */
  #start(host: JobHost, source: PipelineSource<In>, options: { sink: boolean; signal?: AbortSignal; run?: JobRun }): Flow {
    if (this.#stages.length === 0) throw new TypeError(messages.noPipesToRun(this.name));
    const flow = new Flow(host, this.#stages, this.#lines, this.name, openSource(source),
      { ...options, onToken: this.#counted, onOver: this.#ended });
    this.#running++;
    flow.start();
    return flow;
  }

  #check(method: string, executor: unknown, source: unknown, options: PipelineRunOptions | undefined): [JobHost, AbortSignal | undefined] {
    const engine = engineOf(executor, `pipeline.${method}(executor, source)`);
    if (this.#stages.length === 0) throw new TypeError(messages.noPipesToRun(this.name));
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
