// Vite (`vite build`, or `node build.mjs vite` here): index.html → app.mjs. beatflow's worker and core.wasm need no entry here: the package
// starts its worker as `new Worker(new URL(…, import.meta.url), { type: 'module' })` and finds its core as
// `new URL(…, import.meta.url)`, which Vite bundles and emits by itself. Its worker entry awaits at the top
// level, so workers are bundled as ES modules; the headers make the page cross-origin isolated (threads).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default {
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
};
