// Bundles the workerd example as wrangler would: esbuild with the `workerd` export condition first (so
// 'beatflow' resolves to its workerd entry), and the core copied beside the bundle, still imported as
// './core.wasm', which config.capnp embeds as a wasm module. `node build.mjs [outdir]`; default: dist/.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export async function bundle(outdir = fileURLToPath(new URL('./dist/', import.meta.url))) {
  await build({
    entryPoints: [fileURLToPath(new URL('./worker.js', import.meta.url))],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    loader: { '.wasm': 'copy' },
    assetNames: '[name]',
    logLevel: 'warning',
  });
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle(process.argv[2]);
