// The Vite lane: examples/bundlers built once with `vite build` (Rolldown underneath), through Vite's JS API
// and the example's own vite.config.js, then run in headless Chromium on a cross-origin isolated page
// served from the build's folder alone. Nothing names beatflow's files: the package's own
// `new Worker(new URL(…, import.meta.url), { type: 'module' })` and `new URL('…core.wasm', import.meta.url)`
// are what Vite follows. Chromium comes from the Chromium lane's set-up (test/helpers/browser.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { viteBuild } from '../examples/bundlers/build.mjs';
import { requireBrowser } from './helpers/browser.mjs';
import { within } from './helpers/executor.mjs';
import { CAPTURE, runOnIsolatedPage } from './helpers/bundled-app.mjs';

const V = suite('a Vite build of examples/bundlers');

V.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-vite-lane-'));
  ctx.warnings = [];
  const logger = { info() {}, warn: (m) => ctx.warnings.push(m), warnOnce: (m) => ctx.warnings.push(m), error: (m) => ctx.warnings.push(m),
    clearScreen() {}, hasErrorLogged: () => false, hasWarned: false };
  await within(viteBuild(ctx.dir, { customLogger: logger }), 30_000, 'vite build');
  ctx.files = readdirSync(ctx.dir, { recursive: true });
});
V.after(async (ctx) => {
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
  writeFileSync(join(ctx.dir, 'lane.html'), readFileSync(join(ctx.dir, 'index.html'), 'utf8').replace('<meta charset="utf-8">', (m) => m + CAPTURE));
  await runOnIsolatedPage(ctx, 'lane vite, chromium', ctx.dir, 'lane.html');
});

V.run();
