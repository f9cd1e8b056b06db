// The workerd lane: the pinned `workerd` devDependency serves (1) examples/workerd as it ships (its
// build.mjs bundle, its config.capnp), and (2) the conformance subset (test/conformance/suite.js) in a
// worker of its own (test/conformance/workerd.js), each answering HTTP requests, single-threaded. The
// bundles go to a temporary folder: the example's config.capnp is copied beside its dist/, the
// conformance worker gets a config written here. Each workerd runs on a free port and is always stopped.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundle } from '../examples/workerd/build.mjs';
import { WORKERD, startWorkerd } from './helpers/workerd.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The conformance worker's config: the bundle, the core and a module that is not the core, embedded. */
const CONFORMANCE_CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/workerd.js"),
    (name = "core.wasm", wasm = embed "dist/core.wasm"),
    (name = "empty.wasm", wasm = embed "dist/empty.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
`;

const W = suite('workerd');

W.before((ctx) => {
  assert.ok(existsSync(WORKERD), `${WORKERD} is installed (npm ci: the pinned workerd devDependency)`);
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-workerd-'));
});
W.after(async (ctx) => {
  await ctx.server?.stop();
  if (ctx.dir !== undefined) rmSync(ctx.dir, { recursive: true, force: true });   // before() may have failed first
});

/** GET path from server; the JSON it answered. */
async function get(server, path) {
  const r = await fetch(server.url + path, { signal: AbortSignal.timeout(60_000) });
  const body = await r.text();
  assert.is(r.status, 200, `${path}: ${body}\n${server.output()}`);
  return JSON.parse(body);
}

W('examples/workerd answers a request with its task graph', async (ctx) => {
  const dir = join(ctx.dir, 'example');
  await bundle(join(dir, 'dist'));
  copyFileSync(join(root, 'examples/workerd/config.capnp'), join(dir, 'config.capnp'));
  ctx.server = await startWorkerd(join(dir, 'config.capnp'));
  try {
    assert.equal(await get(ctx.server, '/?text=to%20be%20or%20not%20to%20be&n=20'), { words: 6, longest: 'not', fib: 6765 });
    assert.equal(await get(ctx.server, '/?text=one&n=1'), { words: 1, longest: 'one', fib: 1 }, 'a second request, on an executor of its own');
  } finally {
    await ctx.server.stop();
  }
});

W('the conformance subset passes in a workerd worker, also for requests served at once', async (ctx) => {
  const dir = join(ctx.dir, 'conformance');
  await build({
    entryPoints: [join(root, 'test/conformance/workerd.js')], outdir: join(dir, 'dist'), bundle: true, format: 'esm',
    platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'],
    loader: { '.wasm': 'copy' }, assetNames: '[name]', logLevel: 'warning',
  });
  writeFileSync(join(dir, 'config.capnp'), CONFORMANCE_CONFIG);
  ctx.server = await startWorkerd(join(dir, 'config.capnp'));
  try {
    const r = await get(ctx.server, '/');
    console.log(`  lane workerd: ${r.passed} passed, ${r.failed} failed (single-threaded)`);
    assert.equal(r.failures, []);
    assert.is(r.passed, 7);
    assert.is(r.single, true);
    // Requests at once share the isolate's one thread: each executor's worker binds the thread's modules again after it yields.
    const both = await Promise.all([get(ctx.server, '/'), get(ctx.server, '/')]);
    assert.equal(both.map((x) => [x.passed, x.failures]), [[7, []], [7, []]]);
  } finally {
    await ctx.server.stop();
  }
});

W('workerd: bad cores are named, closures run as themselves, threads asked for run single-threaded', async (ctx) => {
  ctx.server = await startWorkerd(join(ctx.dir, 'conformance', 'config.capnp'));
  try {
    const r = await get(ctx.server, '/extras');
    assert.match(r.noWasm, /^Error: beatflow: the WebAssembly core build\/core\.wasm could not be read: this bundle has no import\.meta\.url .*pass it as options\.wasm/);
    assert.match(r.bytes, /options\.wasm could not be compiled: .*disallowed.*This runtime compiles no WebAssembly at run time: pass a WebAssembly\.Module/);
    assert.match(r.notCore, /^TypeError: beatflow: options\.wasm is not beatflow's WebAssembly core: it lacks layoutSize, configure, /);
    assert.equal(r.closures, [2, 3], 'one source closing over 1 and over 2');
    assert.equal([r.workers, r.single, r.fib], [1, true, 610]);
  } finally {
    await ctx.server.stop();
  }
});

W.run();
