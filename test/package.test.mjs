// beatflow as a dependency, the way a new user gets it: `npm pack`, installed into a consumer project,
// used from strict TypeScript (nodenext) and run. Offline: the tarball is extracted into the consumer's
// node_modules/beatflow, and its dependencies are linked from this repository's node_modules.
// Uses the current build (npm run build), as every test does; packing skips the prepare script.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const P = suite('the packed package');

P.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'beatflow-package-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', ctx.dir], { cwd: root });
  const [packed] = JSON.parse(stdout);
  ctx.files = packed.files.map((f) => f.path);
  ctx.tarball = join(ctx.dir, packed.filename);
  // The consumer: its own package.json, the tarball extracted as node_modules/beatflow (a copy, not
  // this checkout), and beatflow's dependencies plus @types/node linked from here.
  ctx.app = join(ctx.dir, 'app');
  const installed = join(ctx.app, 'node_modules', 'beatflow');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', ctx.tarball, '-C', installed, '--strip-components=1']);
  ctx.manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(ctx.manifest.dependencies ?? {}), '@types/node']) {
    const to = join(ctx.app, 'node_modules', dep);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), to, 'dir');
  }
  writeFileSync(join(ctx.app, 'package.json'), JSON.stringify({
    name: 'consumer', private: true, type: 'module', dependencies: { beatflow: `file:${packed.filename}` },
  }));
  cpSync(join(root, 'test', 'fixtures', 'package-consumer'), ctx.app, { recursive: true });
});
P.after((ctx) => { rmSync(ctx.dir, { recursive: true, force: true }); });

P('the tarball holds the runtime, its types and sources, and nothing else', ({ files, manifest }) => {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'build/core.wasm', 'build/src/index.js', 'build/src/index.d.ts',
    'build/src/index.js.map', 'build/src/worker/main.js', 'src/index.ts']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  const allowed = /^(?:package\.json|README\.md|LICENSE|build\/core\.wasm|build\/src\/.+\.(?:js|d\.ts|js\.map)|src\/.+\.ts)$/;
  assert.equal(files.filter((f) => !allowed.test(f)), [], 'no other file (build/core.wat, assembly/, tests, benchmarks)');
  assert.is(manifest.license, 'MIT');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) the beatflow authors\n/);
  assert.ok(manifest.repository?.url, 'package.json names its repository');
});

P('a strict nodenext TypeScript consumer compiles against it and runs', async ({ app }) => {
  // noEmitOnError: an error (or an @ts-expect-error with no error under it) fails here with tsc's output.
  try {
    await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app });
  } catch (e) {
    assert.unreachable(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
  const { stdout } = await run(process.execPath, [join(app, 'out', 'main.js')], { cwd: app, timeout: 30_000 });
  assert.equal(JSON.parse(stdout), {
    rows: [0, 1, 4, 9, 16], count: 5, label: '5 rows', loud: '5 ROWS', fib: 610, squares: [1, 4, 9],
    workerInRange: true, cancelled: false, async: '7 rows', metricsWorkers: 2,
  });
});

/** A TypeScript program over the installed package's index.d.ts, as a Node project without DOM sees it. */
function declarations(ts, app) {
  const index = join(app, 'node_modules', 'beatflow', 'build', 'src', 'index.d.ts');
  const program = ts.createProgram([index], {
    strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [join(app, 'node_modules', '@types')],
  });
  return { program, index, dts: dirname(index) };
}

/**
 * Type names that the d.ts of a public symbol mentions (directly or through other such types) but that
 * index.d.ts does not export, so a user cannot name them: [name, file, the declaration that names it].
 * Values named in `typeof` are followed but not listed (nobody imports those to use the type).
 */
function unexportedTypes(ts, { program, index, dts }) {
  const checker = program.getTypeChecker();
  const real = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(index))).map(real));
  const inPackage = (d) => !relative(dts, resolve(d.getSourceFile().fileName)).startsWith('..');
  const found = new Map();
  const seen = new Set();
  const queue = [...exported];
  const reach = (node, from) => {
    const at = node && checker.getSymbolAtLocation(ts.isQualifiedName(node) ? node.right : node);
    if (!at) return;
    const sym = real(at);
    if (sym.flags & ts.SymbolFlags.TypeParameter || !sym.declarations?.length || !sym.declarations.every(inPackage)) return;
    if (sym.flags & ts.SymbolFlags.Type && !exported.has(sym) && !found.has(sym)) {
      found.set(sym, [sym.name, relative(dts, sym.declarations[0].getSourceFile().fileName), from]);
    }
    if (!seen.has(sym)) queue.push(sym);
  };
  const walk = (node, from) => {
    if (ts.isTypeReferenceNode(node)) reach(node.typeName, from);
    else if (ts.isExpressionWithTypeArguments(node)) reach(node.expression, from);
    else if (ts.isTypeQueryNode(node)) reach(node.exprName, from);
    else if (ts.isImportTypeNode(node)) reach(node.qualifier, from);
    ts.forEachChild(node, (child) => walk(child, from));
  };
  while (queue.length) {
    const sym = queue.pop();
    if (seen.has(sym)) continue;
    seen.add(sym);
    for (const d of sym.declarations ?? []) if (inPackage(d)) walk(d, sym.name);
  }
  return [...found.values()];
}


P('every type the public API names can be imported from beatflow', ({ app }) => {
  const ts = createRequire(import.meta.url)(join(root, 'node_modules', 'typescript'));
  const missing = unexportedTypes(ts, declarations(ts, app));
  assert.equal(missing.map(([name, file, from]) => `${name} (${file}), named by ${from}`), []);
});

P("the package's d.ts files type-check for a Node project without DOM", ({ app }) => {
  const ts = createRequire(import.meta.url)(join(root, 'node_modules', 'typescript'));
  const { program, dts } = declarations(ts, app);
  const errors = ts.getPreEmitDiagnostics(program).map((d) =>
    `${d.file ? relative(dts, d.file.fileName) : '(options)'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  assert.equal(errors, [], 'a stripped @internal type still named by a public declaration, or a DOM-only type, shows up here');
});

P.run();
