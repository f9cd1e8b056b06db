// The webpack lane: examples/bundlers built once with webpack 5 through its JS API and the example's own
// webpack.config.js (a browser build and a Node build), run in Node from a folder outside the repository
// (no node_modules to fall back on) and in headless Chromium on a cross-origin isolated page served from
// the browser build's folder alone. Nothing names beatflow's files: webpack follows the package's own
// `new Worker(new URL(…, import.meta.url))` and `new URL('…core.wasm', import.meta.url)`. The one change
// from the config: no minifier (terser takes a minute on a loaded 2-core machine; the minified bundles run
// the same, as `node examples/bundlers/build.mjs webpack` shows).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webpackBuild } from '../examples/bundlers/build.mjs';
import { requireBrowser } from './helpers/browser.mjs';
import { within } from './helpers/executor.mjs';
import { CAPTURE, runInNode, runOnIsolatedPage } from './helpers/bundled-app.mjs';

const W = suite('a webpack build of examples/bundlers');

W.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-webpack-lane-'));
  ctx.stats = await within(webpackBuild(ctx.dir, { optimization: { minimize: false } }), 40_000, 'webpack');
});
W.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.server?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

W('both builds end without an error or a warning, each with the core as an asset', ({ dir, stats }) => {
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  assert.equal([...errors, ...warnings].map((e) => e.message), []);
  for (const target of ['web', 'node']) {
    assert.ok(readdirSync(join(dir, target)).some((f) => f.endsWith('.wasm')), `${target}: no .wasm asset`);
  }
});

W('in Node: the program runs with its bundled worker threads', ({ dir }) => runInNode('lane webpack, node', join(dir, 'node', 'main.js'), dir));

W('a chromium binary is there (skipped outside CI when it is not)', () => requireBrowser('chromium', 'lane webpack, chromium'));

W('in Chromium: the same program on an isolated page, its workers from the bundle', async (ctx) => {
  const web = join(ctx.dir, 'web');
  writeFileSync(join(web, 'index.html'), `<!doctype html>\n<meta charset="utf-8">\n${CAPTURE}<script src="main.js"></script>\n`);
  await runOnIsolatedPage(ctx, 'lane webpack, chromium', web, 'index.html');
});

W.run();
