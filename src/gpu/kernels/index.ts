// The built-in GPU kernels as programs (program.ts): a request (engine/device.ts: the CPU kernels' op
// and dtype, with the arrays) becomes the buffers and passes of its kernel family (map.ts, reduce.ts,
// scan.ts, sort.ts). The request was checked by the algorithm and the placement policy (policy/placement.ts says
// which calls have a kernel); here only what needs the device's limits: every array must fit one binding.
import type { DeviceRequest, DeviceArray } from '../../engine/device.js';
import type { ComputeLimits } from '../limits.js';
import type { ProgramBuffer } from '../program.js';
import { workgroupSize, type KernelPass } from './common.js';
import { mapProgram } from './map.js';
import { reduceProgram } from './reduce.js';
import { scanProgram } from './scan.js';
import { sortProgram, sortedLength } from './sort.js';
import { messages } from '../../errors.js';

export interface KernelProgram {
  readonly buffers: ProgramBuffer[];
  readonly passes: KernelPass[];
  /** The value a reduction resolves with, once the program ran. */
  readonly value?: () => number;
}

function fit(call: string, arrays: readonly [string, DeviceArray][], max: number): void {
  for (const [name, a] of arrays) if (a.byteLength > max) throw new RangeError(messages.gpuTooBig(call, name, a.byteLength, max));
}

const named = (ins: readonly DeviceArray[]): [string, DeviceArray][] =>
  ins.map((a, i) => [ins.length === 1 ? 'input' : `input[${i}]`, a]);

/** The program of a request over at least one element (a matmul goes through the lane's autotuned shape: lane.ts). */
export function kernelProgram(call: string, req: Exclude<DeviceRequest, { kind: 'matmul' }>, limits: ComputeLimits): KernelProgram {
  const wg = workgroupSize(Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
  const perDim = limits.maxComputeWorkgroupsPerDimension, max = limits.maxStorageBufferBindingSize;
  switch (req.kind) {
    case 'map':
      fit(call, [...named(req.ins), ['out', req.out]], max);
      return mapProgram(req.op, req.dtype, req.ins, req.out, req.s0, req.s1, wg, perDim);
    case 'reduce': {
      fit(call, named(req.ins), max);
      const result = req.dtype === 'f32' ? new Float32Array(1) : req.dtype === 'i32' ? new Int32Array(1) : new Uint32Array(1);
      return { ...reduceProgram(req.op as 'sum', req.dtype, req.ins, wg, perDim, result), value: () => result[0] };
    }
    case 'scan':
      fit(call, [['input', req.input], ['out', req.out]], max);
      return scanProgram(req.op as 'sum', req.dtype, req.input, req.out, req.exclusive, req.init, wg, perDim);
    case 'sort': {
      // The sort's buffer is the array padded to a power of two: that must fit.
      const bytes = sortedLength(req.array.length, wg) * 4;
      if (bytes > max) throw new RangeError(messages.gpuSortTooBig(call, req.array.byteLength, bytes, max));
      return sortProgram(req.dtype, req.array, wg, perDim);
    }
  }
}
