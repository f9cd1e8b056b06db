// The headless Chromium lane: the conformance subset (test/conformance/suite.js) on a cross-origin
// isolated page, through the package's browser entry, with tasks from a task-module URL and workers that
// are module Web Workers; and a page without COOP/COEP, which falls back to the single-threaded mode with
// a console line naming the missing headers, and runs the same subset on its main thread.
// playwright-core drives Debian's chromium (.ci/run installs it). Without a chromium binary the lane is
// skipped, saying why, unless CI is set: then it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CANDIDATES = [process.env.BEATFLOW_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean);
const chromiumPath = CANDIDATES.find((p) => existsSync(p));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
/** What a dev server or bundler does for the browser: the package's bare imports point at msgpackr's browser files. */
const BARE = { "'msgpackr/pack'": "'/node_modules/msgpackr/pack.js'", "'msgpackr'": "'/node_modules/msgpackr/index.js'" };

/** Serves the repository on 127.0.0.1, with the cross-origin isolation headers on every response when `isolated`. */
function serve(isolated) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path);
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (!file.startsWith(root) || !existsSync(file)) { res.writeHead(404, headers).end(); return; }
    let body = readFileSync(file);
    if (extname(file) === '.js' && file.includes('build')) {
      let text = body.toString('utf8');
      for (const [from, to] of Object.entries(BARE)) text = text.split(`from ${from}`).join(`from ${to}`);
      body = Buffer.from(text);
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const C = suite('headless Chromium');

C.before(async (ctx) => {
  if (!chromiumPath) return;
  const { chromium } = await import('playwright-core');
  ctx.browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  ctx.isolated = await serve(true);
  ctx.plain = await serve(false);
});
C.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.isolated?.close();
  ctx.plain?.close();
});

/** Opens the conformance page from `server` and returns what it resolved to, and its console. */
async function openPage(browser, server) {
  const page = await browser.newPage();
  const console_ = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/test/conformance/page.html`);
    const r = await page.waitForFunction(() => window.__result, null, { timeout: 60_000 }).then(() => page.evaluate(() => window.__result));
    return { r, console: console_ };
  } finally {
    await page.close();
  }
}

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
