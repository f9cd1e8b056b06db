// Every user-facing message lives in one table, src/messages.ts `messages` (written by area in
// src/messages/), and each one is used. Read from
// the TypeScript sources with the compiler's parser, so comments and the `beatflow.`-prefixed names of the
// built-in task functions never count. Also here: describe() bounds what it copies of a value into a
// message, internal errors say so, and the messages whose wording this table fixed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Taskflow, CancellationToken } from 'beatflow';
import { messages, describe } from '../build/src/errors.js';
import { MESSAGE_AREAS } from '../build/src/messages.js';
import { checkKernel } from '../build/src/kernels.js';

const src = fileURLToPath(new URL('../src', import.meta.url));
const walk = (d) => readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
const files = walk(src).filter((f) => f.endsWith('.ts')).map((f) => f.slice(src.length + 1).split('\\').join('/')).sort();

/** Calls every node of a file's syntax tree (comments are trivia: never visited). */
function visit(file, fn) {
  const text = readFileSync(join(src, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const at = (node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const go = (node) => { fn(node, at); ts.forEachChild(node, go); };
  go(sf);
}

/** The table: messages.ts and its areas. */
const isTable = (file) => file === 'messages.ts' || file.startsWith('messages/');

const isText = (n) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) ||
  ts.isTemplateMiddle(n) || ts.isTemplateTail(n);
const isLiteralMessage = (n) => isText(n) || ts.isTemplateExpression(n) ||
  (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken && (isLiteralMessage(n.left) || isLiteralMessage(n.right)));

// ---
const Table = suite('one table');

Table('no file in src/ but the table (messages.ts, messages/) writes a beatflow message', () => {
  const found = [];
  for (const file of files) {
    if (isTable(file)) continue;
    visit(file, (n, at) => {
      if (isText(n) && /\bbeatflow[: ]/.test(n.text)) found.push(`${at(n)}: ${JSON.stringify(n.text.slice(0, 60))}`);
    });
  }
  assert.is(found.join('\n'), '', 'move these into the table (src/messages/, by area)');
});

Table('no error is built from a literal message outside the table (prefixed or not)', () => {
  const found = [];
  for (const file of files) {
    if (isTable(file)) continue;
    visit(file, (n, at) => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && /Error$/.test(n.expression.text) &&
          n.arguments?.length && isLiteralMessage(n.arguments[0])) found.push(`${at(n)}: new ${n.expression.text}(${n.arguments[0].getText().slice(0, 60)}…)`);
    });
  }
  assert.is(found.join('\n'), '', 'use an entry of messages');
});

Table('every entry of messages is used somewhere in src/ (no dead messages)', () => {
  const used = new Set();
  for (const file of files) {
    if (file === 'errors.ts') continue;
    visit(file, (n) => {
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'messages') used.add(n.name.text);
    });
  }
  const dead = Object.keys(messages).filter((k) => !used.has(k));
  assert.equal(dead, [], 'entries nothing uses');
});

Table('each name is defined in one area only, and the table is every area together', () => {
  const where = new Map();
  const twice = [];
  for (const [area, table] of Object.entries(MESSAGE_AREAS)) {
    for (const k of Object.keys(table)) {
      if (where.has(k)) twice.push(`${k}: ${where.get(k)} and ${area}`);
      else where.set(k, area);
    }
  }
  assert.equal(twice, [], 'a later area would silently replace the earlier entry');
  assert.equal(Object.keys(messages).sort(), [...where.keys()].sort());
});

Table('internal errors say so and ask to be reported', () => {
  for (const m of [messages.corruptKind(99, 4096), messages.unregistered(7), messages.noError('t')]) {
    assert.match(m, /^beatflow internal error: .+ — please report$/);
  }
});

Table.run();

// ---
const Describe = suite('describe()');
const MAX = 80;

Describe('writes small values whole', () => {
  assert.is(describe('fast'), '"fast"');
  assert.is(describe(42), '42');
  assert.is(describe(undefined), 'undefined');
  assert.is(describe(null), 'null');
  assert.is(describe(5n), '5n');
  assert.is(describe(Symbol('s')), 'Symbol(s)');
  assert.is(describe(function fib() {}), 'function fib');
  assert.is(describe(() => {}), 'function (anonymous)');
  assert.is(describe([1, 'a', [2, [3]]]), '[1, "a", [2, […]]]');
  assert.is(describe(new Map()), 'Map');
  assert.is(describe(Object.create(null)), 'an object');
});

Describe(`caps what it copies at ${MAX} characters, with an ellipsis`, () => {
  const cases = {
    'a huge string': 'x'.repeat(1 << 20),
    'a huge array': new Array(1 << 20).fill(123456),
    'a long function name': Object.defineProperty(() => {}, 'name', { value: 'f'.repeat(10_000) }),
    'a huge bigint': 10n ** 500n,
    'a long symbol': Symbol('s'.repeat(10_000)),
    'a long constructor.name': new (class { static get name() { return 'C'.repeat(10_000); } })(),
  };
  for (const [what, v] of Object.entries(cases)) {
    const d = describe(v);
    assert.ok(d.length <= MAX, `${what}: ${d.length} characters`);
    assert.ok(d.endsWith('…') || d.endsWith('…]') || d.endsWith('…n'), `${what}: ${d}`);
  }
});

Describe('never throws, whatever the value does', () => {
  const throwing = new Proxy({}, { get() { throw new Error('hostile'); }, getPrototypeOf() { throw new Error('hostile'); } });
  const badName = { constructor: { name: Symbol('not a string') } };
  const throwingName = { get constructor() { throw new Error('hostile'); } };
  const selfArray = []; selfArray.push(selfArray, selfArray);
  const fnName = Object.defineProperty(() => {}, 'name', { get() { throw new Error('hostile'); } });
  assert.is(describe(throwing), 'an object');
  assert.is(describe(badName), 'an object');
  assert.is(describe(throwingName), 'an object');
  assert.is(describe(selfArray), '[[[…], […]], [[…], […]]]');
  assert.is(describe(fnName), 'a function');
});

Describe('a message built from a hostile value stays short', () => {
  const hostile = new (class { static get name() { return 'Z'.repeat(1 << 20); } })();
  const e1 = (() => { try { new Taskflow(hostile); } catch (e) { return e; } })();
  assert.ok(e1.message.length < 200, `${e1.message.length} characters`);
  assert.match(e1.message, /^beatflow: new Taskflow\(name\): name must be a string \(got Z+…\)$/);
  const e2 = (() => { try { checkKernel({ kind: 'k'.repeat(1 << 20) }); } catch (e) { return e; } })();
  assert.ok(e2.message.length < 200, `${e2.message.length} characters`);
});

Describe.run();

// ---
const Named = suite('messages name what is at fault');
const throwsExactly = (fn, want) => {
  try { fn(); } catch (e) { assert.is(e.message, want); return; }
  assert.unreachable(`did not throw: ${want}`);
};

Named('task methods name the method, the task and the argument', () => {
  const tf = new Taskflow('t');
  const load = tf.emplace(function load() {});
  throwsExactly(() => load.retries(300), "beatflow: task.retries(n) on task 'load': n must be an integer from 0 to 255 (got 300)");
  throwsExactly(() => load.priority('asap'),
    "beatflow: task.priority(p) on task 'load': p must be one of 'critical', 'high', 'normal', 'low' (got \"asap\")");
  throwsExactly(() => load.name(7), "beatflow: task.name(name) on task 'load': name must be a string (got 7)");
  throwsExactly(() => load.precede('parse'), 'beatflow: task.precede(...tasks): each task must be a Task from taskflow.emplace() (got "parse")');
  throwsExactly(() => tf.erase({}), 'beatflow: taskflow.erase(task): task must be a Task from taskflow.emplace() (got Object)');
  throwsExactly(() => new Taskflow(3), 'beatflow: new Taskflow(name): name must be a string (got 3)');
});

Named('cancellation tokens name the call and the value', () => {
  throwsExactly(() => new CancellationToken({ signal: 'soon' }),
    'beatflow: new CancellationToken({ signal }): signal must be an AbortSignal (got "soon")');
  throwsExactly(() => new CancellationToken().cancelAfter(-1),
    'beatflow: token.cancelAfter(ms): ms must be a non-negative number of milliseconds (got -1)');
  throwsExactly(() => new CancellationToken().cancelAt('tomorrow'),
    'beatflow: token.cancelAt(time): time must be a Date or epoch milliseconds (got "tomorrow")');
});

Named.run();
