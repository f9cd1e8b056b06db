// The headless Chromium lane: the conformance subset (test/conformance/suite.js) on a cross-origin
// isolated page, through the package's browser entry, with tasks from a task-module URL and workers that
// are module Web Workers; and a page without COOP/COEP, which falls back to the single-threaded mode with
// a console line naming the missing headers, and runs the same subset on its main thread.
// playwright-core drives Debian's chromium (.ci/run installs it). Without a chromium binary the lane is
// skipped, saying why, unless CI is set: then it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage as open, serve, skipUnlessCi } from './helpers/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What a dev server or bundler does for the browser: the package's bare imports point at msgpackr's browser files. */
const BARE = { "'msgpackr/pack'": "'/node_modules/msgpackr/pack.js'", "'msgpackr'": "'/node_modules/msgpackr/index.js'" };
const rewrite = (file, text) => {
  if (!file.includes('build')) return text;
  for (const [from, to] of Object.entries(BARE)) text = text.split(`from ${from}`).join(`from ${to}`);
  return text;
};

const C = suite('headless Chromium');

C.before(async (ctx) => {
  ctx.browser = await launchChromium();
  if (!ctx.browser) return;
  ctx.isolated = await serve(root, { isolated: true, rewrite });
  ctx.plain = await serve(root, { isolated: false, rewrite });
});
C.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.isolated?.close();
  ctx.plain?.close();
});

/** Opens the conformance page from `server` and returns what it resolved to, and its console. */
async function openPage(browser, server) {
  const { value, console } = await open(browser, server, '/test/conformance/page.html', () => window.__result);
  return { r: value, console };
}

C('a chromium binary is there (skipped outside CI when it is not)', () => skipUnlessCi('chromium'));

C('a cross-origin isolated page runs the conformance subset; the main thread never blocks', async ({ browser, isolated }) => {
  if (!browser) return;
  const { r, console: lines } = await openPage(browser, isolated);
  assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
  console.log(`  lane chromium: ${r.passed} passed, ${r.failed} failed (main thread's longest turn ${r.maxGapMs} ms)`);
  assert.is(r.isolated, true);
  assert.equal(r.failures, [], lines.join('\n'));
  assert.is(r.passed, 7);
});

C('a page without COOP/COEP runs the subset single-threaded, with a console line naming both headers', async ({ browser, plain }) => {
  if (!browser) return;
  const { r, console: lines } = await openPage(browser, plain);
  assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
  console.log(`  lane chromium, not isolated: ${r.passed} passed, ${r.failed} failed (single-threaded; main thread's longest turn ${r.maxGapMs} ms)`);
  assert.is(r.isolated, false);
  assert.is(r.single, true);
  assert.equal(r.failures, [], lines.join('\n'));
  assert.is(r.passed, 7);
  const diag = lines.filter((l) => l.startsWith('warning: beatflow: running single-threaded: this page is not cross-origin isolated'));
  assert.is(diag.length, 1, lines.join('\n'));
  assert.match(diag[0], /Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
});

C.run();
