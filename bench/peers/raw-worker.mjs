// A bare worker_threads echo worker: the memory floor.
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', () => parentPort.postMessage(threadId));
