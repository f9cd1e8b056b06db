// The elementwise expression set, one zero-size class per operation. map.ts instantiates its loop once
// per (operation, element type) with the class as a type argument, so every loop is compiled with its
// expression inlined and no test on the operation inside. (A plain `op` argument folded by inlining does
// not survive: binaryen merges the near-identical loops back into one that tests the op per step.)
// `apply` works on one vector of lanes of T; `arity` is how many input arrays the loop must load.
import { expF32x4, expF64x2, logF32x4, logF64x2 } from "./approx";

// @ts-ignore: decorator
@unmanaged export class Copy {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return a; }
}
// @ts-ignore: decorator
@unmanaged export class Add {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.add<T>(a, b); }
}
// @ts-ignore: decorator
@unmanaged export class Sub {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.sub<T>(a, b); }
}
// @ts-ignore: decorator
@unmanaged export class Mul {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.mul<T>(a, b); }
}
/** Floats only. */
// @ts-ignore: decorator
@unmanaged export class Div {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.div<T>(a, b); }
}
/** a·b + c with two roundings: Wasm SIMD (without relaxed-simd) has no fused multiply-add. */
// @ts-ignore: decorator
@unmanaged export class Fma {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 3; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.add<T>(v128.mul<T>(a, b), c); }
}
// @ts-ignore: decorator
@unmanaged export class Scale {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.mul<T>(a, s0); }
}
// @ts-ignore: decorator
@unmanaged export class Axpy {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.add<T>(v128.mul<T>(s0, a), b); }
}
// @ts-ignore: decorator
@unmanaged export class Offset {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.add<T>(a, s0); }
}
/** Floats clear the sign bit (abs(-0) = +0, NaN stays NaN); i32 wraps (abs(-2^31) = -2^31); u32 is unchanged. */
// @ts-ignore: decorator
@unmanaged export class Abs {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 {
    if (isFloat<T>()) return v128.abs<T>(a);
    if (isSigned<T>()) return i32x4.abs(a);
    return a;
  }
}
// @ts-ignore: decorator
@unmanaged export class Neg {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.neg<T>(a); }
}
/** Floats: NaN if either is NaN, and −0 < +0 (Wasm fmin, the same as Math.min). */
// @ts-ignore: decorator
@unmanaged export class Min {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.min<T>(a, b); }
}
// @ts-ignore: decorator
@unmanaged export class Max {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 2; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.max<T>(a, b); }
}
/** min(max(a, s0), s1): NaN stays NaN. */
// @ts-ignore: decorator
@unmanaged export class Clamp {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.min<T>(v128.max<T>(a, s0), s1); }
}
/** Floats only; correctly rounded (Wasm sqrt). */
// @ts-ignore: decorator
@unmanaged export class Sqrt {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 { return v128.sqrt<T>(a); }
}
/** Floats only; approx.ts. */
// @ts-ignore: decorator
@unmanaged export class Exp {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 {
    return sizeof<T>() == 4 ? expF32x4(a) : expF64x2(a);
  }
}
/** Floats only; approx.ts. */
// @ts-ignore: decorator
@unmanaged export class Log {
  // @ts-ignore: decorator
  @inline arity(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline apply<T>(a: v128, b: v128, c: v128, s0: v128, s1: v128): v128 {
    return sizeof<T>() == 4 ? logF32x4(a) : logF64x2(a);
  }
}
