// The clock object, looked up once. In Node (the main thread and worker threads alike) `performance` is
// an accessor on globalThis, a lazy getter; in browsers it is a WebIDL attribute of the global, an
// accessor too. V8 cannot fold an accessor global into a constant, so every `performance.now()` goes
// through its generic LoadGlobalIC builtin and calls the getter: about 8 ns a read in Node 20, a quarter
// of the clock read itself, on paths that read the clock once or twice a task. A module constant is one
// load. The object is kept, not its `now` method, so that a clock replaced by assigning
// `performance.now` (a test's coarse clock) still takes effect.
export const clock = performance;
