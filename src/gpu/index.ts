// The GPU lane's entry: the facade imports this file dynamically, and only when Executor.create({ gpu:
// true }) asks for a device, so an executor without a GPU never loads Dawn.
import { acquire } from './acquire.js';
import { GpuLane } from './lane.js';
import { NoGpu } from './none.js';

export { GpuLane, NoGpu };

/** The lane over the best device found, or one that says why there is none. Never rejects. */
export async function openGpu(): Promise<GpuLane | NoGpu> {
  try {
    const got = await acquire();
    return got.ok ? new GpuLane(got) : new NoGpu(got.reason);
  } catch (e) {
    return new NoGpu(e instanceof Error ? e.message : String(e));
  }
}
