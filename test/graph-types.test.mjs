// The graph classes as a TypeScript user sees them: the declarations the package ships (build/src, made
// with stripInternal) show each class's public members only. An internal member whose doc comment says
// @internal on one declaration but not on another (a getter's setter) would stay in the d.ts, where a
// user's editor offers it and a user's code may write it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const index = fileURLToPath(import.meta.resolve('beatflow')).replace(/\.js$/, '.d.ts');

const Types = suite('graph classes: their declarations name no internal member');

Types('Task, Taskflow, Subflow and Semaphore declare no member named with a leading underscore', () => {
  const program = ts.createProgram([index], {
    strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(index)));
  const leaked = [];
  for (const name of ['Task', 'Taskflow', 'Subflow', 'Semaphore']) {
    const found = exports.find((s) => s.name === name);
    assert.ok(found, `beatflow exports ${name}`);
    const sym = found.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(found) : found;
    for (const p of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym))) {   // '__@…': a member keyed by a symbol
      if (p.name.startsWith('_') && !p.name.startsWith('__@')) leaked.push(`${name}.${p.name}`);
    }
  }
  assert.equal(leaked, [], 'internal members left in the public declarations');
});

Types.run();
