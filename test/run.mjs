#!/usr/bin/env node
// The project's test command (`npm test`). Finds every test/**/*.test.mjs, runs each file alone in its own
// `node` process, one after another (the concurrency tests want every core to themselves), echoes its
// output, and totals uvu's summary lines. The last line printed is always `N passed, N failed`
// (plus `, N skipped` when something was skipped); .ci/run relies on that.
//
//   node test/run.mjs                 every test file
//   node test/run.mjs deque heap      only files whose path contains one of the words
//
// A failing file's last lines are printed again just before that line, so a log cut to its tail still
// shows what failed.
//
// Environment: BEATFLOW_TEST_TIMEOUT_MS  per-file limit (default 120000). A file that runs past it is
// killed with its whole process group and counts as failed. The summary gives each file's time as a share
// of the limit, and names the files past NEAR_LIMIT of it: a file there fails on a busier machine.
//
// Counting: uvu prints "Total: N" (tests that ran, skipped ones excluded), "Passed: N" and "Skipped: N"
// once per process. failed = Total - Passed. A file that exits non-zero, crashes, or prints no summary
// counts at least one failure, so a broken file can never read as green.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const DEFAULT_TIMEOUT_MS = 120_000;
/** A file that takes more than this share of its limit is named after the summary (a warning, not a failure). */
const NEAR_LIMIT = 0.4;
/** How many of a failing file's last output lines are repeated just before the verdict. */
const TAIL_LINES = 40;

function timeoutMs() {
  const raw = process.env.BEATFLOW_TEST_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`test/run.mjs: BEATFLOW_TEST_TIMEOUT_MS must be a positive number of milliseconds, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

/** Every *.test.mjs under dir, depth first, sorted so the order is stable. */
function findTests(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.isFile() && e.name.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** uvu's summary of one process, or null when it printed none (crash, early exit, timeout). */
function parseSummary(text) {
  const plain = text.replace(ANSI, '');
  const last = (label) => {
    const all = [...plain.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : null;
  };
  const total = last('Total');
  const passed = last('Passed');
  const skipped = last('Skipped');
  if (total === null || passed === null) return null;
  return { total, passed, skipped: skipped ?? 0 };
}

/** "(12%)": a time as a share of the per-file limit. */
const pct = (ms, limitMs) => `(${String(Math.round((100 * ms) / limitMs)).padStart(2)}%)`;

function runFile(file, limitMs) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    // detached: the child leads its own process group, so a timeout can kill it and anything it spawned.
    const child = spawn(process.execPath, [file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: process.env,
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    }, limitMs);
    const finish = (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, timedOut, out, ms });
    };
    child.on('error', (err) => { out += `\n${err.stack}\n`; finish(null, null); });
    child.on('close', finish);
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const limitMs = timeoutMs();
  const all = findTests(here);
  const files = filters.length ? all.filter((f) => filters.some((w) => relative(root, f).includes(w))) : all;
  if (files.length === 0) {
    console.error(filters.length ? `test/run.mjs: no test file matches ${filters.join(', ')}` : 'test/run.mjs: no test files found');
  }

  let passed = 0, failed = 0, skipped = 0;
  const rows = [];
  for (const file of files) {
    const name = relative(root, file);
    console.log(`\n# ${name}`);
    const r = await runFile(file, limitMs);
    const s = parseSummary(r.out);
    let fp = 0, ff = 0, fs = 0, note = '';
    if (s) { fp = s.passed; ff = s.total - s.passed; fs = s.skipped; }
    if (r.timedOut) note = `timed out after ${limitMs} ms (process group killed)`;
    else if (r.signal) note = `killed by ${r.signal}`;
    else if (r.code !== 0) note = `exit code ${r.code}`;
    else if (!s) note = 'printed no uvu summary';
    // A file that did not exit cleanly fails even if the tests it reported passed.
    if (note && ff === 0) ff = 1;
    passed += fp; failed += ff; skipped += fs;
    const secs = (r.ms / 1000).toFixed(1);
    rows.push({ name, fp, ff, fs, secs, ms: r.ms, note, out: r.out });
    console.log(`# ${name}: ${fp} passed, ${ff} failed${fs ? `, ${fs} skipped` : ''} in ${secs} s${note ? ` — ${note}` : ''}`);
  }

  if (rows.length) {
    console.log('\n# summary');
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      console.log(`#   ${r.name.padEnd(w)}  ${String(r.fp).padStart(4)} passed ${String(r.ff).padStart(3)} failed` +
        `${r.fs ? ` ${r.fs} skipped` : ''}  ${r.secs.padStart(6)} s ${pct(r.ms, limitMs)}${r.note ? `  ${r.note}` : ''}`);
    }
    const near = rows.filter((r) => r.ms > NEAR_LIMIT * limitMs);
    if (near.length) {
      console.log(`# near the per-file limit (over ${NEAR_LIMIT * 100}% of ${limitMs / 1000} s): ` +
        near.map((r) => `${r.name} ${r.secs} s`).join(', '));
    }
  }
  // A failing file's own output scrolled past long ago; where only the tail of the log survives (a CI
  // page), its last lines must be there, next to the verdict.
  for (const r of rows.filter((x) => x.ff > 0)) {
    const lines = r.out.replace(ANSI, '').trimEnd().split('\n');
    console.log(`\n# last ${Math.min(TAIL_LINES, lines.length)} lines of ${r.name}${r.note ? ` (${r.note})` : ''}:`);
    for (const line of lines.slice(-TAIL_LINES)) console.log(`#   ${line}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
