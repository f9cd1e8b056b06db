// The one-phase builtins that write an output array without reading a neighbour: fill and fillN (a value),
// generate and generateN (a callback per index), and the parallel merge of two sorted arrays (each output
// chunk finds its share of both inputs with corank, merge.ts). builtins.ts registers them.
import { Arg } from './spec.js';
import { type Args, arr, fn, isCallback, rangeFn } from './job.js';
import { type Ctx, type OnePhase, NOTHING, onePhase } from './drive.js';
import { KERNEL_NS_PER_ITEM } from './kernels.js';
import { cmpLess, corank, floatLess, intLess, isFloat, mergeTwo, type NumArray } from './merge.js';

// ---- fill, generate: array[0, count) (X1 holds count) ----

function fillPlan(args: Args): OnePhase {
  const a = arr(args, Arg.A), v = args[Arg.X0] as number;
  return { n: args[Arg.X1] as number, costNs: KERNEL_NS_PER_ITEM, share: () => ({ body: (lo, hi) => { a.fill(v, lo, hi); }, partial: NOTHING }), result: () => a };
}
export function fill(this: Ctx, ...args: Args): unknown { return onePhase(this, fill, args, fillPlan(args)); }

function generatePlan(args: Args): OnePhase {
  const a = arr(args, Arg.A);
  return {
    n: args[Arg.X1] as number, costNs: 0, result: () => a,
    share: () => {
      const gen = rangeFn(args);
      return { body: (lo, hi) => { for (let i = lo; i < hi; i++) a[i] = gen(i) as number; }, partial: NOTHING };
    },
  };
}
export function generate(this: Ctx, ...args: Args): unknown { return onePhase(this, generate, args, generatePlan(args)); }

// ---- merge: out = the stable merge of sorted a and b ----

function mergePlan(args: Args): OnePhase {
  const x = arr(args, Arg.A), y = args[Arg.B] as NumArray, out = arr(args, Arg.Out);
  const m = x.length, l = y.length;
  return {
    n: out.length, costNs: isCallback(args) ? 0 : KERNEL_NS_PER_ITEM, result: () => out,
    share: () => {
      const less = isCallback(args) ? cmpLess(fn(args, Arg.F1) as (p: number, q: number) => number) : isFloat(x) || isFloat(y) ? floatLess : intLess;
      return {
        body: (lo, hi) => {
          const i0 = corank(lo, x, 0, m, y, 0, l, less), i1 = corank(hi, x, 0, m, y, 0, l, less);
          mergeTwo(x, i0, i1, y, lo - i0, hi - i1, out, lo, less);
        },
        partial: NOTHING,
      };
    },
  };
}
export function merge(this: Ctx, ...args: Args): unknown { return onePhase(this, merge, args, mergePlan(args)); }

/** The plans of these builtins whose chunks run no user code, for the calling thread's share (caller.ts). */
export function fillCallerPlan(name: string, args: Args): OnePhase | undefined {
  if (name === 'fill') return fillPlan(args);
  if (name === 'merge' && !isCallback(args)) return mergePlan(args);
  return undefined;
}
