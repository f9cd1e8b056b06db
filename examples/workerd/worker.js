// A workerd worker (Cloudflare Workers) that answers each request with a small task graph: the words of
// ?text= are counted and the longest found, while fib(?n=) runs beside them. workerd has no threads, so
// the executor runs single-threaded (workers: 0), inside the request: created for it and closed before
// the response. The core comes embedded as a wasm module (workerd compiles nothing at run time).
import { Executor, Taskflow } from 'beatflow';
import core from 'beatflow/core.wasm';
import * as tasks from './tasks.js';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const text = url.searchParams.get('text') ?? 'the quick brown fox jumps over the lazy dog';
    const n = Number(url.searchParams.get('n') ?? 20);
    const executor = await Executor.create({ workers: 0, wasm: core, module: tasks });
    try {
      const tf = new Taskflow('words');
      const [split, count, longest, fib] = tf.emplace(tasks.words, tasks.count, tasks.longest, tasks.fib);
      split.args(text).precede(count, longest);   // count(words(text)), longest(words(text))
      fib.args(n);
      const run = await executor.run(tf);
      return Response.json({ words: run.result(count), longest: run.result(longest), fib: run.result(fib) });
    } finally {
      await executor.close();
    }
  },
};
