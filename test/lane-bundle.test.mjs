// The bundle lane: examples/bundle, bundled with the pinned esbuild by its own build.mjs (the program,
// its task module and 'beatflow/worker' as entry points, the core's bytes inlined), runs with two worker
// threads from a folder outside the repository (no node_modules to fall back on) in Node, and in headless
// Chromium on a cross-origin isolated page served from the browser bundle's folder alone. Both print the
// same lines. Chromium comes from the Chromium lane's set-up (test/helpers/browser.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundle } from '../examples/bundle/build.mjs';
import { launch, openPage, requireBrowser, serve, urlOf } from './helpers/browser.mjs';

const EXPECTED = ['fib(20) = 6765', 'words = 4', 'sum = 450000', 'inline = 42'];

/** The page: runs the bundled program, keeping what it logs. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="module">
  const lines = [];
  const log = console.log;
  console.log = (...a) => { lines.push(a.join(' ')); log(...a); };
  window.__result = import('./app.js').then(() => ({ lines, isolated: crossOriginIsolated }), (e) => ({ error: String(e?.stack ?? e), lines }));
</script>
`;

/** Counts the expected lines `got` has, in order, and prints the lane's line. */
function report(lane, got) {
  const passed = EXPECTED.filter((line, i) => got[i] === line).length;
  console.log(`  lane bundle, ${lane}: ${passed} passed, ${EXPECTED.length - passed} failed`);
  assert.equal(got, EXPECTED);
}

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

B('the bundles carry their dependencies: no static import of a package (msgpackr included), only node: builtins', ({ node, web }) => {
  for (const dir of [node, web]) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      assert.not.match(readFileSync(join(dir, f), 'utf8'), /^\s*(?:import|export)\b[^;'"]*from\s*["'](?!\.|node:)[^"']+["']/m, `${f}: a bare import`);
    }
  }
});

B('in Node: the program runs with its bundled worker threads', async ({ dir, node }) => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(node, 'app.js')], { cwd: dir, timeout: 60_000 });
  assert.not.match(stderr, /single-threaded/);
  report('node', stdout.trim().split('\n'));
});

B('a chromium binary is there (skipped outside CI when it is not)', () => requireBrowser('chromium', 'lane bundle, chromium'));

B('in Chromium: the same program on an isolated page, its workers from the bundle', async (ctx) => {
  ctx.browser = await launch('chromium');
  if (!ctx.browser) return;
  ctx.server = await serve({ dir: ctx.web, isolated: true });
  const { r, console: lines } = await openPage(ctx.browser, urlOf(ctx.server, 'index.html'));
  assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
  assert.is(r.isolated, true);
  assert.not.ok(lines.some((l) => /single-threaded/.test(l)), lines.join('\n'));
  report('chromium', r.lines);
});

B.run();
