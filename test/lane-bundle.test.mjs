// The bundle lane: examples/bundle, bundled with the pinned esbuild by its own build.mjs (the program,
// its task module and 'beatflow/worker' as entry points, the core's bytes inlined), runs with two worker
// threads from a folder outside the repository (no node_modules to fall back on) in Node, and in headless
// Chromium on a cross-origin isolated page served from the browser bundle's folder alone. Both print the
// same lines. Chromium comes from the Chromium lane's set-up (test/helpers/browser.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { bundle } from '../examples/bundle/build.mjs';
import { requireBrowser } from './helpers/browser.mjs';
import { CAPTURE, runInNode, runOnIsolatedPage } from './helpers/bundled-app.mjs';

/** The page: loads the bundled program after the script that keeps what it logs. */
const PAGE = `<!doctype html>\n<meta charset="utf-8">\n${CAPTURE}<script type="module" src="./app.js"></script>\n`;

const B = suite('an esbuild bundle of examples/bundle');

B.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-bundle-lane-'));
  ctx.node = await bundle('node', join(ctx.dir, 'node'));
  ctx.web = await bundle('browser', join(ctx.dir, 'browser'));
  writeFileSync(join(ctx.web, 'index.html'), PAGE);
});
B.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.server?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

B('the bundles carry their dependencies: no static import of a package (msgpackr included), only Node builtins', ({ node, web }) => {
  const builtin = (spec) => spec.startsWith('node:') || builtinModules.includes(spec);
  for (const dir of [node, web]) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      const specs = [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s*(?:import|export)\b[^;'"]*from\s*["']([^"'.][^"']*)["']/gm)].map((m) => m[1]);
      assert.equal(specs.filter((s) => !builtin(s)), [], `${f}: a bare import`);
      if (dir === web) assert.equal(specs, [], `${f}: the browser bundle imports a Node builtin`);
    }
  }
});

B('in Node: the program runs with its bundled worker threads', ({ dir, node }) => runInNode('lane bundle, node', join(node, 'app.js'), dir));

B('a chromium binary is there (skipped outside CI when it is not)', () => requireBrowser('chromium', 'lane bundle, chromium'));

B('in Chromium: the same program on an isolated page, its workers from the bundle', (ctx) =>
  runOnIsolatedPage(ctx, 'lane bundle, chromium', ctx.web, 'index.html'));

B.run();
