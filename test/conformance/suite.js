// The conformance subset every runtime lane runs (Node, Deno, Bun, headless Chromium and Firefox,
// workerd): tasks, a graph with a condition loop, subflows, spawn/join, an algorithm, cancellation, an
// error with its class and task name, and (with threads) a worker that dies. Plain JavaScript with no
// imports: the lane passes in the beatflow namespace its runtime's entry gave it, the task module (its
// URL, or in a bundle its namespace, `tasks`), more executor options, and a log. Resolves to
// { passed, failed, failures, skipped }.
export async function conformance(bf, { tasksUrl, tasks: bundled, options = {}, log = () => {}, workers = 2, created = () => {} }) {
  const { Executor, Taskflow, CancellationToken, CancelledError, WorkerCrashError, reduce, transform } = bf;
  const tasks = bundled ?? await import(tasksUrl);
  const ex = await Executor.create({ workers, module: bundled ?? tasksUrl, ...options });
  created(ex);
  const failures = [];
  const skipped = [];
  let passed = 0;
  const eq = (got, want, what) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const check = async (name, fn) => {
    try {
      await fn();
      passed++;
      log(`ok   ${name}`);
    } catch (e) {
      failures.push(`${name}: ${e?.stack ?? e}`);
      log(`FAIL ${name}: ${e?.message ?? e}`);
    }
  };
  try {
    await check('tasks: exports, inline functions, a burst', async () => {
      eq(await ex.async(tasks.add, 2, 3), 5, 'export');
      eq(await ex.async((a, b) => a * b, 6, 7), 42, 'inline');
      const all = await Promise.all(Array.from({ length: 200 }, (_, i) => ex.async(tasks.add, i, 1)));
      eq(all.reduce((s, v) => s + v, 0), 200 * 201 / 2, 'burst');
    });
    await check('a graph with a condition loop', async () => {
      const c = ex.shared(Int32Array, 3);
      const tf = new Taskflow('loop');
      const init = tf.emplace(tasks.bump).args(c, 0).name('init');
      const body = tf.emplace(tasks.bump).args(c, 1).name('body');
      const more = tf.condition(tasks.loopWhile).args(c, 1, 50).name('more?');
      const done = tf.emplace(tasks.bump).args(c, 2).name('done');
      init.precede(body); body.precede(more); more.precede(body, done);
      await ex.run(tf);
      eq([...c], [1, 50, 1], 'counts');
    });
    await check('subflows', async () => eq(await ex.async(tasks.sfib, 12), 144, 'sfib(12)'));
    await check('spawn/join', async () => eq(await ex.async(tasks.fib, 16), 987, 'fib(16)'));
    await check('algorithms: reduce and transform', async () => {
      const a = ex.shared(Float64Array, 100_000);
      for (let i = 0; i < a.length; i++) a[i] = i % 7;
      let want = 0;
      for (let i = 0; i < a.length; i++) want += a[i];
      eq(await reduce(ex, a, 'sum'), want, 'sum');
      const out = ex.shared(Float64Array, a.length);
      await transform(ex, a, out, (x, y, lo, hi) => { for (let i = lo; i < hi; i++) y[i] = x[i] * 2; });
      eq([out[0], out[1], out[99_999]], [0, 2, (99_999 % 7) * 2], 'doubled');
    });
    await check('cancellation', async () => {
      const started = ex.shared(Int32Array, 1);
      const token = new CancellationToken();
      const p = ex.submit(ex.singleThreaded ? tasks.untilCancelledAsync : tasks.untilCancelled, [started], { token });
      while (Atomics.load(started, 0) === 0) await new Promise((r) => setTimeout(r, 1));
      token.cancel('user pressed stop');
      const e = await p.then(() => undefined, (err) => err);
      if (!(e instanceof CancelledError)) throw new Error(`want a CancelledError, got ${e}`);
      if (!/user pressed stop/.test(e.message)) throw new Error(`reason missing: ${e.message}`);
    });
    await check('an error keeps its class, properties and task name', async () => {
      const e = await ex.async(tasks.boom, 'bad input').then(() => undefined, (err) => err);
      if (!(e instanceof TypeError)) throw new Error(`want a TypeError, got ${e}`);
      eq([e.message, e.code, e.task], ['bad input', 'E_BOOM', 'boom'], 'message, code, task');
    });
    // Last: the pool has a replacement thread from here on. The single-threaded mode has no thread to lose.
    if (ex.singleThreaded) skipped.push('a worker that dies (single-threaded: no worker thread)');
    else await check('a worker that dies: its task fails with the cause, the executor goes on', async () => {
      const e = await ex.async(tasks.crashLater, 'died on purpose').then(() => undefined, (err) => err);
      if (!(e instanceof WorkerCrashError)) throw new Error(`want a WorkerCrashError, got ${e?.stack ?? e}`);
      if (!/died on purpose/.test(e.message)) throw new Error(`the cause is missing: ${e.message}`);
      eq(e.task, 'crashLater', 'task');
      eq(await ex.async(tasks.add, 40, 2), 42, 'a task after the crash');
      eq(ex.lifecycle().crashes, 1, 'crashes');
    });
  } finally {
    await ex.close();
  }
  return { passed, failed: failures.length, failures, skipped };
}
