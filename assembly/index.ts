// The beatflow core: one module, instantiated in every thread against one imported shared memory.
// No allocator, no data segments, no start function, no mutable globals (test/wasm-sections.test.mjs).
export { layoutSize, configure, setSpin, setLinger, setHostBusy, setSubRuns, setAging } from "./layout";
export * from "./offsets";
export { mpmcPush, mpmcPop, mpmcLength } from "./mpmc";
export { dequePush, dequePop, dequeSteal, dequeLength } from "./deque";
export { notifyWork, wakeOne, wakeAllForShutdown, beginSearch, endSearchFound, endSearchEmpty, announceSleep, cancelSleep, park } from "./sleep";
export { heapAlloc, heapFree, heapUsable } from "./heap";
export { taskAlloc, taskFree, taskAllocW, taskFreeW, slotCacheInit, submit, submitQuiet, submitAt, queuedLength, wakeIfBacklog, runStart, runStartAt, runCancel, retire, retireFromHost, flushRun, spawnPush, spawnRecord, spawnNumber } from "./tasks";
export { next, tryNext, requeue, finish, finishNested, helpNext, calibrateSpin, recoverWorker, setStealDomain, runningWorkers, queuedOn } from "./worker";
export { depInit, depFinished, depHold, depLink, depArm, depState, depRelease, depDisown } from "./dependent";
export { semInit, semAdjust } from "./semaphores";
export { subRunAlloc, subRunFree, subRunStart, groupRunOpen, runStopped } from "./subflows";
export { kernelMap, kernelReduce, kernelScan, kernelSort, kernelMerge, kernelMatmul } from "./kernels/index";
export * from "./learn/index";
