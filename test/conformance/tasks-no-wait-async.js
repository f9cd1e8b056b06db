// The conformance subset's task module for a runtime without Atomics.waitAsync: takes it away in every
// worker that imports it (page.html?noWaitAsync takes it from the page), then the same tasks.
delete Atomics.waitAsync;
export * from './tasks.js';
/** Whether this thread has Atomics.waitAsync. */
export function hasWaitAsync() { return typeof Atomics.waitAsync === 'function'; }
