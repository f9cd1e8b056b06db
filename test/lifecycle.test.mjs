// close() and destroy(): bounded in time, nothing accepted is lost, and a process can always exit.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

const Life = suite('lifecycle');

Life('close() finishes everything already submitted, then resolves', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const ps = Array.from({ length: 3000 }, (_, i) => ex.async(tasks.inc, i));
  const tf = new Taskflow('pending');
  const t = tf.emplace(tasks.spin).args(50);
  const run = ex.run(tf);
  await within(ex.close(), 10_000, 'close');
  const got = await Promise.all(ps);
  assert.ok(got.every((v, i) => v === i + 1));
  assert.is((await run).result(t), 50);
});

Life('after close(), new work is refused with a message naming the call', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures });
  await ex.close();
  assert.match((await rejection(ex.async(tasks.noop))).message, /executor\.async\(\) called after close\(\)/);
  assert.match((await rejection(ex.run(new Taskflow()))).message, /executor\.run\(\) called after close\(\)/);
  await within(ex.close(), 1000, 'second close');
});

Life('close() is bounded: a task that never ends is rejected after closeTimeout', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures, closeTimeout: 300 });
  const stuck = ex.async(tasks.spin, 60_000);
  const t0 = Date.now();
  await within(ex.close(), 5000, 'bounded close');
  assert.ok(Date.now() - t0 < 3000, 'close returned soon after the timeout');
  assert.match((await rejection(stuck)).message, /close\(\) timed out after 300 ms/);
});

Life('destroy() stops at once and rejects what is in flight', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const running = [ex.async(tasks.spin, 60_000), ex.async(tasks.spin, 60_000), ex.async(tasks.inc, 1)];
  const tf = new Taskflow('cut');
  tf.emplace(tasks.spin).args(60_000);
  const run = ex.run(tf);
  await new Promise((r) => setTimeout(r, 100));
  await within(ex.destroy(), 5000, 'destroy');
  const settled = await within(Promise.allSettled([...running, run]), 2000, 'settle');
  assert.is(settled[0].status, 'rejected');
  assert.match(settled[0].reason.message, /destroyed/);
  assert.is(settled[3].status, 'rejected');
  await within(ex.destroy(), 1000, 'destroy twice');
  await within(ex.close(), 1000, 'close after destroy');
});

Life('an executor that is never closed does not keep the process alive', () => {
  const script = `
    import { Executor } from 'beatflow';
    const ex = await Executor.create({ workers: 2 });
    console.log(await ex.async((x) => x + 1, 41));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000, encoding: 'utf8',
  });
  assert.is(child.error, undefined, `the child hung: ${child.error}`);
  assert.is(child.stdout.trim(), '42');
  assert.is(child.status, 0, child.stderr);
});

Life('many executors created and closed in turn leave nothing running', async () => {
  for (let i = 0; i < 5; i++) {
    const ex = await Executor.create({ workers: 2, module: fixtures });
    assert.is(await ex.async(tasks.inc, i), i + 1);
    await within(ex.close(), 10_000, `close ${i}`);
  }
});

Life.run();
