// Argument lists lent for one call (src/engine/arg-lists.ts): executor.async and asyncAt copy their
// arguments into a list lent for the call instead of a new array, and Tasks.async copies what it keeps.
// The lending itself, then what a caller sees: every task gets its own arguments, through the backlog
// (tasks that wait for a slot outlive the call that lent their list) and through a call made while
// another call's argument is being encoded, at 0 (single-threaded), 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgLists } from '../build/src/engine/arg-lists.js';
import { Executor } from 'beatflow';
import { fixtures, within } from './helpers/executor.mjs';
import * as tasks from './fixtures/tasks.mjs';

function lists() {
  const l = new ArgLists();
  // as executor.async fills a lent list from `arguments` (a rest array indexes the same)
  const take = (...a) => { const out = l.lend(a.length); for (let i = 0; i < a.length; i++) out[i] = a[i]; return out; };
  return { l, take };
}

// ---

const Lend = suite('ArgLists: lending');

Lend('no arguments: the shared empty list, frozen', () => {
  const { take } = lists();
  assert.equal(take(), []);
  assert.is(take(), take());
  assert.ok(Object.isFrozen(take()));
});

Lend('a list of 1 to 3 is lent again once given back, emptied of its values', () => {
  const { l, take } = lists();
  for (const args of [[1], ['a', 'b'], [1, null, { x: 1 }]]) {
    const first = take(...args);
    assert.equal(first, args);
    l.give(first);
    assert.ok(first.every((v) => v === undefined), 'a given-back list holds nothing alive');
    const second = take(...args.map((v) => [v]));
    assert.is(second, first, 'the same list is lent again');
    assert.equal(second, args.map((v) => [v]));
  }
});

Lend('while a list is out, a call of the same length gets a list of its own', () => {
  const { l, take } = lists();
  const outer = take(1, 2);
  const inner = take(3, 4);
  assert.is.not(inner, outer);
  assert.equal([outer, inner], [[1, 2], [3, 4]]);
  l.give(inner);   // not lent: ignored, the lent one stays out
  assert.is.not(take(5, 6), outer);
  l.give(outer);
  assert.is(take(7, 8), outer);
});

Lend('longer lists are made per call, and giving one back is ignored', () => {
  const { l, take } = lists();
  const a = take(1, 2, 3, 4);
  l.give(a);
  assert.equal(a, [1, 2, 3, 4]);
  assert.is.not(take(1, 2, 3, 4), a);
});

Lend.run();

// ---

const Calls = suite('executor.async with lent argument lists');

for (const workers of [0, 1, 2, 4]) {
  Calls(`${workers} workers: the arguments after fn (async) and after priority and fn (asyncAt), none included`, async () => {
    const ex = await Executor.create({ workers, module: fixtures });
    try {
      const got = await within(Promise.all([ex.async(tasks.args, 10), ex.asyncAt('high', tasks.args, 10, 20), ex.async(tasks.args), ex.asyncAt('high', tasks.args)]), 10_000, 'args');
      assert.equal(got, [[10], [10, 20], [], []]);
    } finally {
      await ex.close();
    }
  });

  Calls(`${workers} workers: tasks waiting for a slot keep their own arguments (1 to 4 of them)`, async () => {
    const ex = await Executor.create({ workers, module: fixtures, maxTasks: 1024 });
    try {
      const n = 3000;   // more than the 1024 slots: the rest wait in the backlog
      const want = Array.from({ length: n }, (_, i) => Array.from({ length: 1 + (i % 4) }, (_, j) => i * 10 + j));
      const got = await within(Promise.all(want.map((a, i) => (i % 2 ? ex.async(tasks.args, ...a) : ex.asyncAt('high', tasks.args, ...a)))), 30_000, 'backlog');
      assert.equal(got, want);
    } finally {
      await ex.close();
    }
  });

  Calls(`${workers} workers: a call made while another call's argument is encoded gets its own list`, async () => {
    const ex = await Executor.create({ workers, module: fixtures });
    try {
      let inner;
      const reentrant = { get v() { inner ??= ex.async(tasks.args, 7, 8); return 2; } };   // read while it is encoded
      const outer = ex.async(tasks.args, reentrant, 1);   // the list's second value is read after the nested call
      assert.ok(inner, 'encoding the argument called executor.async');
      assert.equal(await within(Promise.all([outer, inner]), 10_000, 'nested'), [[{ v: 2 }, 1], [7, 8]]);
    } finally {
      await ex.close();
    }
  });
}

Calls.run();
