// The platform adapters (src/platform/): which entry each runtime gets from package.json `exports`, that
// the browser and workerd entries' static import graphs reach no node:* module, how the runtime is told
// apart, and the options a platform refuses. The lanes that run the conformance subset in Deno, Bun,
// Chromium and workerd are test/lane-*.test.mjs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every module a file reaches through static imports, following relative ones and bare ones by `conditions`. */
function staticGraph(entry, conditions) {
  const seen = new Set();
  const bare = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2]);
    for (const s of specs) {
      if (s.startsWith('.')) visit(join(dirname(file), s));
      else if (s.startsWith('node:')) bare.add(s);
      else {
        bare.add(s);
        const [name, ...sub] = s.split('/');
        const pkg = join(root, 'node_modules', name);
        const exp = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).exports?.[['.', ...sub].join('/')];
        const target = conditions.map((c) => exp?.[c]).find((t) => typeof t === 'string');
        if (target) visit(join(pkg, target));
      }
    }
  };
  visit(entry);
  return { files: [...seen], bare: [...bare] };
}

const E = suite('package entries');

E('each runtime gets its own entry; types and a runtime-detecting default for the rest', () => {
  const dot = manifest.exports['.'];
  assert.equal(Object.keys(dot), ['types', 'workerd', 'browser', 'deno', 'bun', 'node', 'default'],
    'workerd before browser (wrangler asks for workerd, worker, browser), browser, deno and bun before node: the first match wins');
  for (const [cond, file] of Object.entries(dot)) assert.ok(existsSync(join(root, file)), `${cond}: ${file} is built`);
});

E('the core and a worker entry for bundles are exported, the worker entry per runtime', () => {
  assert.is(manifest.exports['./core.wasm'], './build/core.wasm');
  assert.ok(existsSync(join(root, manifest.exports['./core.wasm'])), 'core.wasm is built');
  const worker = manifest.exports['./worker'];
  assert.equal(Object.keys(worker), ['browser', 'node', 'default']);
  for (const [cond, file] of Object.entries(worker)) assert.ok(existsSync(join(root, file)), `${cond}: ${file} is built`);
});

for (const [entry, adapter] of [['browser', 'web'], ['workerd', 'workerd']]) {
  E(`the ${entry} entry reaches no node:* module through static imports, msgpackr included`, () => {
    const { files, bare } = staticGraph(join(root, manifest.exports['.'][entry]), [entry, 'browser', 'import', 'default']);
    assert.ok(files.some((f) => f.endsWith(`platform/${adapter}.js`)), `the ${adapter} adapter is in it`);
    assert.ok(!files.some((f) => /platform\/(node|bun)\.js$/.test(f)), 'the Node adapter is not');
    assert.equal(bare.filter((s) => s.startsWith('node:')), []);
    assert.equal(bare.filter((s) => !/^msgpackr(\/|$)/.test(s)), [], 'msgpackr is its only dependency');
  });
}

E('so do the worker entries every platform and a browser bundle start', () => {
  for (const file of ['build/src/worker/main.js', manifest.exports['./worker'].browser]) {
    const { bare } = staticGraph(join(root, file), ['browser', 'import', 'default']);
    assert.equal(bare.filter((s) => s.startsWith('node:')), [], file);
  }
});

E('each entry installs its adapter', async () => {
  const current = await import('../build/src/platform/current.js');
  for (const [entry, name] of [['bun', 'bun'], ['node', 'node']]) {
    await import(`../build/src/entries/${entry}.js`);
    assert.is(current.platform().name, name);
  }
});

E('the runtime is told apart by its globals, Deno and Bun before Node', async () => {
  const { runtimeName } = await import('../build/src/platform/current.js');
  assert.is(runtimeName({ Deno: { version: { deno: '2.9.6' } }, process: { versions: { node: '24.0.0' } } }), 'deno');
  assert.is(runtimeName({ process: { versions: { node: '24.3.0', bun: '1.4.5' } } }), 'bun');
  assert.is(runtimeName({ process: { versions: { node: '20.0.0' } } }), 'node');
  assert.is(runtimeName({ navigator: {} }), 'browser');
  assert.is(runtimeName({ navigator: { userAgent: 'Cloudflare-Workers' }, process: { versions: { node: '22.0.0' } } }), 'workerd', 'before Node: nodejs_compat emulates process');
  assert.is(runtimeName(), 'node');
});

E('the browser adapter refuses to run in workerd, naming the condition to bundle with', async () => {
  const { platform: web } = await import('../build/src/platform/web.js');
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true });
  try {
    const e = await web.check().then(() => undefined, (err) => err);
    assert.match(e?.message, /this is workerd, but beatflow was loaded through its browser entry: bundle with the 'workerd' export condition first/);
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had); else delete globalThis.navigator;
  }
});

E.run();

const U = suite('options a platform cannot honour');

U('are refused at create(), naming the option and the platform; Node takes them', async () => {
  const current = await import('../build/src/platform/current.js');
  const { platform: bun } = await import('../build/src/platform/bun.js');
  const { platform: node } = await import('../build/src/platform/node.js');
  const { Executor } = await import('../build/src/index.js');
  try {
    current.usePlatform(bun);
    for (const opts of [{ resourceLimits: { maxOldGenerationSizeMb: 64 } }, { recycleAboveHeapMb: 100 }]) {
      try {
        await (await Executor.create({ workers: 1, ...opts })).close();
        assert.unreachable('refused');
      } catch (e) {
        assert.instance(e, TypeError);
        assert.match(e.message, new RegExp(`the ${Object.keys(opts)[0]} option is not supported on bun`));
      }
    }
    const ex = await Executor.create({ workers: 1, recycleAboveHeapMb: 0 });
    assert.is(await ex.async((a) => a + 1, 1), 2, 'the default (0: off) is no request');
    await ex.close();
  } finally {
    current.usePlatform(node);
  }
  const ex = await Executor.create({ workers: 1, recycleAboveHeapMb: 100 });
  await ex.close();
});

U.run();
