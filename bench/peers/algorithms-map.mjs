// piscina task for bench/algorithms.mjs: the same chunked map as beatflow's callback case, on plain
// SharedArrayBuffers passed with each chunk (out[i] = 2·a[i] + b[i] for i in [lo, hi)).
export default function mapChunk({ a, b, out, lo, hi }) {
  const x = new Float32Array(a), y = new Float32Array(b), o = new Float32Array(out);
  for (let i = lo; i < hi; i++) o[i] = 2 * x[i] + y[i];
  return hi - lo;
}
