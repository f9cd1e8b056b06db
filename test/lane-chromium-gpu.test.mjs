// The headless Chromium GPU lane: the GPU kernel checks every lane runs (test/conformance/gpu-checks.js:
// map's 17 ops, reduce, scan, sort, matmul, dispatch, bad input) on a cross-origin isolated page through
// the package's browser entry, with the device from navigator.gpu — Chromium's SwiftShader adapter (core
// features) under --enable-unsafe-webgpu — and the CPU side on module Web Workers. The page runs the
// checks at their 'lane' sizes (gpu-checks.js says what that trims). Without a chromium binary, or where
// Chromium finds no adapter, the lane is skipped saying why, unless CI is set: then it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launch, serve, urlOf, openPage, requireBrowser } from './helpers/browser.mjs';
import { gpuChecks } from './conformance/gpu-checks.js';

const G = suite('headless Chromium: GPU kernels on navigator.gpu');
const mustRun = process.env.CI === 'true';

G.before(async (ctx) => {
  ctx.browser = await launch('chromium', ['--enable-unsafe-webgpu']);
  if (!ctx.browser) return;
  ctx.server = await serve({ isolated: true });
});
G.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.server?.close();
});

G('the GPU kernel checks pass on navigator.gpu, through the browser entry', async ({ browser, server }) => {
  if (!browser) { requireBrowser('chromium', 'lane chromium gpu'); return; }
  const { r, console: lines } = await openPage(browser, urlOf(server, 'test/conformance/gpu-page.html?sizes=lane'), 100_000);
  assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
  if (!r.available) {
    if (mustRun) assert.unreachable(`Chromium found no WebGPU adapter: ${r.reason}`);
    console.log(`  lane chromium gpu: skipped, Chromium found no WebGPU adapter (${r.reason}; navigator.gpu ${r.navigatorGpu ? 'present' : 'absent'})`);
    return;
  }
  const a = r.adapter;
  console.log(`  lane chromium gpu: ${r.passed} passed, ${r.failed} failed on ${[a.vendor, a.architecture, a.device].filter(Boolean).join(' ')} (${r.backend}, ${r.featureLevel}${r.software ? ', software' : ''})`);
  assert.is(r.isolated, true);
  assert.is(r.backend, 'navigator.gpu', 'the device came from the browser\'s own WebGPU');
  assert.equal(r.failures, [], lines.join('\n'));
  assert.equal(r.names, gpuChecks({}, {}).map((c) => c.name), 'every check ran');
  assert.is(r.passed, r.names.length);
});

G.run();
