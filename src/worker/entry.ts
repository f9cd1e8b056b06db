// A worker thread's life once its platform is known: its start-up data and channel to the host, the
// worker (start.ts) until the core says SHUTDOWN, then the end of the thread. The entries call it:
// main.ts, which finds the platform of the runtime it runs in, and the bundlers' worker entries
// (entries/worker-*.ts), which install theirs statically.
import type { Platform } from '../platform/types.js';
import type { WorkerData } from '../engine/thread-protocol.js';
import { startWorker } from './start.js';

export async function runThread(platform: Platform): Promise<void> {
  const port = await platform.workerContext<WorkerData>();
  await startWorker(platform, port);
  port.close();
}
