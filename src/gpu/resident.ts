// Resident arrays: shared arrays that keep a buffer of their own on the device between calls, so a chain
// of GPU calls over them moves no data through the host. Who holds the truth, per array:
//
//   'synced'  both copies agree (after resident(), a read(), or a GPU call that only read it);
//   'device'  a GPU call wrote it: the device's copy is the truth, the array's is stale until read();
//   'host'    the host wrote it (invalidate(), or a CPU algorithm call over it): the array is the truth,
//             and the next GPU call uploads it before using it.
//
// A GPU call binding a resident array uses its buffer: no upload (unless 'host', or the call lists it in
// `upload`), no readback (unless the call lists it in `read`: then both copies agree after it). The CPU
// algorithms call hostUse() first: device writes are read back, and the arrays are marked 'host' after.
// Each buffer is a power of two of at least 2 KiB, so a sort (padded to a power of two) runs in place.
//
// Which array is which: an array on the executor's shared memory is known by where it lies (its type,
// byte offset and length), not by the object, because a graph's GPU task reaches the host as another
// view of the same memory (engine/device-task.ts). An array freed since it was made resident is dropped
// the next time it is looked up, so memory the heap hands out again is never taken for it. Any other
// array is known by its identity.
/// <reference types="@webgpu/types" />
import { sizeClass, type BufferPool } from './buffers.js';
import type { ProgramBuffer } from './program.js';
import type { Counters } from './counters.js';
import type { GpuStorageArray } from './types.js';
import { isFreed } from '../engine/codec.js';

const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, STORAGE = 0x80, MODE_READ = 0x1;
/** Smallest resident buffer: a sort's smallest padded length (2·256 words). */
const MIN_BYTES = 2048;

export type Truth = 'synced' | 'device' | 'host';
interface Entry { readonly buffer: GPUBuffer; readonly array: GpuStorageArray; truth: Truth }

/** What a program asks of each of its buffers, by index: may it write it, must it read it back, must it upload it first. */
export interface Use { writable(i: number): boolean; sync(i: number): boolean; fresh(i: number): boolean }
const KERNEL_USE: Omit<Use, 'writable'> = { sync: () => false, fresh: () => false };

export class ResidentSet {
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly #max: number;
  readonly #counters: Counters;
  readonly #arrays = new Map<GpuStorageArray | string, Entry>();
  #owns: (b: ArrayBufferLike) => boolean = () => false;

  constructor(device: GPUDevice, pool: BufferPool, maxBufferSize: number, counters: Counters) {
    this.#device = device; this.#pool = pool; this.#max = maxBufferSize; this.#counters = counters;
  }

  /** Which buffers are the executor's shared memory (its arrays are then known by where they lie). */
  useMemory(owns: (b: ArrayBufferLike) => boolean): void { this.#owns = owns; }

  #key(a: GpuStorageArray): GpuStorageArray | string {
    return this.#owns(a.buffer) ? `${a.constructor.name}:${a.byteOffset}:${a.length}` : a;
  }

  #get(a: unknown): Entry | undefined {
    if (this.#arrays.size === 0 || !ArrayBuffer.isView(a)) return undefined;
    const key = this.#key(a as GpuStorageArray), e = this.#arrays.get(key);
    if (e !== undefined && isFreed(e.array)) { e.buffer.destroy(); this.#arrays.delete(key); return undefined; }
    return e;
  }

  get size(): number { return this.#arrays.size; }
  has(a: unknown): boolean { return this.#get(a) !== undefined; }
  truth(a: GpuStorageArray): Truth | undefined { return this.#get(a)?.truth; }

  /** Gives `a` a device buffer holding its data (again, if it had one: the host's copy is the truth). */
  add(a: GpuStorageArray): void {
    let e = this.#get(a);
    if (e === undefined) {
      const size = Math.max(MIN_BYTES, sizeClass(a.byteLength, this.#max));
      e = { buffer: this.#device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST }), array: a, truth: 'host' };
      this.#arrays.set(this.#key(a), e);
    }
    this.#upload(a, e);
  }

  /** Uploads `a` into its buffer; the bytes moved. */
  #upload(a: GpuStorageArray, e: Entry): number {
    if (a.byteLength > 0) {
      this.#device.queue.writeBuffer(e.buffer, 0, this.#pool.uploadable(a));
      this.#counters.up(a.byteLength);
    }
    e.truth = 'synced';
    return a.byteLength;
  }

  /** The host changed `a`: the next GPU call uploads it; writes only on the device are dropped. */
  invalidate(a: GpuStorageArray): void {
    const e = this.#get(a);
    if (e !== undefined) e.truth = 'host';
  }

  /**
   * A program's buffers with the resident arrays' own buffers in place of uploads and readbacks (the
   * first binding of an array gets its buffer, a further one a copy made on the device), and the arrays
   * the program may write, each with whether it is read back. Arrays the host changed, or that `use`
   * says to upload, are uploaded first (`uploaded`: their bytes); those it says to sync are read back
   * after the passes.
   */
  place(buffers: readonly ProgramBuffer[], use: Pick<Use, 'writable'> & Partial<Use>): { buffers: ProgramBuffer[]; written: [GpuStorageArray, boolean][]; uploaded: number } {
    if (this.#arrays.size === 0) return { buffers: [...buffers], written: [], uploaded: 0 };
    const { sync, fresh } = { ...KERNEL_USE, ...use };
    const used = new Set<Entry>(), written: [GpuStorageArray, boolean][] = [];
    let uploaded = 0;
    const arrayOf = (b: ProgramBuffer) => b.readInto ?? b.upload;
    const out: ProgramBuffer[] = [...buffers];
    // Buffers written first: they must be the array's own; a read-only binding of the same array gets a copy.
    const order = buffers.map((b, i) => i).sort((i, j) => Number(use.writable(j)) - Number(use.writable(i)));
    for (const i of order) {
      const b = buffers[i], a = arrayOf(b);
      const e = a === undefined || b.uniform ? undefined : this.#get(a);
      if (e === undefined || b.bytes > e.buffer.size) continue;
      if (e.truth === 'host' || fresh(i)) uploaded += this.#upload(a!, e);
      if (used.has(e)) { out[i] = { bytes: b.bytes, copyOf: e.buffer }; continue; }
      used.add(e);
      const back = use.writable(i) && sync(i) && b.readInto !== undefined;
      out[i] = back ? { bytes: b.bytes, device: e.buffer, readInto: b.readInto } : { bytes: b.bytes, device: e.buffer };
      if (use.writable(i)) written.push([a!, back]);
    }
    return { buffers: out, written, uploaded };
  }

  /** After a program ran: the arrays it wrote hold the truth on the device, unless they were read back. */
  wrote(arrays: readonly [GpuStorageArray, boolean][]): void {
    for (const [a, back] of arrays) { const e = this.#get(a); if (e !== undefined) e.truth = back ? 'synced' : 'device'; }
  }

  /** Copies the device's copy of `a` into it, when the device holds the truth; `race` guards the wait. */
  async read(a: GpuStorageArray, race: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
    const e = this.#get(a);
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
    this.#counters.down(a.byteLength);
    if (e.truth === 'device') e.truth = 'synced';
  }

  /** Drops `a`'s device buffer (its device-only writes with it). */
  release(a: GpuStorageArray): boolean {
    const e = this.#get(a);
    if (e === undefined) return false;
    e.buffer.destroy();
    this.#arrays.delete(this.#key(e.array));
    return true;
  }

  clear(): void {
    for (const e of this.#arrays.values()) e.buffer.destroy();
    this.#arrays.clear();
  }
}
