// The GPU lane of one executor (executor.gpu): the device, its buffer pool and pipeline cache, what was
// found, and dispatch(). Host thread only: the device belongs to the thread that acquired it. A lost
// device (destroyed, driver reset) makes the lane unavailable: dispatches in flight reject with a
// GpuDeviceLostError at once, later ones too, and nothing waits on the device again.
/// <reference types="@webgpu/types" />
import { BufferPool } from './buffers.js';
import { ResidentSet } from './resident.js';
import { Counters } from './counters.js';
import { Pipelines } from './pipelines.js';
import { bindArrays, checkStorage } from './bindings.js';
import { runProgram, type ProgramBuffer, type ProgramPass } from './program.js';
import { kernelProgram } from './kernels/index.js';
import { matmulProgram, type MatmulShape } from './kernels/matmul.js';
import { checkMatmul, tuning, tuningKey, TUNE_SIZE, exportTunings, adoptTunings } from './matmul.js';
import { checkTuning } from './tuning.js';
import { loadTuningFile, saveTuningFile } from './tuning-file.js';
import type { KernelPass } from './kernels/common.js';
import type { DeviceRequest, DeviceLane } from '../engine/device.js';
import { computeLimits } from './limits.js';
import type { Acquired } from './acquire.js';
import type { ComputeLimits, FeatureLevel, GpuAdapterInfo, GpuCounters, GpuDispatch, GpuDispatchReport, GpuMatmulReport, GpuStorageArray, GpuTuning } from './types.js';
import { platform } from '../platform/current.js';
import { GpuDeviceLostError, messages } from '../errors.js';

/** "executor.gpu.dispatch()" or, with a label, "executor.gpu.dispatch({ label: 'saxpy' })". */
const callName = (label: unknown): string =>
  typeof label === 'string' ? `executor.gpu.dispatch({ label: '${label}' })` : 'executor.gpu.dispatch()';

/** [x, y, z] from [x], [x, y] or [x, y, z], each checked against the device's limit. */
function workgroupsOf(call: string, v: unknown, max: number): [number, number, number] {
  const ok = Array.isArray(v) && v.length >= 1 && v.length <= 3 && v.every((n) => Number.isInteger(n) && n >= 0 && n <= max);
  if (!ok) throw new TypeError(messages.argType(`${call}: workgroups`, `[x, y?, z?] of integers from 0 to ${max}`, v));
  return [v[0], v[1] ?? 1, v[2] ?? 1];
}

/** What options.gpu may set for the lane. */
export interface LaneOptions { readonly tuningDir?: string }

const MATMUL_CALL = 'executor.gpu.matmul(a, b, out, m, n, k)';

/** A software rasteriser's adapter (Mesa's llvmpipe and lavapipe, SwiftShader, WARP), or WebGPU's fallback one. */
export const isSoftware = (a: GpuAdapterInfo): boolean =>
  a.fallback || /llvmpipe|lavapipe|softpipe|swiftshader|warp|basic render/i.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);

export class GpuLane implements DeviceLane {
  readonly adapter: GpuAdapterInfo;
  readonly featureLevel: FeatureLevel;
  readonly backend: string;
  readonly limits: ComputeLimits;
  readonly tried: readonly string[];
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly #pipelines: Pipelines;
  readonly #resident: ResidentSet;
  readonly #counters = new Counters();
  readonly #tuningDir: string | undefined;
  readonly #keepAlive = platform().keepAlive();
  /** Why the lane stopped (lost, closed, destroyed); dispatches reject with it. */
  #stopped: Error | undefined;
  readonly #stop: Promise<never>;
  #reject!: (e: Error) => void;
  readonly #inFlight = new Set<Promise<unknown>>();
  #fallbacks = 0;
  readonly software: boolean;

  constructor(got: Acquired, opts: LaneOptions = {}) {
    this.#device = got.device;
    this.adapter = got.adapter;
    this.featureLevel = got.featureLevel;
    this.backend = got.backend;
    this.tried = got.tried;
    this.limits = computeLimits(got.device.limits);
    this.software = isSoftware(got.adapter);
    this.#pool = new BufferPool(got.device, this.limits.maxBufferSize);
    this.#pipelines = new Pipelines(got.device);
    this.#resident = new ResidentSet(got.device, this.#pool, this.limits.maxBufferSize, this.#counters);
    this.#tuningDir = opts.tuningDir;
    this.#stop = new Promise<never>((_, reject) => { this.#reject = reject; });
    this.#stop.catch(() => {});
    void got.device.lost.then((info) => {
      this.#halt(new GpuDeviceLostError(messages.gpuLost(info.reason, info.message), info.reason, info.message));
    });
  }

  get available(): boolean { return this.#stopped === undefined; }

  /** Why no dispatch can run (the device was lost, the executor closed), once that is so. */
  get reason(): string | undefined { return this.#stopped?.message; }

  /** Algorithm calls that lost this device mid-way and were re-run on the CPU kernels. */
  get fallbacks(): number { return this.#fallbacks; }
  noteFallback(): void { this.#fallbacks++; }

  dispatch(spec: GpuDispatch): Promise<GpuDispatchReport> {
    return this.#track(() => this.#dispatch(spec));
  }

  /** Runs a built-in kernel (kernels/): resolves once `out` holds the result, or with a reduction's value. */
  runKernel(call: string, req: DeviceRequest): Promise<number | undefined> {
    return this.#track(async () => {
      if (this.#stopped) throw this.#stopped;
      if (req.kind === 'matmul') {
        checkMatmul(call, req.a, req.b, req.out, req.m, req.n, req.k, this.limits.maxStorageBufferBindingSize);
        await this.#matmul(call, req.a, req.b, req.out, req.m, req.n, req.k);
        return undefined;
      }
      const k = kernelProgram(call, req, this.limits);
      await this.#program(call, k.buffers, k.passes);
      return k.value?.();
    });
  }

  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): Promise<GpuMatmulReport> {
    return this.#track(async () => {
      if (this.#stopped) throw this.#stopped;
      checkMatmul(MATMUL_CALL, a, b, out, m, n, k, this.limits.maxStorageBufferBindingSize);
      return this.#matmul(MATMUL_CALL, a, b, out, m, n, k);
    });
  }

  /** The product on the device, with the adapter's tuned shape (tuned now if it has none); arguments checked. */
  async #matmul(call: string, a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): Promise<GpuMatmulReport> {
    const t0 = performance.now();
    const { tuned, fresh } = tuning(tuningKey(this.adapter, this.limits), this.adapter, this.limits, (s) => this.#timeShape(call, s));
    const { shape, timings } = await this.#race(tuned);
    if (fresh && this.#tuningDir !== undefined) void this.#track(() => saveTuningFile(this.#tuningDir!, exportTunings()));
    const t1 = performance.now();
    const tiles = Math.max(Math.ceil(m / shape.tile), Math.ceil(n / shape.tile));
    if (tiles > this.limits.maxComputeWorkgroupsPerDimension) throw new RangeError(messages.gpuMatmulGrid(call, m, n, shape.tile, this.limits.maxComputeWorkgroupsPerDimension));
    let t = { uploadMs: 0, gpuMs: 0, readbackMs: 0, bytesUp: 0, bytesDown: 0 };
    if (m * n > 0) {
      const p = matmulProgram(shape, a, b, out, m, n, k);
      t = await this.#program(call, p.buffers, p.passes);
    }
    const totalMs = performance.now() - t1;
    return Object.freeze({
      tile: shape.tile, depth: shape.depth, workgroupSize: shape.wg, tuneMs: fresh ? t1 - t0 : 0, timings, ...t, totalMs,
      gflops: totalMs > 0 ? (2 * m * n * k) / (totalMs * 1e6) : 0,
    });
  }

  /** The autotune results known in this process, as data (tuning.ts). */
  tuning(): GpuTuning { return exportTunings(); }

  /** Adopts stored autotune results; how many entries were adopted. */
  useTuning(t: GpuTuning): number { return adoptTunings(checkTuning('executor.gpu.useTuning(tuning)', t)); }

  /** Adopts the file under options.gpu.tuningDir, if there is one (a file it cannot read is left to be rewritten). */
  async loadTuning(): Promise<void> {
    if (this.#tuningDir !== undefined) await loadTuningFile(this.#tuningDir);
  }

  /** What moved between host and device since the lane opened. */
  get counters(): GpuCounters { return this.#counters.snapshot(); }

  /** The executor's shared memory (resident arrays on it are known by where they lie: resident.ts). */
  useMemory(owns: (b: ArrayBufferLike) => boolean): void { this.#resident.useMemory(owns); }

  /**
   * The autotune's measure of a shape: one untimed run of a single tile over the same buffers (compiling
   * the pipeline and filling the pool, without the work), then one timed run on TUNE_SIZE³.
   */
  async #timeShape(call: string, s: MatmulShape): Promise<number> {
    const z = TUNE_SIZE, a = new Float32Array(z * z).fill(1), b = new Float32Array(z * z).fill(0.5), out = new Float32Array(z * z);
    const warm = matmulProgram(s, a, b, out, s.tile, s.tile, s.depth);
    await this.#program(call, warm.buffers, warm.passes);
    const p = matmulProgram(s, a, b, out, z, z, z);
    const t0 = performance.now();
    await this.#program(call, p.buffers, p.passes);
    return performance.now() - t0;
  }

  /** Keeps `array` on the device between calls (resident.ts); uploads it now. Returns the array. */
  resident<A extends GpuStorageArray>(array: A): A {
    const call = 'executor.gpu.resident(array)';
    if (this.#stopped) throw this.#stopped;
    checkStorage(call, array, this.limits.maxStorageBufferBindingSize);
    this.#resident.add(array);
    return array;
  }

  /** Copies a resident array's device copy into it when the device holds the truth; resolves with the array. */
  read<A extends GpuStorageArray>(array: A): Promise<A> {
    return this.#track(async () => {
      if (this.#stopped) throw this.#stopped;
      if (!this.#resident.has(array)) throw new TypeError(messages.gpuNotResident('executor.gpu.read(array)', array));
      await this.#resident.read(array, this.#race);
      return array;
    });
  }

  /** The host wrote `array`: the next GPU call uploads it (writes only on the device are dropped). */
  invalidate(array: GpuStorageArray): void {
    if (!this.#resident.has(array)) throw new TypeError(messages.gpuNotResident('executor.gpu.invalidate(array)', array));
    this.#resident.invalidate(array);
  }

  /** Drops the device copy of `array` (read() it first to keep device-only writes); false if it had none. */
  release(array: GpuStorageArray): boolean { return this.#resident.release(array); }

  /** Whether every array is resident (for the placement policy). */
  isResident(arrays: readonly unknown[]): boolean {
    return this.#resident.size > 0 && arrays.length > 0 && arrays.every((a) => this.#resident.has(a));
  }

  /**
   * The host is about to use `arrays` (a CPU algorithm call): undefined when none is resident; else reads
   * back the device's writes and resolves with what to call after, which marks them written by the host.
   */
  hostUse(arrays: readonly unknown[]): Promise<() => void> | undefined {
    const mine = this.#resident.size === 0 ? [] : arrays.filter((a): a is GpuStorageArray => this.#resident.has(a));
    if (mine.length === 0) return undefined;
    return (async () => {
      if (!this.#stopped) for (const a of mine) await this.read(a);
      return () => { for (const a of mine) this.#resident.invalidate(a); };
    })();
  }

  #track<T>(start: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try { p = start(); } catch (e) { return Promise.reject(e); }
    this.#inFlight.add(p);
    const done = () => { this.#inFlight.delete(p); };
    p.then(done, done);
    return this.#keepAlive.during(p);
  }

  /** What loses the race may still settle later (a map aborted by the loss): it is handled here. */
  readonly #race = <T>(q: Promise<T>): Promise<T> => { q.catch(() => {}); return Promise.race([q, this.#stop]); };

  /** Compiles the passes (from the cache when it can) and runs them as one program. */
  async #program(call: string, buffers: readonly ProgramBuffer[], passes: readonly KernelPass[]) {
    const compiled = await this.#race(Promise.all(passes.map((p) => this.#pipelines.get(call, p.code, undefined).compiled)));
    if (this.#stopped) throw this.#stopped;
    const ready: ProgramPass[] = passes.map((p, i) => ({ compiled: compiled[i], workgroups: p.workgroups, bind: p.bind }));
    return this.#run(call, buffers, ready, { writable: (i) => buffers[i].readInto !== undefined });
  }

  /** runProgram with the resident arrays' buffers in place; those it may write then hold the truth on the device. */
  async #run(call: string, buffers: readonly ProgramBuffer[], passes: readonly ProgramPass[], use: Parameters<ResidentSet['place']>[1]) {
    const placed = this.#resident.place(buffers, use);
    const t = await runProgram(this.#device, this.#pool, call, placed.buffers, passes, this.#race, this.#counters);
    this.#resident.wrote(placed.written);
    t.bytesUp += placed.uploaded;
    return t;
  }

  #dispatch(spec: GpuDispatch): Promise<GpuDispatchReport> {
    if (this.#stopped) throw this.#stopped;
    if (typeof spec !== 'object' || spec === null) throw new TypeError(messages.argType('executor.gpu.dispatch(spec): spec', 'an object { code, workgroups, bindings }', spec));
    const call = callName(spec.label);
    if (typeof spec.code !== 'string') throw new TypeError(messages.argType(`${call}: code`, 'a WGSL source string', spec.code));
    if (spec.entryPoint !== undefined && typeof spec.entryPoint !== 'string') throw new TypeError(messages.argType(`${call}: entryPoint`, 'a string', spec.entryPoint));
    const workgroups = workgroupsOf(call, spec.workgroups, this.limits.maxComputeWorkgroupsPerDimension);
    const { compiled, cached } = this.#pipelines.get(call, spec.code, spec.entryPoint);
    const race = this.#race;
    return (async () => {
      const t0 = performance.now();
      const c = await race(compiled);
      const t1 = performance.now();
      const bound = bindArrays(call, c.declared, spec.bindings, spec.read, this.limits, spec.upload);
      if (this.#stopped) throw this.#stopped;
      const buffers: ProgramBuffer[] = bound.map(({ decl, array, read }) => ({
        bytes: array.byteLength, uniform: decl.kind === 'uniform', upload: array, ...(read ? { readInto: array } : {}),
      }));
      const t = await this.#run(call, buffers, [{ compiled: c, workgroups, bind: bound.map((_, i) => i) }], {
        writable: (i) => bound[i].decl.kind === 'storage', sync: (i) => bound[i].sync, fresh: (i) => bound[i].fresh,
      });
      return Object.freeze({ compileMs: cached ? 0 : t1 - t0, ...t, totalMs: performance.now() - t0 });
    })();
  }

  #halt(why: Error): void {
    if (this.#stopped) return;
    this.#stopped = why;
    this.#reject(why);
    this.#resident.clear();
    this.#pool.clear();
    this.#pipelines.clear();
  }

  /** Waits for the dispatches in flight, then releases the device. */
  async close(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.destroy(new Error(messages.closedFor('executor.gpu.dispatch()')));
  }

  /** Releases the device now; dispatches in flight reject with `why`. */
  destroy(why: Error = new Error(messages.destroyed)): void {
    this.#halt(why);
    this.#device.destroy();
    this.#keepAlive.dispose();
  }

  /** @internal Test hook: destroys the device from outside, as a lost device would be. */
  _loseDevice(): void { this.#device.destroy(); }
}
