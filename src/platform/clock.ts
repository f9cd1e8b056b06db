// The clock object, looked up once. In Node (the main thread and worker threads alike) `performance` is
// an accessor on globalThis, a lazy getter; in browsers it is a WebIDL attribute of the global, an
// accessor too. V8 cannot fold an accessor global into a constant, so every `performance.now()` goes
// through its generic LoadGlobalIC builtin and calls the getter: about 8 ns a read in Node 20, a quarter
// of the clock read itself, on paths that read the clock once or twice a task. A module constant is one
// load. The object is kept, not its `now` method, so that a clock replaced by assigning
// `performance.now` (a test's coarse clock) still takes effect; a `performance` object put on the
// global later is not seen. So only the per-task paths read it (worker/forecast.ts, worker/direct.ts:
// durations, each the difference of two reads of it). The metrics read the global `performance` each
// time (observe/metrics.ts, the host's side: a sampled submission, a snapshot; observe/sampler.ts, a
// timed task, 1 in 64 or a long one): the window a snapshot reads and the slots the samples went to are
// on the same clock, the one the global holds now, even after a fake one installed before the import
// (which would have stayed this module's) was taken away.
export const clock = performance;
