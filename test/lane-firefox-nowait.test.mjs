// Headless Firefox ESR without Atomics.waitAsync: the conformance subset through the poll that stands in
// for it, with workers and single-threaded (helpers/browser-input.mjs noWaitAsyncLane).
import { noWaitAsyncLane } from './helpers/browser-input.mjs';

noWaitAsyncLane('firefox', 'Firefox ESR').run();
