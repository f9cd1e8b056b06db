// Pipelines: stages over a bounded number of tokens. The protocol is in README.md here.
export { Pipeline } from './pipeline.js';
export type { PipelineOptions, PipelineRunOptions, PipelineResult } from './pipeline.js';
export { Pipe } from './pipe.js';
export type { PipeContext } from './flow.js';
export type { PipeKind, PipeOptions } from './pipe.js';
export { PipelineError } from '../errors.js';
