// The Vite lane: examples/bundlers in a project of its own, beatflow installed in its node_modules as a
// user has it (a copy of this package's build, with msgpackr), built once with `vite build` (Rolldown
// underneath) through Vite's JS API and the example's own vite.config.mjs, and run in headless Chromium on
// a cross-origin isolated page served from the build's folder alone; then the same project under Vite's
// dev server. Nothing names beatflow's files: the package's own
// `new Worker(new URL(…, import.meta.url), { type: 'module' })` and `new URL('…core.wasm', import.meta.url)`
// are what Vite follows. Chromium comes from the Chromium lane's set-up (test/helpers/browser.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { viteBuild } from '../examples/bundlers/build.mjs';
import { launch, requireBrowser, root } from './helpers/browser.mjs';
import { within } from './helpers/executor.mjs';
import { CAPTURE, checkPage, runOnIsolatedPage } from './helpers/bundled-app.mjs';

const example = join(root, 'examples', 'bundlers');

/** A project in `dir`: the example's files, and beatflow (package.json, build/) and msgpackr in its node_modules. */
function project(dir) {
  for (const f of ['app.mjs', 'tasks.js', 'index.html', 'vite.config.mjs']) cpSync(join(example, f), join(dir, f));
  const pkg = join(dir, 'node_modules', 'beatflow');
  mkdirSync(join(pkg, 'build'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'build', 'core.wasm'), join(pkg, 'build', 'core.wasm'));
  cpSync(join(root, 'build', 'src'), join(pkg, 'build', 'src'), { recursive: true });
  cpSync(join(root, 'node_modules', 'msgpackr'), join(dir, 'node_modules', 'msgpackr'), { recursive: true });
}

/** The example's page with the script that keeps what the program logs first. */
const withCapture = (html) => html.replace('<meta charset="utf-8">', (m) => m + CAPTURE);

const V = suite('a Vite build of examples/bundlers, beatflow from node_modules');

V.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-vite-lane-'));
  project(ctx.dir);
  ctx.out = join(ctx.dir, 'dist');
  ctx.warnings = [];
  const keep = (m) => { if (!/^Sourcemap for .* points to missing source files/.test(m)) ctx.warnings.push(m); };   // the copy leaves src/*.ts out
  const customLogger = { info() {}, warn: keep, warnOnce: keep, error: keep, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false };
  await within(viteBuild(ctx.out, { root: ctx.dir, configFile: join(ctx.dir, 'vite.config.mjs'), customLogger }), 30_000, 'vite build');
  ctx.files = readdirSync(ctx.out, { recursive: true });
});
V.after(async (ctx) => {
  await ctx.dev?.close();
  await ctx.browser?.close();
  ctx.server?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

V('the build warns of nothing, emits the core as an asset and bundles the worker entry', ({ files, warnings }) => {
  assert.equal(warnings, []);
  assert.ok(files.some((f) => /^assets\/core-[\w-]+\.wasm$/.test(f)), files.join(', '));
  assert.ok(files.some((f) => /^assets\/worker-browser-[\w-]+\.js$/.test(f)), files.join(', '));
  assert.not.ok(files.some((f) => /main-[\w-]+\.js$/.test(f)), 'the unbundled worker/main.js is not copied as an asset');
});

V('a chromium binary is there (skipped outside CI when it is not)', () => requireBrowser('chromium', 'lane vite, chromium'));

V('in Chromium: the built page runs the program with worker threads', async (ctx) => {
  writeFileSync(join(ctx.out, 'lane.html'), withCapture(readFileSync(join(ctx.out, 'index.html'), 'utf8')));
  await runOnIsolatedPage(ctx, 'lane vite, chromium', ctx.out, 'lane.html');
});

V('in Chromium under `vite dev`: the same page, isolated by the config\'s headers, with worker threads', async (ctx) => {
  ctx.browser ??= await launch('chromium');
  if (!ctx.browser) return;
  writeFileSync(join(ctx.dir, 'lane.html'), withCapture(readFileSync(join(ctx.dir, 'index.html'), 'utf8')));
  ctx.dev = await createServer({ root: ctx.dir, configFile: join(ctx.dir, 'vite.config.mjs'), logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
  await within(ctx.dev.listen(), 20_000, 'vite dev');
  await checkPage(ctx.browser, 'lane vite dev, chromium', `${ctx.dev.resolvedUrls.local[0]}lane.html`);
});

V.run();
