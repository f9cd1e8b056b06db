// Online logistic regression: predict = sigmoid(w · x + b); SGD with momentum and L2 on the log loss.
// The model block (LogitModel in layout.ts) lives in shared memory; x is an f32[dim] anywhere in it.
//
// Step (classical momentum, Polyak 1964; L2 on the weights, not the bias):
//   g = sigmoid(w · x + b) − y
//   v ← μ v − lr (g x + λ w);   w ← w + v
//   vb ← μ vb − lr g;           b ← b + vb
// each a SIMD pass of vec.ts (scale, two axpys, one axpy), no allocation.
//
// Shared words: `seq` is a seqlock (seqlock.ts). An update takes it by CAS or is dropped (`dropped` is
// not bumped for that: logitUpdate returns -1 and the caller decides); the weights, velocities, bias and
// `updates` are plain, written only under it and published by its release store. A reader (logitPredict)
// copies nothing: it computes the dot product between its two loads of `seq` and retries if they differ.
// `dropped` is atomic (bumped outside the lock too). dim, lr, momentum and l2 are config (logitInit).
import { LogitModel } from "../layout";
import { vecDot, vecAxpy, vecScale, vecFinite } from "./vec";
import { seqTryLock, seqUnlock, seqBegin, seqValid } from "./seqlock";
import { expF32x4 } from "../kernels/approx";

const READ_TRIES: u32 = 64;

// @ts-ignore: decorator
@inline function weightsOf(m: usize): usize { return m + offsetof<LogitModel>(); }
// @ts-ignore: decorator
@inline function padded(dim: u32): usize { return ((<usize>dim << 2) + 15) & ~<usize>15; }
// @ts-ignore: decorator
@inline function velocityOf(m: usize, dim: u32): usize { return weightsOf(m) + padded(dim); }

/** Bytes of a model block of dim features. */
export function logitSize(dim: u32): usize { return offsetof<LogitModel>() + 2 * padded(dim); }

/** Owner of a fresh (zeroed) block, before sharing it: configuration; weights start at 0 (predict 0.5). */
export function logitInit(m: usize, dim: u32, lr: f32, momentum: f32, l2: f32): void {
  const h = changetype<LogitModel>(m);
  h.dim = dim; h.lr = lr; h.momentum = momentum; h.l2 = l2;
  h.bias = 0; h.biasV = 0; h.updates = 0;
  memory.fill(weightsOf(m), 0, 2 * padded(dim));
  atomic.store<u32>(m + offsetof<LogitModel>("dropped"), 0);
  atomic.store<u32>(m, 0);
}

function sigmoid(z: f32): f32 {
  // symmetric form: exp of a non-positive argument never overflows. The kernels' polynomial exp
  // (Mathf.exp would bring its tables in as a data segment, which the core must not have).
  const e = f32x4.extract_lane(expF32x4(f32x4.splat(-abs(z))), 0);
  return z >= 0 ? <f32>1 / (<f32>1 + e) : e / (<f32>1 + e);
}

/** Any thread: P(y = 1 | x), or -1 while writers kept the model busy (READ_TRIES attempts): never a torn value. */
export function logitPredict(m: usize, x: usize): f32 {
  const dim = changetype<LogitModel>(m).dim;
  for (let t: u32 = 0; t < READ_TRIES; t++) {
    const s = seqBegin(m);
    if (s < 0) continue;
    const z = vecDot(weightsOf(m), x, dim) + changetype<LogitModel>(m).bias;
    if (seqValid(m, s)) return sigmoid(z);
  }
  return -1;
}

/**
 * Any thread: one SGD step towards label y (0 or 1) for features x. 1 applied; 0 refused (x or y not
 * finite, or the step diverged: the model is then restored to what it was, and `dropped` counts it);
 * -1 another thread was updating (the step is skipped).
 */
export function logitUpdate(m: usize, x: usize, y: f32): i32 {
  const h = changetype<LogitModel>(m);
  const dim = h.dim;
  if (!(y >= 0 && y <= 1) || !vecFinite(x, dim)) { atomic.add<u32>(m + offsetof<LogitModel>("dropped"), 1); return 0; }
  const s = seqTryLock(m);
  if (s < 0) return -1;
  const w = weightsOf(m), v = velocityOf(m, dim);
  const g = sigmoid(vecDot(w, x, dim) + h.bias) - y;
  const lr = h.lr, mu = h.momentum;
  vecScale(mu, v, dim);
  vecAxpy(-lr * g, x, v, dim);
  vecAxpy(-lr * h.l2, w, v, dim);
  vecAxpy(1, v, w, dim);
  const bv = mu * h.biasV - lr * g;
  if (!vecFinite(w, dim) || !isFinite(h.bias + bv)) {
    // diverged: undo (w − v is the old w up to rounding; the velocity restarts) and refuse the step
    vecAxpy(-1, v, w, dim);
    memory.fill(v, 0, <usize>dim << 2);
    if (!vecFinite(w, dim)) memory.fill(w, 0, <usize>dim << 2);
    h.biasV = 0;
    seqUnlock(m, <u32>s);
    atomic.add<u32>(m + offsetof<LogitModel>("dropped"), 1);
    return 0;
  }
  h.biasV = bv;
  h.bias += bv;
  h.updates++;
  seqUnlock(m, <u32>s);
  return 1;
}
