// What bench/runtimes.mjs measures in each runtime (Node, Deno, Bun, Chromium, Firefox), the same code in
// all: plain JavaScript with no imports, given the beatflow namespace the runtime's entry gave it.
// - threads (2 workers): tiny tasks, N × async(noop) at once + Promise.all; and a 1000-task graph of
//   empty independent tasks re-run R times → ns per task;
// - single-threaded mode (workers: 0) against the same work inline: N × async(spin, 200) + Promise.all
//   against a loop of N spin(200) calls (and the floor of any API that returns a promise per task: N
//   promises settled as made, Promise.resolve(spin(200)), + Promise.all, with no runtime), and a 1000-task graph of spin(200) re-run against loops of 1000
//   calls → ns per task and the ratio.
// Each figure is the median of 5 timed repetitions after 2 untimed: the steady state. Bun's optimizing
// tier compiles the direct path only during the first direct burst, and the second still ran 1.6–2.5×
// slower than the later ones.
export async function workload(bf, { tasksUrl, quick = false }) {
  const { Executor, Taskflow } = bf;
  const tasks = await import(tasksUrl);
  const N = quick ? 5_000 : 20_000, RUNS = quick ? 40 : 200, SINGLE_RUNS = quick ? 5 : 20, K = 200;
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const timed = async (fn) => { await fn(); await fn(); const xs = []; for (let i = 0; i < 5; i++) { const t0 = performance.now(); await fn(); xs.push(performance.now() - t0); } return median(xs); };
  const perTask = (ms, n) => +((ms * 1e6) / n).toFixed(1);
  const burst = (ex, fn, ...args) => async () => { const ps = new Array(N); for (let i = 0; i < N; i++) ps[i] = ex.async(fn, ...args); await Promise.all(ps); };
  const graph = (fn, ...args) => { const tf = new Taskflow('small'); tf.emplace(Array(1000).fill(fn)).forEach((t) => t.args(...args)); return tf; };
  const reruns = (ex, tf, runs) => async () => { for (let r = 0; r < runs; r++) await ex.run(tf); };
  const inlineBurst = () => { const out = new Array(N); for (let i = 0; i < N; i++) out[i] = tasks.spin(K); return out; };
  const inlineRuns = () => { for (let r = 0; r < SINGLE_RUNS; r++) { const out = new Array(1000); for (let i = 0; i < 1000; i++) out[i] = tasks.spin(K); } };

  const out = {};
  const ex = await Executor.create({ workers: 2, module: tasksUrl, maxTasks: 1 << 17 });
  try {
    if (ex.singleThreaded) throw new Error('no threads here (is the page cross-origin isolated?)');
    const tf = graph(tasks.noop);
    for (let i = 0; i < 20; i++) await ex.run(tf);
    out.threads = { tinyNs: perTask(await timed(burst(ex, tasks.noop)), N), rerunNs: perTask(await timed(reruns(ex, tf, RUNS)), 1000 * RUNS) };
  } finally { await ex.close(); }

  const st = await Executor.create({ workers: 0, module: tasksUrl, maxTasks: 1 << 17 });
  try {
    const tf = graph(tasks.spin, K);
    for (let i = 0; i < 5; i++) await st.run(tf);
    const settledBurst = async () => { const ps = new Array(N); for (let i = 0; i < N; i++) ps[i] = Promise.resolve(tasks.spin(K)); await Promise.all(ps); };
    const single = { tinyNs: perTask(await timed(burst(st, tasks.spin, K)), N), tinyInlineNs: perTask(await timed(async () => inlineBurst()), N),
      tinySettledNs: perTask(await timed(settledBurst), N),
      rerunNs: perTask(await timed(reruns(st, tf, SINGLE_RUNS)), 1000 * SINGLE_RUNS), rerunInlineNs: perTask(await timed(async () => inlineRuns()), 1000 * SINGLE_RUNS) };
    out.single = { ...single, tinyRatio: +(single.tinyNs / single.tinyInlineNs).toFixed(2), rerunRatio: +(single.rerunNs / single.rerunInlineNs).toFixed(2),
      settledRatio: +(single.tinySettledNs / single.tinyInlineNs).toFixed(2) };
  } finally { await st.close(); }
  return out;
}
