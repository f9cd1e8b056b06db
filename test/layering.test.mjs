// The host's dependencies point one way (src/README.md, "Layout"): executor → engine → memory → core;
// algorithms and pipelines → engine, never into the facade; graph/ and policy/ touch nothing threaded;
// only platform/ imports runtime-specific modules. Read from the TypeScript sources, type-only imports
// included, so a violation fails here before anyone relies on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src', import.meta.url));
const walk = (d) => readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
const files = walk(src).filter((f) => f.endsWith('.ts')).map((f) => f.slice(src.length + 1).split('\\').join('/'));

/** Every import of every file: { from, to } with `to` a src-relative .ts path, or a bare specifier. */
const imports = files.flatMap((from) => {
  const text = readFileSync(join(src, from), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.map((s) => ({ from, to: s.startsWith('.') ? posix.normalize(posix.join(posix.dirname(from), s)).replace(/\.js$/, '.ts') : s }));
});
const inSrc = (i) => files.includes(i.to);
const under = (dir) => (f) => f.startsWith(dir);
const show = (list) => list.map((i) => `${i.from} → ${i.to}`).join('\n  ');

test('every relative import names a file in src/', () => {
  const broken = imports.filter((i) => i.to.endsWith('.ts') && !inSrc(i));
  assert.is(broken.length, 0, `broken:\n  ${show(broken)}`);
});

test('no cycles, type-only imports included', () => {
  const next = new Map(files.map((f) => [f, imports.filter((i) => i.from === f && inSrc(i)).map((i) => i.to)]));
  const state = new Map();
  const cycles = [];
  const visit = (f, path) => {
    state.set(f, 1);
    for (const g of next.get(f)) {
      if (state.get(g) === 1) cycles.push([...path.slice(path.indexOf(g)), g].join(' → '));
      else if (!state.has(g)) visit(g, [...path, g]);
    }
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  assert.equal(cycles, []);
});

/** Imports from files matching `from` into src files matching none of `allowed`. */
function outside(from, allowed) {
  return imports.filter((i) => from(i.from) && inSrc(i) && !allowed.some((a) => a(i.to)));
}
const is = (f) => (g) => g === f;

test('the facade is imported by the package entry only', () => {
  assert.is(show(imports.filter((i) => i.to === 'executor.ts' && i.from !== 'index.ts')), '');
});

test('graph/ and policy/ import nothing threaded: only each other, errors.ts and messages.ts', () => {
  assert.is(show(outside(under('graph/'), [under('graph/'), under('policy/'), is('errors.ts'), is('messages.ts')])), '');
  assert.is(show(outside(under('policy/'), [under('policy/'), is('errors.ts'), is('messages.ts')])), '');
  assert.is(show(outside(is('errors.ts'), [is('messages.ts')])), '');
  assert.is(show(outside(is('messages.ts'), [under('messages/')])), '');
  assert.is(show(outside(under('messages/'), [under('messages/')])), '');
  assert.is(show(outside(is('options.ts'), [is('errors.ts'), under('platform/')])), '');
});

test('the engine imports nothing above it: not the facade, observe/, worker/, algorithms/ or pipeline/', () => {
  const below = [under('engine/'), under('graph/'), under('policy/'), under('platform/'), is('errors.ts'), is('options.ts')];
  assert.is(show(outside(under('engine/'), below)), '');
});

test('algorithms/ and pipeline/ reach executors through the engine, never the facade', () => {
  const allowed = [under('engine/'), under('graph/'), under('policy/'), under('platform/'), is('errors.ts'), is('kernels.ts')];
  assert.is(show(outside(under('algorithms/'), [under('algorithms/'), ...allowed])), '');
  assert.is(show(outside(under('pipeline/'), [under('pipeline/'), ...allowed])), '');
});

test('gpu/ reaches the engine, never the facade; only the facade imports it, and then only its types, none.ts or dynamically', () => {
  const allowed = [under('gpu/'), under('engine/'), under('policy/'), under('platform/'), is('errors.ts')];
  assert.is(show(outside(under('gpu/'), allowed)), '');
  const into = imports.filter((i) => i.to.startsWith('gpu/') && !i.from.startsWith('gpu/'));
  assert.is(show(into.filter((i) => !['executor.ts', 'index.ts'].includes(i.from))), '', 'only the facade and the package entry');
  // Static imports load the module with the executor: only the small ones without WebGPU may be.
  const text = readFileSync(join(src, 'executor.ts'), 'utf8');
  const staticGpu = [...text.matchAll(/^import\s(?!type\s)[^'";]*from\s*'\.\/gpu\/([^']+)'/gm)].map((m) => m[1]);
  assert.equal(staticGpu, ['none.js'], 'executor.ts imports gpu/ statically only for none.js');
  assert.match(text, /import\('\.\/gpu\/index\.js'\)/, 'and the rest dynamically');
});

test('the engine never imports gpu/ (the lane plugs in above it)', () => {
  assert.is(show(imports.filter((i) => i.from.startsWith('engine/') && i.to.startsWith('gpu/'))), '');
});

test('the worker side never imports the host facade or the package entry', () => {
  assert.is(show(imports.filter((i) => i.from.startsWith('worker/') && (i.to === 'executor.ts' || i.to === 'index.ts'))), '');
});

test('only platform/ imports runtime-specific modules (node:*)', () => {
  const nodeImports = imports.filter((i) => i.to.startsWith('node:') && !i.from.startsWith('platform/'));
  assert.is(show(nodeImports), '');
});

test.run();
