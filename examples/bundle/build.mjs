// Bundles examples/bundle/app.js with esbuild for `platform` ('node' or 'browser') into `outdir`: three
// entry points (the program, its task module, beatflow's worker entry) sharing chunks, so the host and
// the workers name the same task functions; the core's bytes inlined by the binary loader. For Node,
// a package.json beside the chunks says they are ES modules. `node build.mjs node|browser [outdir]`;
// default: dist-<platform>/.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export async function bundle(platform, outdir = here(`./dist-${platform}/`)) {
  await build({
    entryPoints: { app: here('./app.js'), tasks: here('../tasks.mjs'), 'beatflow-worker': 'beatflow/worker' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform,
    target: platform === 'node' ? 'node20' : 'es2022',
    loader: { '.wasm': 'binary' },
    logLevel: 'warning',
  });
  if (platform === 'node') writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  return outdir;
}

if (process.argv[1] === here('./build.mjs')) await bundle(process.argv[2] ?? 'node', process.argv[3]);
