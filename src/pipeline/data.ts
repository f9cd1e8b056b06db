// Taskflow's DataPipeline and make_data_pipe, typed. Every beatflow pipeline passes each stage's output to
// the next stage; what these add is the compile-time check that each stage takes what the one before
// gives (and that the source yields what the first stage takes). At run time a DataPipeline is a
// Pipeline: data that crosses to workers goes through the executor's codec as any task value does.
import { messages } from '../errors.js';
import { Pipeline, type PipelineOptions } from './pipeline.js';
import { Pipe, type PipeKind, type PipeOptionsNoArgs } from './pipe.js';
import type { PipeContext } from './stage.js';

/** What a pipe takes. */
export type PipeInput<P> = P extends Pipe<infer I, any> ? I : never;
/** What a pipe gives. */
export type PipeOutput<P> = P extends Pipe<any, infer O> ? O : never;
/**
 * The tuple of pipes P as it must be for a DataPipeline: each pipe takes what the one before gives (the
 * first, `Prev`: its own input). P is assignable to it exactly when the stages fit; an array of pipes
 * that is not a tuple is not checked.
 */
export type ChainedPipes<P extends readonly Pipe[], Prev = PipeInput<P[0]>> =
  P extends readonly [infer H extends Pipe, ...infer T extends readonly Pipe[]]
    ? readonly [Pipe<Prev, PipeOutput<H>>, ...ChainedPipes<T, PipeOutput<H>>]
    : P extends readonly [] ? readonly [] : P;

/** `new DataPipeline(options, ...pipes)`: a Pipeline typed from its pipes, refused at compile time when they do not fit. */
export interface DataPipelineConstructor {
  new <const P extends readonly Pipe[]>(options: PipelineOptions, ...pipes: P & ChainedPipes<P>):
    Pipeline<PipeInput<P[0]>, PipeOutput<P extends readonly [...unknown[], infer L] ? L : P[number]>>;
  readonly prototype: Pipeline;
}

/**
 * Taskflow's tf::DataPipeline: a {@link Pipeline} whose stages' types are checked at compile time. Each
 * stage's output is the next stage's input; `new DataPipeline(options, a, b, c)` is a
 * `Pipeline<input of a, output of c>`, and a stage that does not take what the one before gives is a
 * type error. At run time it is `new Pipeline(options, ...pipes)`.
 * Thread-safety: host thread only.
 *
 * @example
 * const p = new DataPipeline({ lines: 4 },
 *   Pipe.parallel((line: string) => line.split(',').map(Number)),
 *   Pipe.serial((xs: number[]) => xs.reduce((a, b) => a + b, 0)));
 * for await (const sum of p.stream(executor, ['1,2', '3,4'])) console.log(sum);   // sum: number
 */
export const DataPipeline = Pipeline as unknown as DataPipelineConstructor;
export type DataPipeline<In = any, Out = any> = Pipeline<In, Out>;

/**
 * Taskflow's make_data_pipe<In, Out>(type, callable): a pipe from `In` to `Out` with its types given, so
 * the function's parameter and result are checked against them. `kind` is 'serial' or 'parallel'.
 * Thread-safety: host thread only.
 *
 * @example
 * const parse = makeDataPipe<string, number[]>('parallel', (line) => line.split(',').map(Number));
 */
export function makeDataPipe<In, Out>(kind: PipeKind, fn: (input: In, pf: PipeContext) => Out | PromiseLike<Out>,
  options?: PipeOptionsNoArgs): Pipe<In, Out> {
  if (kind === 'serial') return Pipe.serial(fn, options) as Pipe<In, Out>;
  if (kind === 'parallel') return Pipe.parallel(fn, options) as Pipe<In, Out>;
  throw new TypeError(messages.argType('makeDataPipe(kind, fn, options): kind', "'serial' or 'parallel'", kind));
}
