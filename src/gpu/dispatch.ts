// One dispatch, start to end: upload the bindings (through the staging view), encode the pass and the
// copies to the readback buffers, submit, map them, copy the results into the arrays, and hand every
// buffer back to the pool. The device's validation errors of this dispatch come back as its rejection.
/// <reference types="@webgpu/types" />
import type { BufferPool } from './buffers.js';
import type { Compiled } from './pipelines.js';
import type { BoundArray } from './bindings.js';
import { messages } from '../errors.js';

/** GPUBufferUsage and GPUMapMode values (fixed by the WebGPU spec; Dawn's globals are not installed). */
const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, UNIFORM = 0x40, STORAGE = 0x80;
const MODE_READ = 0x1;

const STORAGE_USAGE = STORAGE | COPY_DST | COPY_SRC;
const UNIFORM_USAGE = UNIFORM | COPY_DST;
const READBACK_USAGE = MAP_READ | COPY_DST;

export interface Timed { uploadMs: number; gpuMs: number; readbackMs: number; bytesUp: number; bytesDown: number }

/**
 * Runs `compiled` over `bound` with `workgroups`; `race` wraps every wait so a lost device rejects it
 * instead of leaving it pending. Buffers go back to the pool when the dispatch ends normally; after a
 * failure they are destroyed (one may still be mapping).
 */
export async function runDispatch(device: GPUDevice, pool: BufferPool, call: string, compiled: Compiled, bound: readonly BoundArray[],
  workgroups: readonly [number, number, number], race: <T>(p: Promise<T>) => Promise<T>): Promise<Timed> {
  const buffers: GPUBuffer[] = [];
  try {
    return await run(device, pool, call, compiled, bound, workgroups, race, buffers);
  } catch (e) {
    for (const b of buffers) b.destroy();
    throw e;
  }
}

async function run(device: GPUDevice, pool: BufferPool, call: string, compiled: Compiled, bound: readonly BoundArray[],
  workgroups: readonly [number, number, number], race: <T>(p: Promise<T>) => Promise<T>, buffers: GPUBuffer[]): Promise<Timed> {
  const t0 = performance.now();
  let bytesUp = 0, bytesDown = 0;
  const gpuOf = bound.map(({ decl, array }) => {
    const uniform = decl.kind === 'uniform';
    // A binding holds at least one element (an empty array binds 4 bytes); a uniform is padded to 16.
    const size = uniform ? Math.max(16, Math.ceil(array.byteLength / 16) * 16) : Math.max(4, array.byteLength);
    const buffer = pool.take(uniform ? UNIFORM_USAGE : STORAGE_USAGE, size);
    buffers.push(buffer);
    if (array.byteLength > 0) device.queue.writeBuffer(buffer, 0, pool.uploadable(array));
    if (uniform && size > array.byteLength) device.queue.writeBuffer(buffer, array.byteLength, new Uint8Array(size - array.byteLength));
    bytesUp += array.byteLength;
    return { buffer, size };
  });
  const t1 = performance.now();

  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: call });
  const pass = encoder.beginComputePass();
  pass.setPipeline(compiled.pipeline);
  for (const g of compiled.groups) {
    pass.setBindGroup(g.group, device.createBindGroup({
      layout: g.layout,
      entries: g.members.map((i) => ({ binding: bound[i].decl.binding, resource: { buffer: gpuOf[i].buffer, offset: 0, size: gpuOf[i].size } })),
    }));
  }
  pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
  pass.end();
  const reads: { target: BoundArray; buffer: GPUBuffer }[] = [];
  for (const [i, b] of bound.entries()) {
    if (!b.read || b.array.byteLength === 0) continue;
    const buffer = pool.take(READBACK_USAGE, b.array.byteLength);
    buffers.push(buffer);
    encoder.copyBufferToBuffer(gpuOf[i].buffer, 0, buffer, 0, b.array.byteLength);
    reads.push({ target: b, buffer });
  }
  device.queue.submit([encoder.finish()]);
  const validation = device.popErrorScope();

  const invalid = await race(validation);
  if (invalid !== null) throw new Error(messages.gpuValidation(call, invalid.message));
  await race(Promise.all(reads.map((r) => r.buffer.mapAsync(MODE_READ, 0, r.target.array.byteLength))));
  const t2 = performance.now();
  for (const { target, buffer } of reads) {
    const a = target.array;
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(new Uint8Array(buffer.getMappedRange(0, a.byteLength)));
    buffer.unmap();
    bytesDown += a.byteLength;
  }
  for (const b of buffers.splice(0)) pool.give(b);
  const t3 = performance.now();
  return { uploadMs: t1 - t0, gpuMs: t2 - t1, readbackMs: t3 - t2, bytesUp, bytesDown };
}
