// The task context's keys (src/worker/context-object.ts) are the members docs/api.md's table of `this`
// lists, no more and no fewer, on a worker thread and on the host thread (0 workers); in no promised
// order, but each once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Executor } from 'beatflow';
import { within } from './helpers/executor.mjs';

/** The members the table headed "| member | what |" of docs/api.md names (`this.spawn(fn, ...args)` → spawn). */
function documented() {
  const text = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  const table = /^\| member \| what \|\n\|[- |]+\|\n((?:\|.*\|\n)+)/m.exec(text);
  assert.ok(table, 'docs/api.md has the table of the task context');
  return [...table[1].matchAll(/`this\.(\w+)/g)].map((m) => m[1]);
}

const S = suite('the task context: Object.keys(this) is the documented members');

for (const workers of [0, 2]) {
  S(`${workers} workers`, async () => {
    const ex = await Executor.create({ workers });
    try {
      const keys = await ex.async(function () { return Object.keys(this); });
      assert.is(new Set(keys).size, keys.length, `each once: ${keys}`);
      assert.equal([...keys].sort(), [...new Set(documented())].sort());
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}

S.run();
