// Shared test plumbing: a configured core on the host, worker threads attached to the same memory,
// timeouts that turn a hang into a failure, and the growing size sequence the concurrency tests use.
import { Worker } from 'node:worker_threads';
import { SharedCore, compileCore } from '../../build/src/engine/memory.js';

export { SharedCore, compileCore };

export const EMPTY = -1;
export const RETRY = -2;
export const SHUTDOWN = -3;
export const NONE = 0xffffffff;

/** A small default configuration; tests override what they exercise. */
export const BASE_CONFIG = Object.freeze({
  workers: 2, taskCapLog2: 8, dequeCapLog2: 8, runCap: 4, fnCap: 4, maxSpinners: 1, spinIters: 64,
});

/** A fresh shared memory laid out for `config` (merged over BASE_CONFIG), and the compiled module. */
export async function makeCore(config = {}) {
  const module = await compileCore();
  const core = SharedCore.create(module, { ...BASE_CONFIG, ...config });
  return { module, core };
}

/**
 * Multiplier for the stress sizes: BEATFLOW_TEST_SCALE=0.1 for a quick local pass, 4 for a soak.
 * Default 1, which is what CI runs and what the property claims in each file are stated for.
 */
export const SCALE = (() => {
  const v = Number(process.env.BEATFLOW_TEST_SCALE ?? '1');
  return Number.isFinite(v) && v > 0 ? v : 1;
})();

/** 1, 4, 13, 40, 121, 364, … (n → 3n + 1) while below max, then max itself: 1 … 797161, 1000000. */
export function growing(max) {
  const out = [];
  for (let n = 1; n < max; n = 3 * n + 1) out.push(n);
  out.push(max);
  return out;
}

/**
 * growing(max) under a time budget: the sizes up to `floor` always (the least a test claims), and each
 * larger one while it is expected to end within budgetMs of the first (a size is ~3× the last, so its
 * round is taken to last 3.5× as long). The caller runs one round per size, in order. On a loaded
 * machine a round's time is erratic (a spinning thread can wait whole time slices for one that is off
 * its CPU), so a round above the floor also gets `deadline(n)` (a Date.now() time, or 0 for none) for
 * its producers to stop at; one that stopped there reports what it did with `cut(n, taken)`, and is the
 * last. `summary` goes in the log line. A quiet machine reaches `max`. BEATFLOW_TEST_SCALE scales the budget.
 */
export function growingWithin(max, budgetMs, floor) {
  const sizes = growing(max);
  const budget = budgetMs * SCALE;
  const done = [];
  let start = 0, last = 0, startEpoch = 0, partial;
  return {
    done,
    get reached() { return done[done.length - 1] ?? 0; },
    deadline(n) { return n <= floor ? 0 : startEpoch + budget; },
    cut(n, taken) { partial = { n, taken }; },
    /** "n = 1 … 29524, then 51234 of 88573 (the 3.0 s budget)", or "n = 1 … 1000000". */
    get summary() {
      const r = this.reached, b = `(the ${(budget / 1000).toFixed(1)} s budget)`;
      if (partial) return `n = 1 … ${r}, then ${partial.taken} of ${partial.n} ${b}`;
      return `n = 1 … ${r}${r < max ? ` of ${max} ${b}` : ''}`;
    },
    *[Symbol.iterator]() {
      start = last = performance.now();
      startEpoch = Date.now();
      for (const n of sizes) {
        const now = performance.now();
        if (partial || (n > floor && done.length > 0 && now - start + 3.5 * (now - last) > budget)) return;
        last = now;
        yield n;
        if (!partial) done.push(n);
      }
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves like `p`, or rejects with a labelled error after `ms` (a lost wake-up or a livelock). */
export function withTimeout(p, ms, label) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
    timer.unref(); // a pending limit must not keep a finished test file alive
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Resolves like `p`, or rejects when progress() (any value that changes while work gets done) stays the
 * same for stallMs. A lost wake-up makes no progress at all, while a slow machine still makes some, so
 * this fails a hang quickly without failing a slow run.
 */
export function withProgress(p, progress, stallMs, label) {
  let timer;
  const stall = new Promise((_, reject) => {
    let last = progress(), since = Date.now();
    timer = setInterval(() => {
      const now = progress();
      if (now !== last) { last = now; since = Date.now(); return; }
      if (Date.now() - since > stallMs) reject(new Error(`no progress for ${stallMs} ms (stuck at ${now}): ${label}`));
    }, 100);
    timer.unref();
  });
  return Promise.race([p, stall]).finally(() => clearInterval(timer));
}

/** Polls `cond` (a cheap synchronous check) until it holds, or fails the test after `ms`. */
export async function until(cond, ms, label) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${label}`);
    await sleep(1);
  }
}

/**
 * A group of worker threads running one helper script, all attached to the same core.
 * Each thread gets workerData = { module, memory, index, count, ...shared } and answers each message
 * with one reply (see helpers/thread.mjs). `round(msgs)` sends msgs[i] to thread i and awaits every reply.
 */
export class Threads {
  constructor(script, count, { module, core }, shared = {}) {
    this.count = count;
    this.workers = [];
    this.failure = null;
    this.waiters = [];
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL(script, import.meta.url), {
        workerData: { module, memory: core.memory, index: i, count, ...shared },
      });
      const slot = { w, pending: null };
      w.on('message', (m) => {
        const p = slot.pending;
        slot.pending = null;
        if (!p) return;
        if (m && m.error) p.reject(new Error(`thread ${i}: ${m.error}`));
        else p.resolve(m);
      });
      w.on('error', (err) => this.#fail(new Error(`thread ${i} crashed: ${err.stack ?? err}`)));
      w.on('exit', (code) => { if (!this.closed) this.#fail(new Error(`thread ${i} exited early (code ${code})`)); });
      this.workers.push(slot);
    }
  }

  #fail(err) {
    this.failure ??= err;
    for (const s of this.workers) if (s.pending) { s.pending.reject(err); s.pending = null; }
  }

  /** Sends msgs[i] (or msgs, if not an array) to each thread; resolves with every reply, or rejects after ms. */
  round(msgs, ms, label) {
    if (this.failure) return Promise.reject(this.failure);
    const replies = this.workers.map((s, i) => new Promise((resolve, reject) => {
      s.pending = { resolve, reject };
      s.w.postMessage(Array.isArray(msgs) ? msgs[i] : msgs);
    }));
    return withTimeout(Promise.all(replies), ms, `${label} (a thread never finished)`);
  }

  async close() {
    this.closed = true;
    for (const s of this.workers) if (s.pending) { s.pending.reject(new Error('threads closed')); s.pending = null; }
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}

/** Runs fn(threads) and always terminates the threads, even when fn throws or times out. */
export async function withThreads(script, count, env, shared, fn) {
  const th = new Threads(script, count, env, shared);
  try {
    return await fn(th);
  } finally {
    await th.close();
  }
}

/**
 * Checks that counts[0..n) are all exactly 1: every value was taken exactly once (or, with `taken`, 1 for
 * the values taken(v) says were put in and 0 for the others). Reports the first few missing and
 * duplicated (or never put in) values, which is what one needs to reproduce a failure.
 */
export function exactlyOnce(counts, n, label, taken = () => true) {
  const missing = [], dup = [];
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (c === (taken(i) ? 1 : 0)) continue;
    if (c === 0) { if (missing.length < 5) missing.push(i); else missing.more = true; }
    else if (dup.length < 5) dup.push(`${i}×${c}`); else dup.more = true;
  }
  if (missing.length || dup.length) {
    throw new Error(`${label}: not exactly once — missing [${missing.join(', ')}${missing.more ? ', …' : ''}]` +
      ` duplicated [${dup.join(', ')}${dup.more ? ', …' : ''}]`);
  }
}
