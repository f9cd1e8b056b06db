// What the bundler lanes share: the lines the bundled example programs (examples/bundle, examples/bundlers)
// print, a script that keeps them on a page, and the lane's count line.
import * as assert from 'uvu/assert';

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
