// piscina / tinypool task: the anchors' `x => x` (with no argument it is a no-op).
import { threadId } from 'node:worker_threads';

export default function echo(x) {
  return x;
}

// For the memory bench: which worker ran this.
export function whoami() {
  return threadId;
}
