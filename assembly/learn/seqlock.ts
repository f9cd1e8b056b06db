// A seqlock with a try-lock writer (assembly/README.md "Learners"). The word is even while the guarded
// state is stable and odd while one writer updates it. Writers never wait: a writer that finds the word
// odd, or loses the CAS, drops its update and the caller counts it (a learner loses one sample; a worker
// never spins behind another). Readers never block a writer: they copy the state between two loads of
// the word and retry when those differ or are odd.
//
// Ordering: every access to the word is a SC atomic. The writer's CAS (even → odd) precedes its stores of
// the state and its release store (odd → even + 2) follows them; a reader's two loads bracket its loads of
// the state. Where the guarded words are themselves loaded and stored atomically (Predictor), the single
// order of SC atomics alone proves a reader that saw the same even value twice saw no store of a writer in
// between. Where they are plain (LogitModel's SIMD weight arrays) the argument also needs the plain
// accesses to stay between the atomics, which V8 keeps (it compiles every Wasm atomic as a barrier to the
// compiler, and x86/ARM64 emit them as full fences on the store side).

/** Takes the seqlock at p if it is free: its even value, or -1 (busy; the caller drops its update). */
// @ts-ignore: decorator
@inline export function seqTryLock(p: usize): i64 {
  const s = atomic.load<u32>(p);
  if ((s & 1) != 0) return -1;
  return atomic.cmpxchg<u32>(p, s, s + 1) == s ? <i64>s : -1;
}

/** Releases the seqlock taken at value s (publishes the writer's stores). */
// @ts-ignore: decorator
@inline export function seqUnlock(p: usize, s: u32): void {
  atomic.store<u32>(p, s + 2);
}

/** A reader's first load: the even value to compare with after copying, or -1 while a writer holds it. */
// @ts-ignore: decorator
@inline export function seqBegin(p: usize): i64 {
  const s = atomic.load<u32>(p);
  return (s & 1) != 0 ? -1 : <i64>s;
}

/** A reader's second load: true when nothing was written since seqBegin returned s. */
// @ts-ignore: decorator
@inline export function seqValid(p: usize, s: i64): bool {
  return <i64>atomic.load<u32>(p) == s;
}

/** f64 atomic load and store through their bit patterns (Wasm atomics are integer-only). */
// @ts-ignore: decorator
@inline export function loadF64(p: usize): f64 { return reinterpret<f64>(atomic.load<i64>(p)); }
// @ts-ignore: decorator
@inline export function storeF64(p: usize, v: f64): void { atomic.store<i64>(p, reinterpret<i64>(v)); }
