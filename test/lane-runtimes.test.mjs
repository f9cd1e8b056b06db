// The Deno and Bun lanes: the conformance subset (test/conformance/suite.js) run by each runtime's own
// binary (the pinned `deno` and `bun` devDependencies), through the entry package.json gives it, plus Node
// as the reference; with threads in each, so the subset's worker that dies is a crash in that runtime's
// own workers. Each lane prints its own count.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const cli = 'test/conformance/cli.js';
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', NO_COLOR: '1' };

const lanes = [
  { name: 'node', cmd: process.execPath, args: [cli], entry: 'entries/node.js' },
  { name: 'deno', cmd: bin('deno'), args: ['run', '--allow-read', '--allow-env', cli], entry: 'entries/deno.js' },
  { name: 'bun', cmd: bin('bun'), args: [cli], entry: 'entries/bun.js' },
];
// The single-threaded mode in Deno and Bun (Node's is test/single-thread.test.mjs): the process must stay
// alive while a task is owed, though nothing but a pending Atomics.waitAsync waits for it.
const SINGLE = ['a worker that dies (single-threaded: no worker thread)'];
const runs = [...lanes.map((l) => ({ ...l, single: false })), ...lanes.filter((l) => l.name !== 'node').map((l) => ({ ...l, single: true }))];

const L = suite('runtime lanes');

for (const lane of runs) {
  const label = `${lane.name}${lane.single ? ', single-threaded' : ''}`;
  L(`${label}: the conformance subset passes through its own entry`, async () => {
    assert.ok(existsSync(lane.cmd), `${lane.cmd} is installed (npm ci)`);
    let out;
    try {
      out = (await run(lane.cmd, lane.single ? [...lane.args, '--single'] : lane.args, { cwd: root, env, timeout: 60_000 })).stdout;
    } catch (e) {
      assert.unreachable(`${label} exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    }
    const r = JSON.parse(out.trim().split('\n').at(-1));
    console.log(`  lane ${label}: ${r.passed} passed, ${r.failed} failed${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}`);
    assert.ok(r.entry.endsWith(lane.entry), `${r.entry} is the ${lane.name} entry`);
    assert.equal(r.failures, []);
    assert.equal(r.skipped, lane.single ? SINGLE : []);
    assert.is(r.passed, lane.single ? 7 : 8);   // threads: with the worker that dies
  });
}

L.run();
