// What the bundler lanes share: the lines the bundled example programs (examples/bundle, examples/bundlers)
// print, a script that keeps them on a page, the lane's count line, and running a bundle in Node and on a
// cross-origin isolated page in headless Chromium.
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { launch, openPage, serve, urlOf } from './browser.mjs';

/** The lines each example program prints, in order. */
export const EXPECTED = ['fib(20) = 6765', 'words = 4', 'sum = 450000', 'inline = 42'];

/**
 * A classic script for the top of a page: keeps what the program logs and sets `window.__result`
 * (test/helpers/browser.mjs openPage) once it has logged every expected line, or on its first uncaught
 * error or rejection. Classic, so it runs before the bundle's own scripts, module or not.
 */
export const CAPTURE = `<script>
  window.__result = new Promise((resolve) => {
    const lines = [];
    const log = console.log;
    const done = (error) => resolve({ lines, isolated: crossOriginIsolated, error });
    console.log = (...a) => { lines.push(a.join(' ')); log(...a); if (lines.length === ${EXPECTED.length}) done(); };
    addEventListener('error', (e) => done(String(e.error?.stack ?? e.message)));
    addEventListener('unhandledrejection', (e) => done(String(e.reason?.stack ?? e.reason)));
  });
</script>
`;

/** Counts the expected lines `got` has, in order, prints the lane's line, and asserts all of them. */
export function report(lane, got) {
  const passed = EXPECTED.filter((line, i) => got[i] === line).length;
  console.log(`  ${lane}: ${passed} passed, ${EXPECTED.length - passed} failed`);
  assert.equal(got, EXPECTED);
}

/** Runs a bundle's `main` file with Node in `cwd` and checks what it prints: threads, every line. */
export async function runInNode(lane, main, cwd) {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [main], { cwd, timeout: 60_000 });
  assert.not.match(stderr, /single-threaded/);
  report(lane, stdout.trim().split('\n'));
}

/**
 * Opens `page` of the folder `dir`, served cross-origin isolated, in headless Chromium and checks what the
 * program logs: threads, every line. The browser and server go on `ctx` for the suite's `after` to close;
 * without a chromium binary nothing runs (the lane's requireBrowser test says so).
 */
export async function runOnIsolatedPage(ctx, lane, dir, page) {
  ctx.browser ??= await launch('chromium');
  if (!ctx.browser) return;
  ctx.server = await serve({ dir, isolated: true });
  await checkPage(ctx.browser, lane, urlOf(ctx.server, page));
}

/** Opens `url` (a page whose server isolates it) in `browser` and checks what the program logs: threads, every line. */
export async function checkPage(browser, lane, url) {
  const { r, console: lines } = await openPage(browser, url, 40_000);
  assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
  assert.is(r.isolated, true);
  assert.not.ok(lines.some((l) => /single-threaded/.test(l)), lines.join('\n'));
  report(lane, r.lines);
}
