// Pipeline errors and every message the pipeline code produces, in one table (as src/errors.ts does for
// the executor): each names the option, pipe or stage at fault and says what to do.

/** How a value looks in a message. */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : v.constructor?.name ?? 'an object';
}

const causeText = (e: unknown): string => (e instanceof Error ? e.message : describe(e));

export const messages = {
  optionsObject: (got: unknown) =>
    `beatflow: new Pipeline(options, ...pipes): options must be an object like { lines: 4 } (got ${describe(got)})`,
  unknownOption: (where: string, name: string, known: readonly string[]) =>
    `beatflow: ${where}: unknown option '${name}' (known options: ${known.join(', ')})`,
  lines: (got: unknown, max: number) =>
    `beatflow: new Pipeline(options, ...pipes): options.lines must be an integer from 1 to ${max}, the most tokens ` +
    `in flight at once (got ${describe(got)})`,
  pipelineName: (got: unknown) =>
    `beatflow: new Pipeline(options, ...pipes): options.name must be a string (got ${describe(got)})`,
  noPipes: () =>
    'beatflow: new Pipeline(options, ...pipes): give at least one pipe, e.g. new Pipeline({ lines: 4 }, Pipe.serial(fn))',
  notAPipe: (i: number, got: unknown) =>
    `beatflow: new Pipeline(options, ...pipes): pipe ${i + 1} must be made by Pipe.serial(fn) or Pipe.parallel(fn) ` +
    `(got ${describe(got)})`,
  pipeFn: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): fn must be a function (a task-module export, a self-contained ` +
    `function, or any function with { on: 'host' }) (got ${describe(got)})`,
  pipeOptions: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): options must be a stage name or an object like { name, on, args } ` +
    `(got ${describe(got)})`,
  pipeOption: (kind: string, option: string, expected: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): options.${option} must be ${expected} (got ${describe(got)})`,
  source: (method: string, got: unknown) =>
    `beatflow: pipeline.${method}(executor, source): source must be an iterable or an async iterable ` +
    `(an array, a generator, a stream…)` + (typeof got === 'string' ? '; a string would be split into characters: wrap it in an array' : '') +
    ` (got ${describe(got)})`,
  signal: (method: string, got: unknown) =>
    `beatflow: pipeline.${method}(executor, source, options): options.signal must be an AbortSignal (got ${describe(got)})`,
  stageFailed: (pipeline: string, stage: string, position: number, of: number, kind: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: stage '${stage}' (${position + 1} of ${of}, ${kind}) failed on token ` +
    `${token}: ${causeText(cause)}`,
  sourceFailed: (pipeline: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: its source failed producing token ${token}: ${causeText(cause)}`,
  sourceResult: (got: unknown) =>
    `the source's iterator returned ${describe(got)} from next() where an object like { value, done } was expected`,
  cancelled: (pipeline: string) => `beatflow: pipeline '${pipeline}' was cancelled`,
} as const;

/**
 * A pipeline stopped because a stage (or its source) failed. `stage` names it ('source' for the source),
 * `token` is the token it failed on, `cause` the original error; errors of other stage calls that were
 * still running and failed too are in `suppressed`.
 */
export class PipelineError extends Error {
  override name = 'PipelineError';
  /** The pipeline's name (options.name). */
  readonly pipeline: string;
  /** The failing stage's name, or 'source'. */
  readonly stage: string;
  /** The failing stage's position (0 = first pipe), or -1 for the source. */
  readonly stageIndex: number;
  /** The token (0 = first item of the source) the stage failed on. */
  readonly token: number;
  /** Errors of stage calls that were still running when the pipeline stopped and failed as well. */
  suppressed?: unknown[];

  /** @internal */
  constructor(message: string, at: { pipeline: string; stage: string; stageIndex: number; token: number }, cause: unknown) {
    super(message, { cause });
    this.pipeline = at.pipeline;
    this.stage = at.stage;
    this.stageIndex = at.stageIndex;
    this.token = at.token;
  }
}
