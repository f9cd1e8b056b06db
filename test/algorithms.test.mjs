// Parallel algorithms against single-threaded references at 1 and 2 workers (the cases: algorithms-cases.mjs;
// 4 workers: algorithms-4w.test.mjs, a process of its own to keep each file short).
import { algorithmSuites } from './algorithms-cases.mjs';

for (const workers of [1, 2]) algorithmSuites(workers);
