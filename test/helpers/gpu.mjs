// The opening of every GPU test file: an executor with a device, and a suite whose tests run only when
// there is one. Without a device the file says why and skips; under CI=true it fails instead (CI always
// has an adapter: Dawn's GLES compatibility one on llvmpipe).
import { suite } from 'uvu';
import { Executor } from 'beatflow';

/** { ex, gpu, S, it }: `it` is S, or S.skip without a device. */
export async function gpuSuite(title, what, workers = 2) {
  const ex = await Executor.create({ workers, gpu: true });
  const gpu = ex.gpu;
  if (!gpu.available) {
    console.log(`# ${what} tests skipped: ${gpu.reason}`);
    if (process.env.CI === 'true') throw new Error(`CI must run the ${what} tests, but there is no device: ${gpu.reason}`);
  }
  const S = suite(title);
  return { ex, gpu, S, it: gpu.available ? S : S.skip };
}
