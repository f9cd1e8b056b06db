// A worker thread's entry: finds its platform and start-up data, then runs the worker (start.ts) until
// the core says SHUTDOWN, and ends the thread.
import '../platform/inbox.js';   // first: in a Web Worker its listener catches the start-up message
import { ensurePlatform } from '../platform/current.js';
import type { WorkerData } from '../engine/thread-protocol.js';
import { startWorker } from './start.js';

const platform = await ensurePlatform();
const port = await platform.workerContext<WorkerData>();
await startWorker(platform, port);
port.close();
