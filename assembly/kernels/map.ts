// Elementwise map: out[i] = op(a[i], b[i], c[i]; s0, s1) for i in [begin, end), one call per range.
//
// One loop per (op, dtype): kernelMap dispatches on the dtype, mapOf<T> on the op, to mapLoop<T, O> with
// the operation's class from ops.ts, so each loop has its expression inlined and no test on the op. The loop takes 16 bytes of every array per step
// (v128.load / v128.store, unaligned allowed) and finishes the last < 16 bytes one element at a time
// through the same vector code (the element splatted into a vector, lane 0 stored), so the tail computes
// exactly what the body would.
//
// Plain loads and stores only: the caller owns [begin, end) of `out` for the duration of the call, and
// whatever hands the range to another thread (a task's retire, a queue push) publishes the writes.
// `out` may be the same array as an input (each step loads before it stores), not a partly overlapping one.
import { F32, F64, I32, U32, COPY, ADD, SUB, MUL, DIV, FMA, SCALE, AXPY, OFFSET, ABS, NEG, MIN, MAX, CLAMP,
  SQRT, EXP, LOG } from "./codes";
import { Copy, Add, Sub, Mul, Div, Fma, Scale, Axpy, Offset, Abs, Neg, Min, Max, Clamp, Sqrt, Exp, Log } from "./ops";

// @ts-ignore: decorator
@inline function load1<T>(p: usize): v128 { return v128.splat<T>(load<T>(p)); }

function mapLoop<T, O>(out: usize, a: usize, b: usize, c: usize, s0: f64, s1: f64, begin: u32, end: u32): void {
  const o = changetype<O>(0); // a zero-size class: only its inlined methods are used
  const n = o.arity();
  const vs0 = v128.splat<T>(<T>s0);
  const vs1 = v128.splat<T>(<T>s1);
  const zero = v128.splat<T>(<T>0);
  let off = <usize>begin * sizeof<T>();
  const stop = <usize>end * sizeof<T>();
  // body: 16 bytes of each array per step
  while (off + 16 <= stop) {
    const va = v128.load(a + off);
    const vb = n >= 2 ? v128.load(b + off) : zero;
    const vc = n >= 3 ? v128.load(c + off) : zero;
    v128.store(out + off, o.apply<T>(va, vb, vc, vs0, vs1));
    off += 16;
  }
  // tail: one element at a time through the same vector step
  while (off < stop) {
    const va = load1<T>(a + off);
    const vb = n >= 2 ? load1<T>(b + off) : zero;
    const vc = n >= 3 ? load1<T>(c + off) : zero;
    store<T>(out + off, v128.extract_lane<T>(o.apply<T>(va, vb, vc, vs0, vs1), 0));
    off += sizeof<T>();
  }
}

// @ts-ignore: decorator
@inline function mapOf<T>(op: i32, out: usize, a: usize, b: usize, c: usize, s0: f64, s1: f64, begin: u32, end: u32): void {
  switch (op) {
    case COPY: mapLoop<T, Copy>(out, a, b, c, s0, s1, begin, end); return;
    case ADD: mapLoop<T, Add>(out, a, b, c, s0, s1, begin, end); return;
    case SUB: mapLoop<T, Sub>(out, a, b, c, s0, s1, begin, end); return;
    case MUL: mapLoop<T, Mul>(out, a, b, c, s0, s1, begin, end); return;
    case FMA: mapLoop<T, Fma>(out, a, b, c, s0, s1, begin, end); return;
    case SCALE: mapLoop<T, Scale>(out, a, b, c, s0, s1, begin, end); return;
    case AXPY: mapLoop<T, Axpy>(out, a, b, c, s0, s1, begin, end); return;
    case OFFSET: mapLoop<T, Offset>(out, a, b, c, s0, s1, begin, end); return;
    case ABS: mapLoop<T, Abs>(out, a, b, c, s0, s1, begin, end); return;
    case NEG: mapLoop<T, Neg>(out, a, b, c, s0, s1, begin, end); return;
    case MIN: mapLoop<T, Min>(out, a, b, c, s0, s1, begin, end); return;
    case MAX: mapLoop<T, Max>(out, a, b, c, s0, s1, begin, end); return;
    case CLAMP: mapLoop<T, Clamp>(out, a, b, c, s0, s1, begin, end); return;
  }
  if (isFloat<T>()) {
    switch (op) {
      case DIV: mapLoop<T, Div>(out, a, b, c, s0, s1, begin, end); return;
      case SQRT: mapLoop<T, Sqrt>(out, a, b, c, s0, s1, begin, end); return;
      case EXP: mapLoop<T, Exp>(out, a, b, c, s0, s1, begin, end); return;
      case LOG: mapLoop<T, Log>(out, a, b, c, s0, s1, begin, end); return;
    }
  }
  unreachable(); // the host's checkKernel refuses every other (op, dtype)
}

/**
 * out[i] = op(a[i], b[i], c[i]; s0, s1) for i in [begin, end). Pointers are byte addresses of element 0;
 * unused inputs and scalars are ignored. Integer arithmetic wraps (two's complement, 32 bits). Scalars
 * arrive as f64 and are converted to the element type (rounded to f32; integers checked by the host).
 * Any thread, on a range no other thread writes meanwhile.
 */
export function kernelMap(op: i32, dtype: i32, out: usize, a: usize, b: usize, c: usize, s0: f64, s1: f64, begin: u32, end: u32): void {
  if (dtype == F32) mapOf<f32>(op, out, a, b, c, s0, s1, begin, end);
  else if (dtype == F64) mapOf<f64>(op, out, a, b, c, s0, s1, begin, end);
  else if (dtype == I32) mapOf<i32>(op, out, a, b, c, s0, s1, begin, end);
  else if (dtype == U32) mapOf<u32>(op, out, a, b, c, s0, s1, begin, end);
  else unreachable();
}
