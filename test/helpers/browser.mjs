// Shared by the browser lanes (lane-chromium*, lane-firefox*, lane-examples, lane-bundle): Debian's
// browsers driven by the pinned playwright-core (never `playwright install`), and an in-process static
// server for the repository (the browser example's), with or without the cross-origin isolation headers.
//   Chromium: Playwright's own protocol (CDP).
//   Firefox ESR: WebDriver BiDi (`channel: 'moz-firefox'`): Playwright's default Firefox protocol needs
//   its patched build, and playwright-core 1.65 drops a BiDi command Firefox 153 lacks (pinned 1.64.1).
// Without a browser binary a lane is skipped, saying why, unless CI is set: then it fails.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { staticServer, ISOLATION } from '../../examples/browser/serve.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The browsers a lane can drive: where Debian puts each binary, and how Playwright launches it. */
export const BROWSERS = {
  chromium: {
    apt: 'chromium',
    candidates: [process.env.BEATFLOW_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean),
    async launch(executablePath, args = []) {
      const { chromium } = await import('playwright-core');
      return chromium.launch({
        executablePath, headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...args],
      });
    },
  },
  firefox: {
    apt: 'firefox-esr',
    candidates: [process.env.BEATFLOW_FIREFOX, '/usr/lib/firefox-esr/firefox-esr', '/usr/lib/firefox/firefox'].filter(Boolean),
    async launch(executablePath, args = []) {
      const { firefox } = await import('playwright-core');
      return firefox.launch({ channel: 'moz-firefox', executablePath, headless: true, ...(args.length > 0 ? { args } : {}) });
    },
  },
};

/** The binary of browser `name`, or undefined. */
export const binaryOf = (name) => BROWSERS[name].candidates.find((p) => existsSync(p));

/**
 * Launches browser `name`, `args` added to its command line (Chromium's GPU lane: --enable-unsafe-webgpu);
 * undefined without its binary (see `requireBrowser`).
 */
export async function launch(name, args = []) {
  const path = binaryOf(name);
  return path === undefined ? undefined : BROWSERS[name].launch(path, args);
}

/** A test body for "the binary is there": fails under CI=true without it, else prints why the lane is skipped. */
export function requireBrowser(name, lane) {
  if (binaryOf(name)) return;
  const { apt, candidates } = BROWSERS[name];
  if (process.env.CI === 'true') assert.unreachable(`no ${name} binary at ${candidates.join(', ')}: .ci/run installs Debian's ${apt}`);
  console.log(`  ${lane}: skipped, no ${name} binary at ${candidates.join(', ')} (apt-get install ${apt})`);
}

/**
 * Serves the repository (or `dir`) on 127.0.0.1 through the browser example's server (examples/browser/serve.mjs),
 * with the cross-origin isolation headers on every response when `isolated`; paths in `missing` answer
 * 404 (a file that did not ship), paths in `unisolated` come without the headers (a server configured
 * for the page only). Closes with `server.close()`.
 */
export function serve({ isolated, missing = [], unisolated = [], dir = root }) {
  const server = staticServer(dir, (path) => (isolated && !unisolated.includes(path) ? ISOLATION : {}), missing);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** http://127.0.0.1:<port>/<path> on `server`. */
export const urlOf = (server, path) => `http://127.0.0.1:${server.address().port}/${path}`;

/** A new page of `browser` at `url`, and the lines of its console (uncaught errors included) as they come. */
export async function visit(browser, url) {
  const page = await browser.newPage();
  const lines = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, lines };
}

/**
 * Opens `url` in a new page of `browser` and returns what `window.__result` (a promise the page sets)
 * resolved to, with the page's console; fails after `timeoutMs` rather than hang.
 */
export async function openPage(browser, url, timeoutMs = 60_000) {
  const { page, lines } = await visit(browser, url);
  try {
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: timeoutMs });
    const r = await page.evaluate((ms) => Promise.race([window.__result,
      new Promise((res) => setTimeout(() => res({ error: `window.__result did not settle within ${ms} ms` }), ms))]), timeoutMs);
    return { r, console: lines };
  } finally {
    await page.close();
  }
}

/**
 * The conformance lane of browser `name` as a uvu suite: the subset (test/conformance/suite.js) on a
 * cross-origin isolated page, through the package's browser entry, with tasks from a task-module URL and
 * module Web Workers (and a worker that dies); and on a page without COOP/COEP, which falls back to the
 * single-threaded mode with a console line naming the missing headers. Each prints its count.
 */
export function conformanceLane(name, label) {
  const S = suite(`headless ${label}`);
  S.before(async (ctx) => {
    ctx.browser = await launch(name);
    if (!ctx.browser) return;
    ctx.isolated = await serve({ isolated: true });
    ctx.plain = await serve({ isolated: false });
  });
  S.after(async (ctx) => {
    await ctx.browser?.close();
    ctx.isolated?.close();
    ctx.plain?.close();
  });

  S(`a ${name} binary is there (skipped outside CI when it is not)`, () => requireBrowser(name, `lane ${name}`));

  S('a cross-origin isolated page runs the conformance subset on workers; the main thread never blocks', async ({ browser, isolated }) => {
    if (!browser) return;
    const { r, console: lines } = await openPage(browser, urlOf(isolated, 'test/conformance/page.html'));
    assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
    console.log(`  lane ${name}: ${r.passed} passed, ${r.failed} failed (main thread's longest turn ${r.maxGapMs} ms)`);
    assert.is(r.isolated, true);
    assert.is(r.single, false);
    assert.equal(r.failures, [], lines.join('\n'));
    assert.equal(r.skipped, []);
    assert.is(r.passed, 8);
  });

  S('a page without COOP/COEP runs the subset single-threaded, with a console line naming both headers', async ({ browser, plain }) => {
    if (!browser) return;
    const { r, console: lines } = await openPage(browser, urlOf(plain, 'test/conformance/page.html'));
    assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
    console.log(`  lane ${name}, not isolated: ${r.passed} passed, ${r.failed} failed, ${r.skipped.length} skipped (single-threaded; main thread's longest turn ${r.maxGapMs} ms)`);
    assert.is(r.isolated, false);
    assert.is(r.single, true);
    assert.equal(r.failures, [], lines.join('\n'));
    assert.is(r.passed, 7);
    assert.equal(r.skipped, ['a worker that dies (single-threaded: no worker thread)']);
    const diag = lines.filter((l) => l.startsWith('warning: beatflow: running single-threaded: this page is not cross-origin isolated'));
    assert.is(diag.length, 1, lines.join('\n'));
    assert.match(diag[0], /Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
  });
  return S;
}
