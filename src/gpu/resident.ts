// Resident arrays: shared arrays that keep a buffer of their own on the device between calls, so a chain
// of GPU calls over them moves no data through the host. Who holds the truth, per array:
//
//   'synced'  both copies agree (after resident(), a read(), or a GPU call that only read it);
//   'device'  a GPU call wrote it: the device's copy is the truth, the array's is stale until read();
//   'host'    the host wrote it (invalidate(), or a CPU algorithm call over it): the array is the truth,
//             and the next GPU call uploads it before using it.
//
// A GPU call binding a resident array uses its buffer: no upload (unless 'host'), no readback. The CPU
// algorithms call hostUse() first: device writes are read back, and the arrays are marked 'host' after.
// Each buffer is a power of two of at least 2 KiB, so a sort (padded to a power of two) runs in place.
/// <reference types="@webgpu/types" />
import { sizeClass, type BufferPool } from './buffers.js';
import type { ProgramBuffer } from './program.js';
import type { GpuStorageArray } from './types.js';

const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, STORAGE = 0x80, MODE_READ = 0x1;
/** Smallest resident buffer: a sort's smallest padded length (2·256 words). */
const MIN_BYTES = 2048;

export type Truth = 'synced' | 'device' | 'host';
interface Entry { readonly buffer: GPUBuffer; truth: Truth }

export class ResidentSet {
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly #max: number;
  readonly #arrays = new Map<GpuStorageArray, Entry>();

  constructor(device: GPUDevice, pool: BufferPool, maxBufferSize: number) {
    this.#device = device; this.#pool = pool; this.#max = maxBufferSize;
  }

  get size(): number { return this.#arrays.size; }
  has(a: unknown): boolean { return this.#arrays.has(a as GpuStorageArray); }
  truth(a: GpuStorageArray): Truth | undefined { return this.#arrays.get(a)?.truth; }

  /** Gives `a` a device buffer holding its data (again, if it had one: the host's copy is the truth). */
  add(a: GpuStorageArray): void {
    let e = this.#arrays.get(a);
    if (e === undefined) {
      const size = Math.max(MIN_BYTES, sizeClass(a.byteLength, this.#max));
      e = { buffer: this.#device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST }), truth: 'host' };
      this.#arrays.set(a, e);
    }
    this.#upload(a, e);
  }

  #upload(a: GpuStorageArray, e: Entry): void {
    if (a.byteLength > 0) this.#device.queue.writeBuffer(e.buffer, 0, this.#pool.uploadable(a));
    e.truth = 'synced';
  }

  /** The host changed `a`: the next GPU call uploads it; writes only on the device are dropped. */
  invalidate(a: GpuStorageArray): void {
    const e = this.#arrays.get(a);
    if (e !== undefined) e.truth = 'host';
  }

  /**
   * A program's buffers with the resident arrays' own buffers in place of uploads and readbacks (the
   * first binding of an array gets its buffer, a further one a copy made on the device), and the arrays
   * the program may write. Arrays the host changed are uploaded first.
   */
  place(buffers: readonly ProgramBuffer[], writable: (b: ProgramBuffer, i: number) => boolean): { buffers: ProgramBuffer[]; written: GpuStorageArray[] } {
    if (this.#arrays.size === 0) return { buffers: [...buffers], written: [] };
    const used = new Set<GpuStorageArray>(), written: GpuStorageArray[] = [];
    const arrayOf = (b: ProgramBuffer) => b.readInto ?? b.upload;
    const entry = (b: ProgramBuffer) => { const a = arrayOf(b); return a === undefined || b.uniform ? undefined : this.#arrays.get(a); };
    const out: ProgramBuffer[] = [...buffers];
    // Buffers written first: they must be the array's own; a read-only binding of the same array gets a copy.
    const order = buffers.map((b, i) => i).sort((i, j) => Number(writable(buffers[j], j)) - Number(writable(buffers[i], i)));
    for (const i of order) {
      const b = buffers[i], e = entry(b);
      if (e === undefined || b.bytes > e.buffer.size) continue;
      const a = arrayOf(b)!;
      if (e.truth === 'host') this.#upload(a, e);
      if (used.has(a)) { out[i] = { bytes: b.bytes, copyOf: e.buffer }; continue; }
      used.add(a);
      out[i] = { bytes: b.bytes, device: e.buffer };
      if (writable(b, i)) written.push(a);
    }
    return { buffers: out, written };
  }

  /** After a program ran: the arrays it wrote hold the truth on the device. */
  wrote(arrays: readonly GpuStorageArray[]): void {
    for (const a of arrays) { const e = this.#arrays.get(a); if (e !== undefined) e.truth = 'device'; }
  }

  /** Copies the device's copy of `a` into it, when the device holds the truth; `race` guards the wait. */
  async read(a: GpuStorageArray, race: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
    const e = this.#arrays.get(a);
    if (e === undefined || e.truth !== 'device' || a.byteLength === 0) return;
    const staging = this.#pool.take(MAP_READ | COPY_DST, a.byteLength);
    const encoder = this.#device.createCommandEncoder();
    encoder.copyBufferToBuffer(e.buffer, 0, staging, 0, a.byteLength);
    this.#device.queue.submit([encoder.finish()]);
    try {
      await race(staging.mapAsync(MODE_READ, 0, a.byteLength));
    } catch (err) {
      staging.destroy();
      throw err;
    }
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(new Uint8Array(staging.getMappedRange(0, a.byteLength)));
    staging.unmap();
    this.#pool.give(staging);
    if (e.truth === 'device') e.truth = 'synced';
  }

  /** Drops `a`'s device buffer (its device-only writes with it). */
  release(a: GpuStorageArray): boolean {
    const e = this.#arrays.get(a);
    if (e === undefined) return false;
    e.buffer.destroy();
    this.#arrays.delete(a);
    return true;
  }

  clear(): void {
    for (const e of this.#arrays.values()) e.buffer.destroy();
    this.#arrays.clear();
  }
}
