// A worker thread's entry, as the package runs it unbundled: finds its platform (the adapter of the
// runtime it runs in, loaded by a computed specifier), then runs the worker (entry.ts). A bundle starts
// its threads on a worker entry of its own instead (entries/worker-*.ts, `beatflow/worker`).
import '../platform/inbox.js';   // first: in a Web Worker its listener catches the start-up message
import { ensurePlatform } from '../platform/current.js';
import { runThread } from './entry.js';

await runThread(await ensurePlatform());
