// workerpool worker script (workerType 'thread').
import workerpool from 'workerpool';
import { threadId } from 'node:worker_threads';

workerpool.worker({
  echo: (x) => x,
  whoami: () => threadId,
});
