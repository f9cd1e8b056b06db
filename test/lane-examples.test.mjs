// The examples outside Node, run so they cannot rot: examples/browser/ (the Mandelbrot showcase drawn on a
// canvas, served by its own examples/browser/serve.mjs) in headless Chromium, whose canvas must hold
// exactly the pixels a reference render in this process gives (the showcase's tile function, the
// example's palette); and examples/deno/main.ts under the pinned deno binary.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { launch, requireBrowser, root, serve, urlOf, visit } from './helpers/browser.mjs';
import { tile } from '../examples/mandelbrot-tasks.mjs';
import { VIEW, paint } from '../examples/browser/draw.js';

const run = promisify(execFile);

/** The reference: every tile on this thread, painted as the page paints; its byte sum and FNV-1a hash. */
function reference() {
  const { width, height, size, maxIter } = VIEW;
  const counts = new Uint16Array(width * height);
  for (let y = 0; y < height; y += size) for (let x = 0; x < width; x += size) tile(counts, width, height, x, y, size, maxIter);
  return digest(paint(counts, maxIter, new Uint8ClampedArray(width * height * 4)));
}

function digest(bytes) {
  let sum = 0, hash = 0x811c9dc5, colours = new Set();
  for (let i = 0; i < bytes.length; i++) { sum += bytes[i]; hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0; }
  for (let i = 0; i < bytes.length; i += 4 * 97) colours.add((bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]);
  return { sum, hash, colours: colours.size };
}

const E = suite('examples outside Node');

E.before(async (ctx) => {
  ctx.browser = await launch('chromium');
  if (ctx.browser) ctx.server = await serve({ isolated: true });
});
E.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.server?.close();
});

E('a chromium binary is there (skipped outside CI when it is not)', () => requireBrowser('chromium', 'browser example'));

E('examples/browser draws the Mandelbrot set on every core: the canvas holds the reference render', async ({ browser, server }) => {
  if (!browser) return;
  const { page, lines } = await visit(browser, urlOf(server, 'examples/browser/'));
  try {
    await page.waitForSelector('#status.done', { timeout: 60_000 }).catch((e) => assert.unreachable(`${e.message}\n${lines.join('\n')}`));
    const shown = await page.evaluate(() => {
      const s = document.getElementById('status');
      const c = document.getElementById('view');
      return { text: s.textContent, workers: Number(s.dataset.workers), single: s.dataset.single, cores: navigator.hardwareConcurrency,
        bytes: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
    });
    console.log(`  browser example: ${shown.text}`);
    assert.is(shown.single, 'false', 'the page is cross-origin isolated: threads');
    assert.is(shown.workers, Math.max(1, shown.cores), "workers: 'auto' is every core");
    assert.match(shown.text, /same image as one thread: yes/);
    const want = reference();
    const got = digest(shown.bytes);
    assert.ok(want.colours > 20, `the reference is not trivial (${want.colours} colours sampled)`);
    assert.equal(got, want, 'the canvas bytes: sum, FNV-1a hash, colours sampled');
  } finally {
    await page.close();
  }
});

E('examples/deno/main.ts runs in Deno and finds the count a single thread finds', async () => {
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', NO_COLOR: '1' };
  const { stdout } = await run(`${root}node_modules/.bin/deno`, ['run', '--allow-read', '--allow-env', 'examples/deno/main.ts'], { cwd: root, env, timeout: 60_000 })
    .catch((e) => assert.unreachable(`deno exited ${e.code}:\n${e.stdout}\n${e.stderr}`));
  console.log(`  deno example: ${stdout.trim().split('\n').join(' / ')}`);
  assert.match(stdout, /^beatflow on Deno \d+\.\d+\.\d+: 64 tasks \+ 1 fan-in on \d+ workers$/m);
  assert.match(stdout, /primes below 1000000: 78498 \(one thread: 78498\) same/);   // π(10^6)
  assert.match(stdout, /an inline task: 42/);
});

E.run();
