// Messages about pipelines (src/pipeline/). Part of the one table, src/messages.ts `messages`.
import { describe, causeText } from './describe.js';

export const pipelinesMessages = {
  // ---- pipelines (src/pipeline/) ----
  pipelineOptions: (got: unknown) =>
    `beatflow: new Pipeline(options, ...pipes): options must be an object like { lines: 4 } (got ${describe(got)})`,
  pipelineLines: (what: string, got: unknown, max: number) =>
    `beatflow: ${what} must be an integer from 1 to ${max}, the most tokens ` +
    `in flight at once (got ${describe(got)})`,
  noPipes: 'beatflow: new Pipeline(options, ...pipes): give at least one pipe, e.g. new Pipeline({ lines: 4 }, Pipe.serial(fn))',
  notAPipe: (call: string, i: number, got: unknown) =>
    `beatflow: ${call}: pipe ${i + 1} must be made by Pipe.serial(fn) or Pipe.parallel(fn) ` +
    `(got ${describe(got)})`,
  noPipesToRun: (pipeline: string) =>
    `beatflow: pipeline '${pipeline}' has no pipes to run: give them with scalablePipeline.reset(pipes)`,
  resetDuringRun: (pipeline: string, running: number) =>
    `beatflow: pipeline '${pipeline}'.reset(): ${running} run(s) of it are in flight (run, stream or graph task): ` +
    'reset it once they have settled',
  resetPipes: (got: unknown) =>
    `beatflow: scalablePipeline.reset(lines?, pipes): pipes must be an array of pipes (Pipe.serial(fn), Pipe.parallel(fn)) ` +
    `(got ${describe(got)})`,
  pipelineTaskSource: (got: unknown) =>
    `beatflow: pipeline.task(tf, source): source must be an iterable, an async iterable, or a function returning one ` +
    `(called at each run with the task's predecessors' results)` +
    (typeof got === 'string' ? '; a string would be split into characters: wrap it in an array' : '') + ` (got ${describe(got)})`,
  pipelineTaskSourceResult: (pipeline: string, got: unknown) =>
    `beatflow: pipeline.task(tf, source) of pipeline '${pipeline}': source() must return an iterable or an async iterable ` +
    `(got ${describe(got)})`,
  pipeFn: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): fn must be a function (a task-module export, a self-contained ` +
    `function, or any function with { on: 'host' }) (got ${describe(got)})`,
  pipeOptions: (kind: string, got: unknown) =>
    `beatflow: Pipe.${kind}(fn, options): options must be a stage name or an object like { name, on, args } ` +
    `(got ${describe(got)})`,
  pipelineSource: (method: string, got: unknown) =>
    `beatflow: pipeline.${method}(executor, source): source must be an iterable or an async iterable ` +
    `(an array, a generator, a stream…)` + (typeof got === 'string' ? '; a string would be split into characters: wrap it in an array' : '') +
    ` (got ${describe(got)})`,
  stageFailed: (pipeline: string, stage: string, position: number, of: number, kind: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: stage '${stage}' (${position + 1} of ${of}, ${kind}) failed on token ` +
    `${token}: ${causeText(cause)}`,
  sourceFailed: (pipeline: string, token: number, cause: unknown) =>
    `beatflow: pipeline '${pipeline}' stopped: its source failed producing token ${token}: ${causeText(cause)}`,
  sourceResult: (got: unknown) =>
    `the source's iterator returned ${describe(got)} from next() where an object like { value, done } was expected`,
  pipelineCancelled: (pipeline: string) => `beatflow: pipeline '${pipeline}' was cancelled`,
  pipelineRunStopped: (pipeline: string) =>
    `beatflow: pipeline '${pipeline}' was stopped: the graph run it is a task of was cancelled or failed`,
  deferNotFirst: (pipeline: string, stage: string, position: number) =>
    `pf.defer(token) in stage '${stage}' (${position + 1}) of pipeline '${pipeline}': only a serial first pipe can defer its token`,
  deferLate: (pipeline: string, stage: string) =>
    `pf.defer(token) in stage '${stage}' of pipeline '${pipeline}' came after the stage's call returned: defer before returning (or before its promise settles)`,
  deferToken: (got: unknown) => `pf.defer(token): token must be a token number, an integer from 0 (got ${describe(got)})`,
  deferSelf: (token: number) => `token ${token} deferred to itself: it would wait forever`,
  deferCycle: (path: readonly number[]) =>
    `token ${path[0]} deferred to ${path[1]}, which waits for it in turn (${path.join(' → ')}): a cycle of deferrals never resolves`,
  deferBeyond: (token: number, on: number, end: number) =>
    `token ${token} deferred to token ${on}, but the source produced only ${end} token(s) (0 to ${end - 1}): it would wait forever`,
  deferStuck: (n: number) => `${n} deferred token(s) can no longer be resolved: nothing left in the pipeline can pass the first pipe`,
} as const;
