// runtimes: the same workload (runtimes/workload.js) in Deno, Bun, headless Chromium and headless Firefox
// ESR, each against Node on the same machine in the same case, as ratios:
// - tiny tasks: 20k × async(noop) at once + Promise.all, 2 workers → ns per task;
// - the 1000-task graph of empty independent tasks re-run 200 times, 2 workers → ns per task;
// - the single-threaded mode (workers: 0) against the same work inline, with tasks of about 1 µs
//   (spin(200)): 20k async + Promise.all against a loop of calls, and the 1000-task graph re-run
//   against loops of 1000 calls → single / inline (target ≤ 1.5×, as bench/single.mjs).
// Each case runs the workload in Node and in the other runtime by turns (Node first, then the other
// first, …: 3 rounds, 1 with --quick), each run in a fresh process or page, and reports medians.
// Node, Deno and Bun run runtimes/cli.js through their own entry; the browsers open runtimes/page.html
// from a cross-origin isolated server (the browser example's, examples/browser/serve.mjs), driven by the
// pinned playwright-core as the browser lanes are (test/helpers/browser.mjs). A runtime that is not
// installed is reported as an error cell.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childMain, median, fmt, table, errorCell } from './lib.mjs';

export const cases = () => ['deno', 'bun', 'chromium', 'firefox'];
export const timeoutS = ({ quick }) => (quick ? 120 : 400);

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = 'bench/runtimes/cli.js';
const TARGET = 1.5;
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', NO_COLOR: '1' };
const COMMANDS = {
  node: [process.execPath, [cli]],
  deno: [`${root}node_modules/.bin/deno`, ['run', '--allow-read', '--allow-env', cli]],
  bun: [`${root}node_modules/.bin/bun`, [cli]],
};

/** One run of the workload in a runtime with a binary: its JSON line. */
async function inProcess(name, quick) {
  const [cmd, args] = COMMANDS[name];
  const { stdout } = await run(cmd, [...args, ...(quick ? ['--quick'] : [])], { cwd: root, env, timeout: 180_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

/** A browser, launched once per case: each run opens the page afresh. */
async function openBrowser(name) {
  const { launch, serve, urlOf, openPage } = await import('../test/helpers/browser.mjs');
  const browser = await launch(name);
  if (!browser) throw new Error(`no ${name} binary (apt-get install ${name === 'firefox' ? 'firefox-esr' : 'chromium'})`);
  const server = await serve({ isolated: true });
  return {
    async run(quick) {
      const { r, console: lines } = await openPage(browser, urlOf(server, `bench/runtimes/page.html${quick ? '?quick' : ''}`), 180_000);
      if (r.error) throw new Error(`${r.error}\n${lines.join('\n')}`);
      return r;
    },
    async close() { await browser.close(); server.close(); },
  };
}

/** Medians, field by field, of the runs' figures. */
function medians(runs) {
  const pick = (part, key) => median(runs.map((r) => r[part][key]));
  return {
    threads: { tinyNs: pick('threads', 'tinyNs'), rerunNs: pick('threads', 'rerunNs') },
    single: { tinyRatio: pick('single', 'tinyRatio'), settledRatio: pick('single', 'settledRatio'), rerunRatio: pick('single', 'rerunRatio'), tinyNs: pick('single', 'tinyNs'), rerunNs: pick('single', 'rerunNs') },
  };
}

export async function runCase(name, { quick }) {
  const browser = name === 'chromium' || name === 'firefox' ? await openBrowser(name) : undefined;
  const other = browser ? () => browser.run(quick) : () => inProcess(name, quick);
  const runs = { node: [], other: [] };
  let entry;
  try {
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const order = round % 2 === 0 ? ['node', 'other'] : ['other', 'node'];
      for (const which of order) {
        const r = which === 'node' ? await inProcess('node', quick) : await other();
        entry ??= which === 'other' ? r.entry : undefined;
        runs[which].push(r);
      }
    }
  } finally {
    await browser?.close();
  }
  return { runtime: name, entry, rounds: runs.node.length, node: medians(runs.node), other: medians(runs.other), runs };
}

export function report(res) {
  const rows = [];
  const vs = (x, n) => `${fmt(x)} (Node ${fmt(n)}): ${(x / n).toFixed(2)}×`;
  for (const [name, r] of Object.entries(res)) {
    if (!r.ok) { rows.push([name, errorCell(r), '–', '–', '–', '–', r.bgCores]); continue; }
    const { node, other } = r.result;
    const single = (o, key) => `${o.single[key]}×${o.single[key] <= TARGET ? '' : ' (not met)'}`;
    rows.push([name, vs(other.threads.tinyNs, node.threads.tinyNs), vs(other.threads.rerunNs, node.threads.rerunNs),
      `${single(other, 'tinyRatio')} (Node ${single(node, 'tinyRatio')})`, `${other.single.settledRatio}× (Node ${node.single.settledRatio}×)`,
      `${single(other, 'rerunRatio')} (Node ${single(node, 'rerunRatio')})`, r.bgCores]);
  }
  return [
    '## runtimes: the same workload in Deno, Bun, Chromium and Firefox against Node, by turns in one case',
    '',
    table(['runtime', 'tiny async(noop), 2 workers, ns/task (vs Node)', '1000-task graph re-run, 2 workers, ns/task (vs Node)',
      `single-threaded async(spin(200)) / inline (≤ ${TARGET}×)`, 'a settled promise per task, no runtime / inline',
      `single-threaded graph re-run / inline (≤ ${TARGET}×)`, 'bg cores'], rows),
  ].join('\n');
}

childMain(import.meta.url, runCase);
