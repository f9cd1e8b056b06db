// GPU buffers, pooled by usage and power-of-two size class, so a kernel run again over arrays of the
// same size allocates nothing; and the host-side staging view uploads are copied through (dawn.node's
// writeBuffer refuses views of a SharedArrayBuffer, which every executor.shared() array is).
/// <reference types="@webgpu/types" />

/** Smallest class: 256 bytes (small uniforms and tiny arrays share it). */
const MIN_CLASS = 256;
/** Free buffers kept per (usage, class); more are destroyed when handed back. */
const KEEP_PER_CLASS = 4;

/** The pool's size class for `bytes`: the next power of two from 256 on, or `bytes` rounded up to 4 past `max`. */
export function sizeClass(bytes: number, max: number): number {
  let c = MIN_CLASS;
  while (c < bytes) c *= 2;
  return c <= max ? c : Math.ceil(bytes / 4) * 4;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #maxBuffer: number;
  readonly #free = new Map<string, GPUBuffer[]>();
  #staging = new ArrayBuffer(0);

  constructor(device: GPUDevice, maxBufferSize: number) {
    this.#device = device;
    this.#maxBuffer = maxBufferSize;
  }

  /** A buffer of at least `bytes` with `usage` (GPUBufferUsage flags). */
  take(usage: number, bytes: number): GPUBuffer {
    const size = sizeClass(bytes, this.#maxBuffer);
    const hit = this.#free.get(`${usage}:${size}`)?.pop();
    return hit ?? this.#device.createBuffer({ size, usage });
  }

  /** Hands a buffer back for reuse (unmapped). */
  give(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.#free.get(key) ?? [];
    if (list.length >= KEEP_PER_CLASS) { buffer.destroy(); return; }
    list.push(buffer);
    this.#free.set(key, list);
  }

  /** Bytes of `view` in a plain ArrayBuffer writeBuffer accepts: the view's own bytes when it is not shared, else a copy in the staging buffer (valid until the next call). */
  uploadable(view: ArrayBufferView): Uint8Array<ArrayBuffer> {
    if (!(view.buffer instanceof SharedArrayBuffer)) return new Uint8Array(view.buffer as ArrayBuffer, view.byteOffset, view.byteLength);
    if (this.#staging.byteLength < view.byteLength) this.#staging = new ArrayBuffer(sizeClass(view.byteLength, Infinity));
    const out = new Uint8Array(this.#staging, 0, view.byteLength);
    out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    return out;
  }

  /** Destroys every pooled buffer (closing, or the device is gone). */
  clear(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#staging = new ArrayBuffer(0);
  }
}
