// The numbers that name a kernel across the Wasm boundary: element types and operations.
// src/kernels.ts holds the same tables keyed by name (DTYPE_CODE, MAP_CODE, REDUCE_CODE); a mismatch
// would run the wrong operation, which test/kernels.test.mjs catches (every op × dtype against a JS
// reference). Appending is safe; renumbering needs both files.

// Element types (desc.dtype).
export const F32: i32 = 0;
export const F64: i32 = 1;
export const I32: i32 = 2;
export const U32: i32 = 3;

// Elementwise map operations (desc.op of kind 'map'). a, b, c are the input arrays; s0, s1 the scalars.
export const COPY: i32 = 0;    // a
export const ADD: i32 = 1;     // a + b
export const SUB: i32 = 2;     // a - b
export const MUL: i32 = 3;     // a * b
export const DIV: i32 = 4;     // a / b            (f32, f64)
export const FMA: i32 = 5;     // a * b + c        (two roundings: Wasm SIMD has no fused multiply-add)
export const SCALE: i32 = 6;   // a * s0
export const AXPY: i32 = 7;    // s0 * a + b
export const OFFSET: i32 = 8;  // a + s0
export const ABS: i32 = 9;     // |a|
export const NEG: i32 = 10;    // -a
export const MIN: i32 = 11;    // min(a, b), NaN propagates
export const MAX: i32 = 12;    // max(a, b), NaN propagates
export const CLAMP: i32 = 13;  // min(max(a, s0), s1)
export const SQRT: i32 = 14;   // √a               (f32, f64)
export const EXP: i32 = 15;    // e^a, approx.ts   (f32, f64)
export const LOG: i32 = 16;    // ln a, approx.ts  (f32, f64)

// Reductions (desc.op of kind 'reduce').
export const R_SUM: i32 = 0;
export const R_MIN: i32 = 1;
export const R_MAX: i32 = 2;
export const R_DOT: i32 = 3;   // Σ a·b

