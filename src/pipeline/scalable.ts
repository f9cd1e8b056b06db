// Taskflow's tf::ScalablePipeline: a pipeline whose pipes, and number of lines, can be replaced between
// runs. The runs themselves are a Pipeline's (flow.ts): each run takes the pipes it finds when it starts.
import { messages } from '../errors.js';
import { Pipeline, checkLines, stagesOf, replacePipes, type PipelineOptions } from './pipeline.js';
import type { Pipe } from './pipe.js';

const RESET = 'scalablePipeline.reset(lines?, pipes)';

/**
 * A {@link Pipeline} whose pipes can be replaced between runs, as C++ Taskflow's tf::ScalablePipeline:
 * `reset(pipes)` and `reset(lines, pipes)` replace them (and the number of lines) and reset the token
 * count; `reset()` only resets the count. It may start with no pipes (a run then is refused until a
 * reset gives some). A reset while a run, stream or task of it is in flight is refused with an Error:
 * the pipes a run started with stay its pipes until it settles.
 * Thread-safety: host thread only.
 *
 * @example
 * const p = new ScalablePipeline({ lines: 4 }, Pipe.serial(tasks.decode), Pipe.parallel(tasks.resize));
 * await p.run(executor, frames);
 * p.reset(8, [...p.pipes, Pipe.serial(tasks.encode)]);   // 8 lines, a third pipe, numTokens() back to 0
 */
export class ScalablePipeline<In = any, Out = any> extends Pipeline<In, Out> {
  /** Its options and its first pipes, if any: as `new Pipeline(options, ...pipes)`, where zero pipes is allowed. */
  constructor(options: PipelineOptions, ...pipes: Pipe[]) {
    super(options, ...pipes);
  }

  /** Resets the token count (numTokens() is 0 again). */
  override reset(): void;
  /** Replaces the pipes and resets the token count. */
  override reset(pipes: readonly Pipe[]): void;
  /** Replaces the number of lines and the pipes, and resets the token count. */
  override reset(lines: number, pipes: readonly Pipe[]): void;
  override reset(linesOrPipes?: number | readonly Pipe[], pipes?: readonly Pipe[]): void {
    if (linesOrPipes === undefined && pipes === undefined) { super.reset(); return; }
    let lines = this.lines;
    let next: unknown = linesOrPipes;
    if (typeof linesOrPipes === 'number' || pipes !== undefined) {
      checkLines(linesOrPipes, `${RESET}: lines`);
      lines = linesOrPipes;
      next = pipes;
    }
    if (!Array.isArray(next)) throw new TypeError(messages.resetPipes(next));
    const stages = stagesOf(next, RESET);
    super.reset();   // refused while a run is in flight: nothing changed yet
    replacePipes(this, lines, next as readonly Pipe[], stages);
  }
}
