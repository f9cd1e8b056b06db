// Parallel algorithms over shared typed arrays (README "Parallel algorithms"): the public surface.
export {
  forEach, forEachIndex, transform, reduce, transformReduce, inclusiveScan, exclusiveScan, sort, find, findIndex,
  minElement, maxElement, findIfNot, transformInclusiveScan, transformExclusiveScan, reduceByIndex, merge,
} from './api.js';
export { fill, fillN, generate, generateN } from './api-fill.js';
export { forEachByIndex, type ForEachByIndex, type BoxFn, type LocalReducer } from './api-ranges.js';
export type { ForEachIndex, ReduceByIndex } from './api.js';
export { IndexRange, type IndexRangeConstructor, type Dim, type DimLike, type Rank } from './index-range.js';
export type { Algorithm, PartitionOptions, ReduceOptions, MapSpec, Partitioner, Device } from './api.js';
export { adopt, type Adopted } from './adopt.js';
export { gpuTask } from './gpu-task.js';
export { matmul } from './api-matmul.js';
