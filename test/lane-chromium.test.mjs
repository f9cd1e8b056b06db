// The headless Chromium lane: the conformance subset (test/conformance/suite.js) on a cross-origin
// isolated page, through the package's browser entry, with tasks from a task-module URL and workers that
// are module Web Workers; and a page without COOP/COEP, which falls back to the single-threaded mode with
// a console line naming the missing headers, and runs the same subset on its main thread.
// playwright-core drives Debian's chromium (.ci/run installs it). Without a chromium binary the lane is
// skipped, saying why, unless CI is set: then it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CANDIDATES, chromiumPath, serve, launch, openPage as open } from './helpers/chromium.mjs';

const C = suite('headless Chromium');

C.before(async (ctx) => {
  if (!chromiumPath) return;
  ctx.browser = await launch();
  ctx.isolated = await serve(true);
  ctx.plain = await serve(false);
});
C.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.isolated?.close();
  ctx.plain?.close();
});

/** Opens the conformance page from `server` and returns what it resolved to, and its console. */
const openPage = (browser, server) => open(browser, server, '/test/conformance/page.html');

C('a chromium binary is there (skipped outside CI when it is not)', () => {
  if (chromiumPath) return;
  if (process.env.CI === 'true') assert.unreachable(`no chromium binary at ${CANDIDATES.join(', ')}: .ci/run installs Debian's chromium`);
  console.log(`  lane chromium: skipped, no chromium binary at ${CANDIDATES.join(', ')} (apt-get install chromium)`);
});

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
