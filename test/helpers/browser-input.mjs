// Bad input in browsers (test/lane-{chromium,firefox}-input.test.mjs; the page is
// test/conformance/bad-input.html): a task module that is not there, one that throws while a worker
// imports it, a worker entry the server lacks or serves without the isolation header. Each Executor.create() must reject within a bounded wait with an
// error naming the URL (the page gives each 30 s), and a good executor must start on the page afterwards.
// And a browser without Atomics.waitAsync (test/lane-{chromium,firefox}-nowait.test.mjs; taken away on
// the page before beatflow is imported, and in each worker): the conformance subset passes through the poll that stands in for it, on an isolated
// page (workers) and on a page without COOP/COEP (single-threaded), with one console line saying so.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launch, openPage, requireBrowser, serve, urlOf } from './browser.mjs';

const ENTRY = '/build/src/entries/worker-browser.js';   // the package's browser worker entry (platform/web.ts)
/** Each case: the page's ?case=, how the server answers, and the start of the message create() must reject with. */
const CASES = [
  { name: 'a task module that 404s (isolated page)', kase: 'missingModule', isolated: true,
    want: (r) => `beatflow: the task module ${r.module} failed to load on the thread that creates the executor: ` },
  { name: 'a task module that 404s (single-threaded page)', kase: 'missingModule', isolated: false,
    want: (r) => `beatflow: the task module ${r.module} failed to load on the thread that creates the executor: ` },
  { name: 'a task module that throws at import inside a worker', kase: 'throwsInWorker', isolated: true,
    want: (r) => `beatflow: the task module ${r.module} failed to load in a worker: task module failed on purpose` },
  { name: 'a worker entry that 404s', kase: 'missingWorkerEntry', isolated: true, server: { missing: [ENTRY] }, again: true,
    want: (r) => `beatflow: the worker entry ${new URL(ENTRY, r.module).href} could not be started: the worker script failed to load or run (HTTP 404 Not Found)` },
  { name: 'a worker entry served without the isolation headers', kase: 'missingWorkerEntry', isolated: true, server: { unisolated: [ENTRY] }, again: true,
    want: (r) => `beatflow: the worker entry ${new URL(ENTRY, r.module).href} could not be started: the worker script failed to load or run ` +
      '(its response has no Cross-Origin-Embedder-Policy header' },
];

/** The bad-input lane of browser `name` as a uvu suite (lane-*-input.test.mjs). */
export function inputLane(browserName, label) {
  const B = suite(`bad input in headless ${label}`);
  B.before(async (ctx) => { ctx.browser = await launch(browserName); });
  B.after(async (ctx) => { await ctx.browser?.close(); });

  B(`a ${browserName} binary is there (skipped outside CI when it is not)`, () => requireBrowser(browserName, `bad input in ${browserName}`));

  for (const c of CASES) {
    const after = c.again ? 'a second create() fails the same way' : 'a good executor starts afterwards';
    B(`${c.name}: create() rejects naming the URL, and ${after}`, async ({ browser }) => {
      if (!browser) return;
      const server = await serve({ isolated: c.isolated, ...c.server });
      try {
        const { r, console: lines } = await openPage(browser, urlOf(server, `test/conformance/bad-input.html?case=${c.kase}`), 90_000);
        assert.ok(r.error, `create() resolved: ${JSON.stringify(r)}`);
        assert.is(r.error.timedOut, false, `create() hung: ${r.error.message}\n${lines.join('\n')}`);
        assert.is(r.isolated, c.isolated);
        const want = c.want(r);
        assert.ok(r.error.message.startsWith(want), `got:  ${r.error.message}\nwant: ${want}…`);
        // With the entry still missing, a second create() fails the same way (and does not hang); else it works.
        if (c.again) assert.ok(String(r.good).startsWith(`Error: ${want}`), `the second create(): ${r.good}`);
        else assert.is(r.good, 42, `the good executor after the failure: ${r.good}`);
      } finally { server.close(); }
    });
  }

  return B;
}

/**
 * The no-waitAsync lane of browser `name` as a uvu suite: the conformance subset with Atomics.waitAsync
 * taken away on the page and in each worker, on an isolated page and on a page without COOP/COEP.
 */
export function noWaitAsyncLane(browserName, label) {
  const B = suite(`headless ${label} without Atomics.waitAsync`);
  B.before(async (ctx) => { ctx.browser = await launch(browserName); });
  B.after(async (ctx) => { await ctx.browser?.close(); });

  B(`a ${browserName} binary is there (skipped outside CI when it is not)`, () => requireBrowser(browserName, `${browserName} without Atomics.waitAsync`));

  for (const isolated of [true, false]) {
    B(`no Atomics.waitAsync, ${isolated ? 'isolated page (workers)' : 'page without COOP/COEP (single-threaded)'}: the subset passes through the poll`, async ({ browser }) => {
      if (!browser) return;
      const server = await serve({ isolated });
      try {
        const { r, console: lines } = await openPage(browser, urlOf(server, 'test/conformance/page.html?noWaitAsync'));
        assert.ok(!r.error, `${r.error}\n${lines.join('\n')}`);
        console.log(`  ${browserName} without Atomics.waitAsync${isolated ? '' : ', not isolated'}: ${r.passed} passed, ${r.failed} failed`);
        assert.equal([r.single, r.pageWaitAsync, r.workerWaitAsync], [!isolated, false, false], 'single-threaded; no waitAsync on the page or in the worker');
        assert.equal(r.failures, [], lines.join('\n'));
        assert.is(r.passed, isolated ? 8 : 7);
        const diag = lines.filter((l) => l.startsWith('warning: beatflow: this runtime (browser) has no Atomics.waitAsync: the host thread polls'));
        assert.is(diag.length, 1, lines.join('\n'));
      } finally { server.close(); }
    });
  }
  return B;
}
