// Messages about the parallel algorithms, index ranges and the SIMD kernels, on the host and in workers. Part of the one table, src/messages.ts `messages`.
import { describe } from './describe.js';

export const algorithmsMessages = {
  // ---- algorithms ----
  algoCallback: (what: string, label: string, got: unknown) =>
    `beatflow: ${what}: ${label} must be a function (a task-module export or a self-contained function; got ${describe(got)})`,
  algoArray: (what: string, label: string, ctors: readonly string[], got: unknown) =>
    `beatflow: ${what}: ${label} must be a typed array from executor.shared() (${ctors.join(', ')}; got ${describe(got)})`,
  algoLengths: (what: string, label: string, n: number, label0: string, n0: number) =>
    `beatflow: ${what}: ${label} has ${n} elements but ${label0} has ${n0}: they must be equal`,
  algoInputs: (what: string, most: number, got: number) =>
    `beatflow: ${what}: input must be an array or a list of 1 to ${most} arrays (got a list of ${got})`,
  algoOp: (what: string, form: string, names: readonly string[], got: unknown) =>
    `beatflow: ${what}: the operation must be ${form} or one of ${names.map((x) => `'${x}'`).join(', ')} (got ${describe(got)})`,
  algoArity: (what: string, op: string, n: number, got: number) =>
    `beatflow: ${what}: '${op}' takes ${n} input array${n > 1 ? 's' : ''} (got ${got})`,
  algoScalars: (what: string, op: string, s0: unknown, s1: unknown) =>
    `beatflow: ${what}: { op: '${op}', s0, s1 }: s0 and s1 must be numbers (got s0 ${describe(s0)}, s1 ${describe(s1)})`,
  algoMergeLength: (what: string, out: number, a: number, b: number) =>
    `beatflow: ${what}: out has ${out} elements but a and b have ${a} + ${b} = ${a + b}: they must be equal`,
  algoOverlap: (what: string, label: string) =>
    `beatflow: ${what}: out overlaps ${label}: the merge reads ${label} while it writes out, so give out memory of its own`,

  // ---- index ranges (algorithms/index-range.ts) ----
  rangeNumbers: (what: string, got: number) =>
    `beatflow: ${what}: a 1-D range takes exactly three numbers, begin, end and step (got ${got} arguments); ` +
    'for 2-D and 3-D pass one [begin, end, step] array per dimension',
  rangeRank: (what: string, got: number) =>
    `beatflow: ${what}: a range has 1, 2 or 3 dimensions, one [begin, end, step] array each (got ${got})`,
  rangeDimRank: (what: string, d: number, rank: number) =>
    `beatflow: ${what}: dim${d} must be a [begin, end, step] array or a 1-D IndexRange (got a ${rank}-D IndexRange)`,
  rangeDirection: (what: string, label: string, begin: number, end: number, step: number) =>
    `beatflow: ${what}: ${label}step ${step} never reaches ${label}end ${end} from ${label}begin ${begin}: ` +
    'a range counting up (begin < end) needs a positive step, one counting down a negative step',
  rangeUnsafe: (what: string, label: string, begin: number, end: number, step: number) =>
    `beatflow: ${what}: ${label}[${begin}, ${end}) by ${step} reaches past Number.MAX_SAFE_INTEGER: use smaller bounds or step`,
  rangeOneD: (method: string, rank: number) =>
    `beatflow: IndexRange.${method} is for 1-D ranges (this one has ${rank} dimensions): use range.dim(d), which is [begin, end, step]`,
  rangeTooLarge: (what: string, n: number, most: number) =>
    `beatflow: ${what}: range has ${n} elements, more than one call takes (${most}): split it into several calls`,
  adoptView: (ctors: readonly string[], got: unknown) =>
    `beatflow: adopt(executor, view): view must be one of ${ctors.join(', ')} (a view on your SharedArrayBuffer or ` +
    `ArrayBuffer; got ${describe(got)})`,
  adoptReleased: (what: string) =>
    `beatflow: adopted.${what}(): the adopted array was released (adopted.release() was called): adopt the view again to use it`,

  // ---- kernels (src/kernels.ts) ----
  kernelField: (field: string, expected: string, got: unknown) =>
    `beatflow: kernel ${field} must be ${expected} (got ${describe(got)})`,
  kernelFloatOnly: (op: string, dtype: string) =>
    `beatflow: kernel desc.op '${op}' is defined for dtype 'f32' and 'f64' only (got dtype '${dtype}'): convert the data to a float array first`,
  kernelScalars: (op: string, n: number, got: unknown) =>
    `beatflow: kernel desc.scalars must hold exactly ${n} number${n === 1 ? '' : 's'} for op '${op}' (got ${describe(got)})`,
  kernelClampOrder: (lo: number, hi: number) =>
    `beatflow: kernel desc.scalars of 'clamp' must be [lo, hi] with lo ≤ hi (got [${lo}, ${hi}])`,
  kernelKind: (fn: string, want: string, got: string) => `beatflow: ${fn}() takes a '${want}' kernel (got kind '${got}')`,
  kernelInputs: (fn: string, op: string, n: number, got: unknown) =>
    `beatflow: ${fn}(): op '${op}' reads ${n} input array${n === 1 ? '' : 's'}: pass ${n} pointer${n === 1 ? '' : 's'} in inputs (got ${describe(got)})`,
  kernelRange: (fn: string, begin: unknown, end: unknown) =>
    `beatflow: ${fn}(): begin and end must be integers with 0 ≤ begin ≤ end < 2^31 (got begin ${describe(begin)}, end ${describe(end)})`,
  kernelPointer: (fn: string, name: string, got: unknown) =>
    `beatflow: ${fn}(): ${name} must be a byte offset in the shared memory, a non-negative integer (got ${describe(got)})`,
  kernelOutside: (fn: string, name: string, last: number, size: number) =>
    `beatflow: ${fn}(): ${name} up to the range's end reaches byte ${last}, past the shared memory's ${size} bytes: ` +
    `pass the byteOffset of an array in the executor's shared memory and a range within its length`,
  kernelCarry: (dtype: string, got: unknown) =>
    `beatflow: scanChunk(): carry must be ${dtype === 'i32' ? 'an i32 integer' : dtype === 'u32' ? 'a u32 integer' : 'a number'} for dtype '${dtype}' (got ${describe(got)})`,

  // ---- algorithms (workers) ----
  algorithmsUnbound: 'beatflow: algorithm tasks run only in executor workers (their builtin module was not bound)',
  algorithmArraysNotShared:
    'beatflow: the arrays of a parallel algorithm must live in the executor\'s shared memory: ' +
    'allocate them with executor.shared(Type, n) (or adopt() a SharedArrayBuffer view)',
  capturedInCallback: (variable: string) =>
    `${variable} is not defined in the worker: an inline callback cannot use variables from the scope it was ` +
    `written in (it is sent to the workers as source). Pass the value in options.args (it arrives after the ` +
    `callback's own arguments), or export the callback from the task module`,
} as const;
