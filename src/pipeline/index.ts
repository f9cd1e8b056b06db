// Pipelines: stages over a bounded number of tokens. The protocol is in README.md here.
export { Pipeline } from './pipeline.js';
export type { PipelineOptions, PipelineRunOptions, PipelineResult, PipelineSource } from './pipeline.js';
export { ScalablePipeline } from './scalable.js';
export { DataPipeline, makeDataPipe } from './data.js';
export type { DataPipelineConstructor, ChainedPipes, PipeInput, PipeOutput } from './data.js';
export { Pipe } from './pipe.js';
export type { PipeContext } from './stage.js';
export type { PipeKind, PipeOptions, PipeOptionsNoArgs, StageFn } from './pipe.js';
export { PipelineError } from '../errors.js';
