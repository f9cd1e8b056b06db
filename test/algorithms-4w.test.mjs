// Parallel algorithms against single-threaded references at 4 workers (the cases: algorithms-cases.mjs).
import { algorithmSuites } from './algorithms-cases.mjs';

algorithmSuites(4);
