// matmul(executor, a, b, out, m, n, k, options): out (m×n) = a (m×k) · b (k×n), f32, row-major, in both
// forms (call.ts). On the CPU (device: 'cpu', the default) the Wasm SIMD kernel runs over chunks of rows
// on the workers and the calling thread (matmul.ts); device: 'gpu' runs executor.gpu.matmul's tiled
// kernel, 'auto' asks the placement policy. Both sum each element in k order in f32: docs/gpu.md states
// how far apart they may be.
import { Arg } from './spec.js';
import { matmulGpu } from './device.js';
import { overlaps } from './api.js';
import { messages } from '../errors.js';
import { type PartitionOptions, call, array, algorithm } from './call.js';

/**
 * out = a · b for row-major f32 matrices a (m×k), b (k×n), out (m×n): three executor.shared()
 * Float32Arrays of m·k, k·n and m·n elements, out overlapping neither input. m or n = 0 touches nothing;
 * k = 0 writes zeros. Resolves with out.
 * @example await matmul(executor, a, b, out, 64, 64, 64);
 */
export const matmul = algorithm<[a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number, options?: PartitionOptions], Float32Array>(
  (a, b, out, m, n, k, o) => {
    const c = call('matmul', 'matmul(executor, a, b, out, m, n, k, options)', o);
    for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(messages.argType(`${c.what}: ${name}`, 'an integer ≥ 0', v));
    }
    const arrays = ([['a', a, m * k, 'm·k'], ['b', b, k * n, 'k·n'], ['out', out, m * n, 'm·n']] as const).map(([name, v, want, dims]) => {
      const x = array(c, v, name);
      if (!(x instanceof Float32Array)) throw new TypeError(messages.argType(`${c.what}: ${name}`, 'a Float32Array', x));
      if (x.length !== want) throw new RangeError(messages.gpuMatmulLength(c.what, name, x.length, dims, want));
      return x;
    });
    const [x, y, z] = arrays as Float32Array[];
    for (const [v, l] of [[x, 'a'], [y, 'b']] as const) if (z.length > 0 && overlaps(z, v)) throw new RangeError(messages.matmulOverlap(c.what, l));
    c.args[Arg.A] = x; c.args[Arg.B] = y; c.args[Arg.Out] = z;
    c.args[Arg.X0] = m; c.args[Arg.X1] = n; c.args[Arg.X2] = k;
    if (c.device !== 'cpu') c.gpu = matmulGpu(x, y, z, m, n, k);
    c.result = () => z;
    return c;
  });
