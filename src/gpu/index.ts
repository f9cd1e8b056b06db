// The GPU lane's entry: the facade imports this file dynamically, and only when Executor.create({ gpu:
// true }) asks for a device, so an executor without a GPU never loads Dawn.
import { acquire } from './acquire.js';
import { GpuLane, type LaneOptions } from './lane.js';
import { NoGpu } from './none.js';

export { GpuLane, NoGpu };

/**
 * The lane over the best device found, or one that says why there is none; with options.gpu.tuningDir,
 * the stored autotune adopted first. Never rejects.
 */
export async function openGpu(opts: LaneOptions = {}): Promise<GpuLane | NoGpu> {
  try {
    const got = await acquire();
    if (!got.ok) return new NoGpu(got.reason);
    const lane = new GpuLane(got, opts);
    await lane.loadTuning();
    return lane;
  } catch (e) {
    return new NoGpu(e instanceof Error ? e.message : String(e));
  }
}
