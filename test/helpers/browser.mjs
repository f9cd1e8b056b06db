// Headless Chromium for the browser lanes (lane-chromium, lane-bundle): Debian's chromium (.ci/run
// installs it) driven by the pinned playwright-core, and a static server on 127.0.0.1 with the cross-origin
// isolation headers when asked. Without a chromium binary a lane is skipped, saying why, unless CI is set:
// then it fails.
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import * as assert from 'uvu/assert';

const CANDIDATES = [process.env.BEATFLOW_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean);
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Launches headless chromium, or returns undefined when there is none (a lane then calls skipUnlessCi). */
export async function launchChromium() {
  if (!chromiumPath) return undefined;
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A lane's first test: passes with a line saying it skipped when there is no chromium, fails so under CI. */
export function skipUnlessCi(lane) {
  if (chromiumPath) return;
  if (process.env.CI === 'true') assert.unreachable(`no chromium binary at ${CANDIDATES.join(', ')}: .ci/run installs Debian's chromium`);
  console.log(`  lane ${lane}: skipped, no chromium binary at ${CANDIDATES.join(', ')} (apt-get install chromium)`);
}

/**
 * Serves the files under `dir` on 127.0.0.1, with the cross-origin isolation headers on every response
 * when `isolated`; `rewrite(file, text)` may change a JavaScript file's text on its way out.
 */
export function serve(dir, { isolated, rewrite = (_file, text) => text }) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    const headers = isolated ? ISOLATION : {};
    if (!file.startsWith(dir) || !existsSync(file)) { res.writeHead(404, headers).end(); return; }
    let body = readFileSync(file);
    if (extname(file) === '.js') body = Buffer.from(rewrite(file, body.toString('utf8')));
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Opens `path` from `server` in a new page; resolves to { value, console } once `ready` (a page function) returns a value. */
export async function openPage(browser, server, path, ready, timeout = 60_000) {
  const page = await browser.newPage();
  const lines = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
    await page.waitForFunction(ready, null, { timeout });
    return { value: await page.evaluate(ready), console: lines };   // a promise is awaited
  } finally {
    await page.close();
  }
}
