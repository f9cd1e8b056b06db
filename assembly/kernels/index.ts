// The kernels' exports: one Wasm call per range, never per element (protocol: assembly/README.md#kernels;
// host API and contract: src/kernels.ts). Nothing here allocates or keeps state: every pointer, range and
// scratch buffer comes from the caller.
export { kernelMap } from "./map";
export { kernelReduce } from "./reduce";
export { kernelScan } from "./scan";
export { kernelSort, kernelMerge } from "./sort";
export { kernelMatmul } from "./matmul";
