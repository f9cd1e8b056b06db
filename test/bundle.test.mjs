// beatflow inside a user's bundle: inline sources that carry a bundler's __name calls compile on the
// workers (compileInline), and a program bundled with esbuild (beatflow external, keepNames) runs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { compileInline } from '../build/src/engine/functions.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const fixtures = join(root, 'test', 'fixtures');

// ---
const Compile = suite('compileInline: sources written by a bundler that keeps names');

Compile('__name calls in a function body resolve, and set the name', () => {
  const fn = compileInline('(x) => { const sq = /* @__PURE__ */ __name((v) => v * v, "sq"); return [sq(x), sq.name]; }');
  assert.equal(fn(3), [9, 'sq']);
  const decl = compileInline('function outer(n) {\n  function inner(v) { return v + 1; }\n  __name(inner, "renamed");\n  return [inner(n), inner.name];\n}');
  assert.equal(decl(1), [2, 'renamed'], 'a hoisted declaration, renamed as a minifier that keeps names does');
});

Compile('method shorthand sources get the helper too', () => {
  const fn = compileInline('area(w, h) { const mul = __name((a, b) => a * b, "mul"); return mul(w, h); }');
  assert.is(fn(3, 4), 12);
});

Compile("a source's own __name shadows the helper", () => {
  assert.is(compileInline('(x) => { const __name = 5; return __name + x; }')(1), 6);
  assert.is(compileInline('function __name(x) { return x * 2; }')(4), 8, 'a function named __name');
});

Compile('a captured variable is still a ReferenceError', () => {
  assert.throws(() => compileInline('(x) => x + notDefinedAnywhere')(1), (e) => e instanceof ReferenceError);
});

// ---
const Bundle = suite('a program bundled with esbuild: beatflow external, keepNames');

Bundle.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-bundle-'));
  // The bundle imports 'beatflow' from node_modules, as a user's would: link this package there.
  mkdirSync(join(ctx.dir, 'node_modules'));
  symlinkSync(root, join(ctx.dir, 'node_modules', 'beatflow'), 'dir');
});
Bundle.after((ctx) => { rmSync(ctx.dir, { recursive: true, force: true }); });

Bundle('the bundle runs its inline tasks and its task-module export', async ({ dir }) => {
  const out = join(dir, 'out');
  // Two entry points sharing one chunk: the program and the task module the workers import. Splitting
  // keeps one copy of each export, so the host finds the program's tasks.addBase among the module's.
  await build({
    entryPoints: [join(fixtures, 'bundle-main.mjs'), join(fixtures, 'bundle-tasks.mjs')],
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    external: ['beatflow'],
    logLevel: 'silent',
  });
  const main = readFileSync(join(out, 'bundle-main.mjs'), 'utf8');
  assert.match(main, /__name\(\(v\) => v \* v, "sq"\)/, 'keepNames wrote a __name call inside the inline task');
  assert.match(main, /from "beatflow"/, 'beatflow stays an import');
  assert.not.match(main, /class Executor/, 'beatflow is not in the bundle');

  const { stdout } = await promisify(execFile)(process.execPath, [join(out, 'bundle-main.mjs')], { cwd: dir, timeout: 30_000 });
  assert.equal(JSON.parse(stdout), { square: 49, shifted: 149, halves: [5, 'half', 'named'] });
});

Compile.run();
Bundle.run();
