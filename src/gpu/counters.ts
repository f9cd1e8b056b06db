// What the GPU lane moved between the host and the device, counted since it opened: the figures
// executor.gpu.counters gives, so a program (or a test) can see that a chain over resident arrays made no
// round trip. Host thread only, like the lane.
import type { GpuCounters } from './types.js';

export class Counters {
  uploads = 0;
  bytesUp = 0;
  readbacks = 0;
  bytesDown = 0;
  submissions = 0;

  /** A storage array copied host → device (uniform parameter blocks are not counted). */
  up(bytes: number): void { this.uploads++; this.bytesUp += bytes; }

  /** An array copied device → host. */
  down(bytes: number): void { this.readbacks++; this.bytesDown += bytes; }

  snapshot(): GpuCounters {
    const { uploads, bytesUp, readbacks, bytesDown, submissions } = this;
    return Object.freeze({ uploads, bytesUp, readbacks, bytesDown, submissions });
  }
}
