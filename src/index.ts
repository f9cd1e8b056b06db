// beatflow's public API.
export { Executor, RunResult, AsyncTask } from './executor.js';
export { WorkerAsyncTask } from './engine/handles.js';
export type { DependentAsyncOptions } from './executor.js';
export type { RunHandle, RunOptions, MapOptions } from './executor.js';
export type {
  GpuLane, GpuLaneBase, GpuAvailable, GpuUnavailable, GpuAdapterInfo, GpuDispatch, GpuDispatchReport, GpuMatmulReport, GpuBinding, GpuStorageArray,
  GpuCounters, GpuTuning, GpuTuningEntry,
  ComputeLimits, ComputeLimit, FeatureLevel,
} from './gpu/types.js';
export type { ExecutorRef, Stats } from './engine/engine.js';
export { Taskflow, Task } from './graph/taskflow.js';
export { Semaphore } from './graph/semaphore.js';
export type { TaskFunction, TaskResult, TasksOf } from './graph/taskflow.js';
export type { TaskContext, TaskGroup } from './worker/context.js';
export type { ExecutorOptions, GpuOptions, TaskModuleNamespace, CoreSource } from './options.js';
export type { PlacementView, PlacementDecision, RouteModelView, RouterSnapshot, RoutingCost } from './learn/router.js';
export type { ShapesSnapshot, ShapeStatView } from './learn/shapes.js';
export type { Route, RouteChoice } from './policy/router.js';
export type { Parallel } from './algorithms/route.js';
export type { CloseReport, BusyWorker } from './engine/lifecycle.js';
export type { PoolStats } from './engine/pool.js';
export { WorkerCrashError, QueueFullError, GraphError, CancelledError, TimeoutError, MapError, DataCloneError, GpuShaderError, GpuDeviceLostError } from './errors.js';
export { CancellationToken } from './engine/cancel.js';
export { Subflow } from './graph/subflow.js';
export type { TaskOptions, TaskHandle } from './engine/jobs.js';
export type { Priority, RetryDelay } from './policy/scheduling.js';
export type { TaskFailure } from './errors.js';
export type { SharedArrayCtor, SharedTypedArray } from './engine/codec.js';
export type { Observer, ObserverHandle, ObservedTask } from './observe/observers.js';
export type { MetricsSnapshot, MetricsOptions, MetricsConfig, WorkerMetrics, WorkerCounters } from './observe/metrics.js';
export type { Histogram } from './observe/histogram.js';
export type { ExecutorTopology, CpuTopology, StealDomain } from './observe/topology.js';
export type { Prediction, LearnedModels, LearningStats, ModelsSnapshot } from './learn/models.js';
export type { SpinPolicyView, SpinTable } from './learn/spin.js';
export type { NumArray } from './algorithms/merge.js';
export type { MapOp } from './algorithms/ops.js';
export {
  Pipeline, ScalablePipeline, DataPipeline, makeDataPipe, Pipe, PipelineError, type PipelineOptions, type PipelineRunOptions,
  type PipelineResult, type PipelineSource, type PipeOptions, type PipeOptionsNoArgs, type PipeKind, type PipeContext, type StageFn,
  type DataPipelineConstructor, type ChainedPipes, type PipeInput, type PipeOutput,
} from './pipeline/index.js';
export {
  forEach, forEachIndex, transform, reduce, transformReduce, inclusiveScan, exclusiveScan, sort, find, findIndex,
  minElement, maxElement, findIfNot, transformInclusiveScan, transformExclusiveScan, reduceByIndex, merge, fill, fillN,
  generate, generateN, matmul, adopt, gpuTask, type Adopted, type Algorithm, type PartitionOptions, type ReduceOptions, type MapSpec, type Partitioner, type Device,
} from './algorithms/index.js';
export {
  IndexRange, forEachByIndex, type IndexRangeConstructor, type Dim, type DimLike, type Rank, type ForEachByIndex, type ForEachIndex,
  type ReduceByIndex, type BoxFn, type LocalReducer,
} from './algorithms/index.js';
export { usePlatform } from './platform/current.js';
export type { Platform, ThreadHandle, SpawnOptions, WorkerContext, KeepAlive, ResourceLimits, UnsupportedOption, TextFiles } from './platform/types.js';
