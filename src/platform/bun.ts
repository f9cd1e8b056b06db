// The Bun adapter: Bun implements worker_threads, so this is Node's adapter, less what Bun's workers
// ignore: resourceLimits (a worker is not stopped at its limit) and a per-thread heap figure
// (getHeapStatistics reports the whole process), so recycleAboveHeapMb cannot be honoured.
import { platform as node } from './node.js';
import type { Platform } from './types.js';

export const platform: Platform = { ...node, name: 'bun', unsupported: ['resourceLimits', 'recycleAboveHeapMb'] };
