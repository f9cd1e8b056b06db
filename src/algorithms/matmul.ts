// The CPU twin of executor.gpu.matmul: the builtin that computes out (m×n) = a (m×k) · b (k×n), f32,
// row-major, in parallel over the rows of out. Each chunk of rows is one call of the Wasm SIMD kernel
// (assembly/kernels/matmul.ts: register-blocked 4×8, k and the columns cut so b's panel stays in cache),
// so every element is the f32 sum in k order of rounded products whatever the split; builtins.ts
// registers it and lets the calling thread take a share (it runs no user code). The public form is
// api-matmul.ts. Arguments: A = a, B = b, Out = out, X0 = m, X1 = n, X2 = k.
import { Arg } from './spec.js';
import { type Args, arr, theCore } from './job.js';
import { type Ctx, type OnePhase, NOTHING, onePhase } from './drive.js';

/**
 * Assumed time per multiply-add of the kernel, for choosing how many rows a chunk gets (no probe is
 * timed): about 0.1 ns at the 5–10 GFLOP/s one core reaches with 128-bit SIMD and no fused multiply-add.
 */
export const MATMUL_NS_PER_MAC = 0.1;

/** The plan: rows [0, m) are the items, each costing n·k multiply-adds. */
export function matmulPlan(args: Args): OnePhase {
  const a = arr(args, Arg.A), b = arr(args, Arg.B), out = arr(args, Arg.Out);
  const m = args[Arg.X0] as number, n = args[Arg.X1] as number, k = args[Arg.X2] as number;
  const pa = a.byteOffset, pb = b.byteOffset, po = out.byteOffset;
  return {
    n: n === 0 ? 0 : m, costNs: Math.max(MATMUL_NS_PER_MAC * n * k, 0.01), result: () => out,
    share: () => {
      const x = theCore().x;   // the core of the thread running the share (the caller binds its own)
      return { body: (lo, hi) => { x.kernelMatmul(po, pa, pb, n, k, lo, hi); }, partial: NOTHING };
    },
  };
}

export function matmul(this: Ctx, ...args: Args): unknown { return onePhase(this, matmul, args, matmulPlan(args)); }
