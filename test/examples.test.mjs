// The README's example and the showcase run, and print what they claim.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (file) => spawnSync(process.execPath, [file], { cwd: root, timeout: 120_000, encoding: 'utf8' });

const Examples = suite('examples');

Examples('the README quick-start block is examples/quickstart.mjs, and it prints 75025 and 4', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Ten lines[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  assert.is(block, readFileSync(new URL('../examples/quickstart.mjs', import.meta.url), 'utf8'));
  const r = run('examples/quickstart.mjs');
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['75025', '4']);
});

Examples('the README loop block is part of examples/loop.mjs, and it walks Collatz from 27 in 111 steps', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /From `examples\/loop\.mjs`:\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  assert.ok(readFileSync(new URL('../examples/loop.mjs', import.meta.url), 'utf8').includes(block), 'the block is the example\'s code');
  const r = run('examples/loop.mjs');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'reached 1 after 111 steps');
});

Examples("the README's fork-join block runs as written", async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /\*\*Fork-join inside tasks\.\*\*[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  const fixture = new URL('./fixtures/readme-fib.mjs', import.meta.url);
  assert.ok(readFileSync(fixture, 'utf8').endsWith(block), 'test/fixtures/readme-fib.mjs holds the block');
  const { Executor } = await import('beatflow');
  const { fib } = await import(fixture);
  const ex = await Executor.create({ workers: 2, module: fixture });
  assert.is(await ex.async(fib, 20), 6765);
  await ex.close();
});

Examples('the README pipeline block is examples/pipeline.mjs, and it prints the running sums', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Pipelines[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  assert.is(block, readFileSync(new URL('../examples/pipeline.mjs', import.meta.url), 'utf8'));
  const r = run('examples/pipeline.mjs');
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['5', '18', '35', '60', '{ tokens: 1 } 89']);
});

Examples('the README algorithms block is part of examples/algorithms.mjs, and it prints what its comments say', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Parallel algorithms[\s\S]*?From `examples\/algorithms\.mjs`:\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  assert.ok(readFileSync(new URL('../examples/algorithms.mjs', import.meta.url), 'utf8').includes(block), 'the block is the example\'s code');
  const r = run('examples/algorithms.mjs');
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), [
    'sum of y: 1498500000', 'first y > 2990 at 997', 'largest three: [ 2997, 2997, 2997 ]', 'running total at 999: 499500',
    'graph result: 1000000',
  ]);
});

Examples('the README control block is part of examples/control.mjs: subflows, async overlap, tokens, timeouts, retries', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /From `examples\/control\.mjs`:\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the block');
  assert.ok(readFileSync(new URL('../examples/control.mjs', import.meta.url), 'utf8').includes(block), 'the block is the example\'s code');
  const r = run('examples/control.mjs');
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['6765', '100', 'CancelledError', 'true', 'ok 3']);
});

Examples('the showcase renders the same image as one thread and reports speedup and tasks/s', () => {
  const r = run('examples/mandelbrot.mjs');
  assert.is(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /speedup over one thread: \d+\.\d+×/);
  assert.match(r.stdout, /tasks per second: [\d,]+/);
  assert.match(r.stdout, /image identical to the one-thread render: yes/);
});

Examples.run();
