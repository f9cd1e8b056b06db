// Headless Chromium for the browser lanes (lane-chromium.test.mjs, lane-chromium-gpu.test.mjs): Debian's
// chromium driven by playwright-core, and the repository served on 127.0.0.1 the way a dev server or a
// bundler would serve the package. The recipe and its pitfalls: the project's platform notes.
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const CANDIDATES = [process.env.BEATFLOW_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean);
/** The chromium binary, or undefined where there is none. */
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
/** What a dev server or bundler does for the browser: the package's bare imports point at msgpackr's browser files. */
const BARE = { "'msgpackr/pack'": "'/node_modules/msgpackr/pack.js'", "'msgpackr'": "'/node_modules/msgpackr/index.js'" };

/** Serves the repository on 127.0.0.1, with the cross-origin isolation headers on every response when `isolated`. */
export function serve(isolated) {
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

/** Launches headless chromium; `args` are added to the quiet defaults (as root it needs --no-sandbox). */
export async function launch(args = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...args],
  });
}

/** Opens `path` from `server`, waits for window.__result, and returns it with the page's console lines. */
export async function openPage(browser, server, path, timeout = 60_000) {
  const page = await browser.newPage();
  const lines = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
    const r = await page.waitForFunction(() => window.__result, null, { timeout }).then(() => page.evaluate(() => window.__result));
    return { r, console: lines };
  } finally {
    await page.close();
  }
}
