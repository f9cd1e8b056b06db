// Builds examples/bundlers with Vite and webpack through their JS APIs, from the configs beside this file:
// `node build.mjs vite|webpack [outdir]`. Vite writes a page (index.html and assets/); webpack writes
// web/main.js for a page and node/main.js for Node.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * `vite build` with vite.config.mjs into `outDir`; `extra`: more inline config (a customLogger, or the root
 * of a copy of this folder). The Rolldown output.
 */
export async function viteBuild(outDir = here('./dist-vite/'), extra = {}) {
  const { build } = await import('vite');
  return build({ root: here('.'), configFile: here('./vite.config.mjs'), logLevel: 'warn', ...extra, build: { outDir, emptyOutDir: true } });
}

/** webpack with webpack.config.mjs, each target's output under `outDir/<target>/`; the stats (errors and warnings). */
export async function webpackBuild(outDir = here('./dist-webpack/'), extra = {}) {
  const { default: webpack } = await import('webpack');
  const { default: configs } = await import('./webpack.config.mjs');
  const all = configs.map((c) => ({ ...c, ...extra, output: { ...c.output, path: join(outDir, c.target) } }));
  return new Promise((resolve, reject) => webpack(all, (e, stats) => (e ? reject(e) : resolve(stats))));
}

if (process.argv[1] === here('./build.mjs')) {
  const [, , which = 'vite', outDir] = process.argv;
  if (which === 'vite') await viteBuild(outDir);
  else {
    const stats = await webpackBuild(outDir);
    console.log(stats.toString({ colors: false, modules: false }));
    if (stats.hasErrors()) process.exitCode = 1;
  }
}
