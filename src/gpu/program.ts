// One GPU program, start to end: upload the buffers that have data (through the staging view), encode
// every pass in one command encoder (a dispatch sees the writes of the dispatches before it), copy the
// buffers to read into mappable ones in the same submission, submit, map them, copy the results into
// their arrays, and hand every buffer back to the pool. A user's dispatch is a program of one pass over
// its bindings; a built-in kernel (kernels/) is a few passes over its inputs and scratch buffers, which
// stay on the device between the passes. The device's validation errors come back as the rejection.
/// <reference types="@webgpu/types" />
import type { BufferPool } from './buffers.js';
import type { Compiled } from './pipelines.js';
import type { Counters } from './counters.js';
import type { GpuStorageArray } from './types.js';
import { messages } from '../errors.js';

/** GPUBufferUsage and GPUMapMode values (fixed by the WebGPU spec; Dawn's globals are not installed). */
const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, UNIFORM = 0x40, STORAGE = 0x80;
const MODE_READ = 0x1;

const STORAGE_USAGE = STORAGE | COPY_DST | COPY_SRC;
const UNIFORM_USAGE = UNIFORM | COPY_DST;
const READBACK_USAGE = MAP_READ | COPY_DST;

/** A buffer of a program: its size, whether it is a uniform, what to upload into it and what to read it back into. */
export interface ProgramBuffer {
  /** Bytes the passes bind (at least 4 are allocated; a uniform is padded to 16). */
  readonly bytes: number;
  readonly uniform?: boolean;
  /** Written into the buffer before the passes. */
  readonly upload?: GpuStorageArray;
  /** The buffer's first readInto.byteLength bytes are copied into it after the passes. */
  readonly readInto?: GpuStorageArray;
  /** A resident array's own buffer (resident.ts): used as it is, never uploaded or pooled; read back only into `readInto`. */
  readonly device?: GPUBuffer;
  /** A pooled buffer filled on the device from this one before the passes (a resident array also bound elsewhere). */
  readonly copyOf?: GPUBuffer;
}

/** One dispatch: a compiled pipeline, its workgroups, and for each binding it declares (in order) the program buffer bound there. */
export interface ProgramPass {
  readonly compiled: Compiled;
  readonly workgroups: readonly [number, number, number];
  readonly bind: readonly number[];
}

export interface Timed { uploadMs: number; gpuMs: number; readbackMs: number; bytesUp: number; bytesDown: number }

/**
 * Runs `passes` over `buffers`; `race` wraps every wait so a lost device rejects it instead of leaving it
 * pending. Buffers go back to the pool when the program ends normally; after a failure they are
 * destroyed (one may still be mapping). No array is written unless every pass ran.
 */
export async function runProgram(device: GPUDevice, pool: BufferPool, call: string, buffers: readonly ProgramBuffer[],
  passes: readonly ProgramPass[], race: <T>(p: Promise<T>) => Promise<T>, counters: Counters): Promise<Timed> {
  const taken: GPUBuffer[] = [];
  try {
    return await run(device, pool, call, buffers, passes, race, taken, counters);
  } catch (e) {
    for (const b of taken) b.destroy();
    throw e;
  }
}

async function run(device: GPUDevice, pool: BufferPool, call: string, buffers: readonly ProgramBuffer[],
  passes: readonly ProgramPass[], race: <T>(p: Promise<T>) => Promise<T>, taken: GPUBuffer[], counters: Counters): Promise<Timed> {
  const t0 = performance.now();
  let bytesUp = 0, bytesDown = 0;
  const gpuOf = buffers.map((b) => {
    const up = b.upload;
    const size = b.uniform ? Math.max(16, Math.ceil(b.bytes / 16) * 16) : Math.max(4, Math.ceil(b.bytes / 4) * 4);
    if (b.device !== undefined) return { buffer: b.device, size };
    const buffer = pool.take(b.uniform ? UNIFORM_USAGE : STORAGE_USAGE, size);
    if (b.copyOf !== undefined) { taken.push(buffer); return { buffer, size }; }
    taken.push(buffer);
    if (up !== undefined && up.byteLength > 0) {
      device.queue.writeBuffer(buffer, 0, pool.uploadable(up));
      bytesUp += up.byteLength;
      if (!b.uniform) counters.up(up.byteLength);
    }
    if (b.uniform && size > (up?.byteLength ?? 0)) device.queue.writeBuffer(buffer, up?.byteLength ?? 0, new Uint8Array(size - (up?.byteLength ?? 0)));
    return { buffer, size };
  });
  const t1 = performance.now();

  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: call });
  for (const [i, b] of buffers.entries()) if (b.copyOf !== undefined && b.bytes > 0) encoder.copyBufferToBuffer(b.copyOf, 0, gpuOf[i].buffer, 0, Math.ceil(b.bytes / 4) * 4);
  const pass = encoder.beginComputePass();
  for (const p of passes) {
    pass.setPipeline(p.compiled.pipeline);
    for (const g of p.compiled.groups) {
      pass.setBindGroup(g.group, device.createBindGroup({
        layout: g.layout,
        entries: g.members.map((i) => {
          const { buffer, size } = gpuOf[p.bind[i]];
          return { binding: p.compiled.declared[i].binding, resource: { buffer, offset: 0, size } };
        }),
      }));
    }
    pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1], p.workgroups[2]);
  }
  pass.end();
  const reads: { into: GpuStorageArray; buffer: GPUBuffer }[] = [];
  for (const [i, b] of buffers.entries()) {
    const into = b.readInto;
    if (into === undefined || into.byteLength === 0) continue;
    const buffer = pool.take(READBACK_USAGE, into.byteLength);
    taken.push(buffer);
    encoder.copyBufferToBuffer(gpuOf[i].buffer, 0, buffer, 0, into.byteLength);
    reads.push({ into, buffer });
  }
  device.queue.submit([encoder.finish()]);
  counters.submissions++;
  const validation = device.popErrorScope();

  const invalid = await race(validation);
  if (invalid !== null) throw new Error(messages.gpuValidation(call, invalid.message));
  await race(Promise.all(reads.map((r) => r.buffer.mapAsync(MODE_READ, 0, r.into.byteLength))));
  const t2 = performance.now();
  for (const { into: a, buffer } of reads) {
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(new Uint8Array(buffer.getMappedRange(0, a.byteLength)));
    buffer.unmap();
    bytesDown += a.byteLength;
    counters.down(a.byteLength);
  }
  for (const b of taken.splice(0)) pool.give(b);
  const t3 = performance.now();
  return { uploadMs: t1 - t0, gpuMs: t2 - t1, readbackMs: t3 - t2, bytesUp, bytesDown };
}
