// Parallel algorithms over shared typed arrays (README "Parallel algorithms"): the public surface.
export {
  forEach, forEachIndex, transform, reduce, transformReduce, inclusiveScan, exclusiveScan, sort, find, findIndex,
  minElement, maxElement,
} from './api.js';
export type { Algorithm, PartitionOptions, ReduceOptions, MapSpec, Partitioner, Device } from './api.js';
export { adopt, type Adopted } from './adopt.js';
