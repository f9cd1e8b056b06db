// Messages about the GPU lane and its built-in kernels, and device placement (src/gpu/, src/policy/placement.ts). Part of the one table, src/messages.ts `messages`.
import { describe } from './describe.js';

export const gpuMessages = {
  // ---- the GPU lane (src/gpu/) ----
  /** Reasons executor.gpu gives for having no device (one line each, no prefix: they are quoted in other messages). */
  gpuNotRequested: 'no GPU was asked for: pass Executor.create({ gpu: true })',
  gpuNoPackage: (pkg: string, version: string) =>
    `the optional package '${pkg}' is not installed (npm install ${pkg}@${version}); GPU work is unavailable and the CPU runs everything`,
  gpuLoadFailed: (pkg: string, message: string) => `the package '${pkg}' failed to load: ${message}`,
  gpuNoAdapter: (tried: readonly string[]) => `no WebGPU adapter (${tried.join('; ') || 'nothing to try'})`,
  gpuUnavailable: (call: string, reason: string) => `beatflow: ${call}: no GPU device: ${reason}`,
  gpuShader: (call: string, errors: readonly { line: number; column: number; message: string }[]) =>
    `beatflow: ${call}: the WGSL did not compile: ${errors.map((e) => `line ${e.line}:${e.column}: ${e.message}`).join('; ')}`,
  gpuPipeline: (call: string, message: string) => `beatflow: ${call}: the compute pipeline was refused: ${message}`,
  gpuValidation: (call: string, message: string) => `beatflow: ${call}: the device refused the dispatch: ${message}`,
  gpuLost: (reason: string, message: string) =>
    `beatflow: the GPU device was lost (${reason}${message ? `: ${message}` : ''}): GPU work in flight did not finish and no more is accepted`,
  gpuBindingUnknown: (call: string, name: string, declared: readonly string[]) =>
    `beatflow: ${call}: bindings.${name} is not declared by the WGSL (it declares: ${declared.join(', ') || 'no bindings'})`,
  gpuBindingMissing: (call: string, name: string, kind: string) =>
    `beatflow: ${call}: bindings.${name} is missing: the WGSL declares '${name}' (${kind}), so it must be bound`,
  gpuBindingType: (call: string, name: string, expected: string, got: unknown) =>
    `beatflow: ${call}: bindings.${name} must be ${expected} (got ${describe(got)})`,
  gpuBindingTooBig: (call: string, name: string, bytes: number, max: number, limit: string) =>
    `beatflow: ${call}: bindings.${name} is ${bytes} bytes, more than the device binds at once (${limit} = ${max})`,
  gpuReadName: (call: string, name: unknown, why: string) =>
    `beatflow: ${call}: read lists ${describe(name)}, which is ${why}: only var<storage, read_write> bindings are read back`,
  gpuUploadName: (call: string, name: unknown, why: string) =>
    `beatflow: ${call}: upload lists ${describe(name)}, which is ${why}: only storage bindings are uploaded`,
  gpuTuningVersion: (what: string, got: unknown, want: number) =>
    `beatflow: ${what}: tuning.version is ${describe(got)}, but this beatflow reads version ${want}: tune again and store the new record`,
  gpuTuningFileIgnored: (path: string, why: string) =>
    `beatflow: the GPU tuning file ${path} was not used (${why}); the next autotune writes it again`,
  gpuTuningFileUnwritten: (path: string, why: string) =>
    `beatflow: the GPU tuning file ${path} could not be written (${why}); the next run tunes again`,
  gpuTuningDirNoFiles: (platform: string) =>
    `beatflow: options.gpu.tuningDir needs a file system, which ${platform} does not give: store executor.gpu.tuning() yourself and pass it to executor.gpu.useTuning()`,

  // ---- built-in GPU kernels and device placement (src/gpu/kernels/, src/policy/placement.ts) ----
  /** Why a call has no GPU kernel (phrases, quoted in gpuNoKernel). */
  gpuKernelDtype: (ctor: string) =>
    `no GPU kernel takes ${ctor} (only Float32Array, Int32Array and Uint32Array: WGSL has no f64 and no 8- or 16-bit storage)`,
  gpuKernelMixed: (ctors: readonly string[]) => `the GPU kernels take arrays of one type (got ${ctors.join(', ')})`,
  gpuKernelFloatOnly: (op: string, ctor: string) => `the GPU kernel of '${op}' takes Float32Array only (got ${ctor})`,
  gpuKernelScalars: (op: string, scalars: readonly number[], dtype: string) => `the scalars of '${op}' (${scalars.join(', ')}) are not ${dtype} values`,
  gpuKernelClamp: (s0: number, s1: number) => `'clamp' needs s0 <= s1 on the GPU (got ${s0}, ${s1})`,
  gpuKernelInit: (init: number, dtype: string) => `the init value ${init} is not a ${dtype} value`,
  gpuKernelNone: 'only transform, reduce, transformReduce and the scans with a built-in op, and sort without a comparator, have GPU kernels (a callback, a comparator, find and the others run on the CPU)',
  gpuNoKernel: (call: string, why: string) => `beatflow: ${call}: device 'gpu': ${why}; use device: 'cpu' or 'auto'`,
  gpuTooBig: (call: string, name: string, bytes: number, max: number) =>
    `beatflow: ${call}: ${name} is ${bytes} bytes, more than the GPU binds at once (maxStorageBufferBindingSize = ${max}); use device: 'cpu' or 'auto'`,
  gpuSortTooBig: (call: string, bytes: number, padded: number, max: number) =>
    `beatflow: ${call}: array is ${bytes} bytes; the GPU sort pads it to a power of two, ${padded} bytes, more than the GPU binds at once (maxStorageBufferBindingSize = ${max}); use device: 'cpu' or 'auto'`,
  gpuMatmulLength: (call: string, name: string, length: number, dims: string, want: number) =>
    `beatflow: ${call}: ${name} has ${length} elements, but ${dims} = ${want}`,
  matmulOverlap: (call: string, name: string) =>
    `beatflow: ${call}: out overlaps ${name}: the product reads ${name} while it writes out, so give out memory of its own`,
  gpuMatmulGrid: (call: string, m: number, n: number, tile: number, max: number) =>
    `beatflow: ${call}: a ${m}×${n} result needs more than ${max} workgroups of ${tile}×${tile} along one dimension (maxComputeWorkgroupsPerDimension)`,
  gpuMatmulNoShape: (limits: string) => `beatflow: executor.gpu.matmul(): no matmul kernel shape fits this device's limits (${limits})`,
  gpuNotResident: (call: string, got: unknown) =>
    `beatflow: ${call}: the array is not resident (got ${describe(got)}); executor.gpu.resident(array) keeps one on the device`,
  gpuTaskBinding: (call: string, name: string) =>
    `beatflow: ${call}: bindings.${name} must be an executor.shared() array: a graph task's arguments are copied to its worker, so the results would not come back`,
  deviceInGraph: (call: string, device: unknown) =>
    `beatflow: ${call}: options.device ${describe(device)} is for the direct form; a graph task runs on the CPU workers (device: 'cpu')`,
  parallelInGraph: (call: string, parallel: unknown) =>
    `beatflow: ${call}: options.parallel ${describe(parallel)} is for the direct form; a graph task is driven by a worker, which picks its helpers (leave parallel out)`,
} as const;
