// Every ```js block in README.md and docs/*.md runs as written and prints what the text says it prints.
//
// The convention (docs/README.md, "Code blocks", says the same for writers):
// - A ```js block is a complete ES module: it imports what it uses ('beatflow', task modules by a path
//   that exists in the repository), runs with `node` from the repository root, and ends by itself: an
//   executor it creates it also closes (or destroys). Fragments on purpose take another fence: ts for
//   signatures and code for other runtimes, html for pages, sh for commands, text for output. A fence without a language is refused.
// - Where it runs: each block is written to a temporary file in the repository root (.docs-block-*.mjs,
//   gitignored, removed afterwards), so 'beatflow' resolves through the package's self-reference and
//   task modules are imported as './examples/tasks.mjs'. A block whose preceding line starts with a
//   file's path in backticks and ends with a colon ("`examples/loop.mjs`:") *is* that file: it must
//   equal the file byte for byte, and the file itself runs (its relative imports are its own).
// - What it prints: each `// → text` comment stands for one line of standard output, in order, and the
//   lines must match exactly. The comment stands on its own line, or ends a line of code, where words may
//   come before the arrow (`// on a worker → 75025`); a comment of its own with words before an arrow
//   is prose. The printed line is everything after the first arrow. A block followed directly by a
//   ```text block prints exactly that text instead (for output over several lines; then no arrows). A
//   block with neither must print nothing. Standard error is not checked; the exit status must be 0.
//
// Also here: relative links in these files and in bench/'s pages point at files and headings that exist,
// README's benchmark table is bench/RESULTS.md's, and the options table in docs/api.md lists every key of
// DEFAULTS (src/options.ts) with its default and range.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, BOUNDS } from '../build/src/options.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const FENCES = ['js', 'ts', 'sh', 'text', 'json', 'jsonc', 'html'];
/** Per block; the whole file stays well under a minute (blocks run two at a time). */
const BLOCK_TIMEOUT_MS = 30_000;
const PARALLEL = 2;

/** The fenced blocks of a markdown file: language, code, 1-based line of the opening fence, the line above. */
function blocks(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    out.push({ file, line: i + 1, lang: open[1].trim(), code: lines.slice(i + 1, end).join('\n') + '\n', above: lines[above] ?? '', end });
    i = end;
  }
  // A text block right after a js block (nothing but blank lines between) is that block's output.
  for (let k = 0; k + 1 < out.length; k++) {
    const [a, b] = [out[k], out[k + 1]];
    if (a.lang === 'js' && b.lang === 'text' && lines.slice(a.end + 1, b.line - 1).every((l) => l.trim() === '')) a.output = b.code;
  }
  return out;
}

/** The file a block is, when the line above names it: "`examples/loop.mjs`:" or "`x.mjs` (its task module …):". */
function captionOf(block) {
  const m = /^`([^`\s]+\.mjs)`.*:$/.exec(block.above.trim());
  return m?.[1];
}

/** The lines a block says it prints, or undefined when it says nothing. */
function expectedOutput(block) {
  const arrows = [];
  for (const line of block.code.split('\n')) {
    const m = /^(.*?)\/\/([^→]*)→ ?(.*)$/.exec(line);   // code, free words, the printed line
    if (m && (m[1].trim() !== '' || m[2].trim() === '')) arrows.push(m[3].trimEnd());
  }
  if (block.output !== undefined) {
    assert.is(arrows.length, 0, `${where(block)}: a block followed by a text block has no // → comments`);
    return block.output.trimEnd().split('\n');
  }
  return arrows.length ? arrows : undefined;
}

const where = (b) => `${b.file}:${b.line}`;

/** Runs a file with node from the root: { status, stdout, stderr }. */
function runNode(path) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { stderr += `\n(killed after ${BLOCK_TIMEOUT_MS} ms: the block did not end)`; child.kill('SIGKILL'); }, BLOCK_TIMEOUT_MS);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** Runs one js block (or the file it is) and returns its result; temporary files are removed. */
async function runBlock(block, n) {
  const caption = captionOf(block);
  if (caption) return runNode(join(root, caption));
  const tmp = join(root, `.docs-block-${process.pid}-${n}.mjs`);
  writeFileSync(tmp, block.code);
  try {
    return await runNode(tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
}

const all = DOCS.flatMap(blocks);
const runnable = all.filter((b) => b.lang === 'js');

// Start every block now, PARALLEL at a time; the tests below await their own block's result.
const results = new Map();
{
  let next = 0;
  const lane = async () => {
    while (next < runnable.length) {
      const k = next++;
      await results.get(runnable[k]).start();
    }
  };
  for (const [k, b] of runnable.entries()) {
    let start;
    const done = new Promise((resolve) => { start = () => runBlock(b, k).then(resolve, (e) => resolve({ status: -1, stdout: '', stderr: String(e) })); });
    results.set(b, { start: () => { start(); return done; }, done });
  }
  for (let i = 0; i < PARALLEL; i++) void lane();
}

// ---

const Fences = suite('docs: fences');

Fences('every fence names one of js, ts, sh, text, json, jsonc', () => {
  for (const b of all) assert.ok(FENCES.includes(b.lang), `${where(b)}: fence language '${b.lang}' (use ${FENCES.join(', ')})`);
});

Fences('every js block that creates an executor also closes or destroys it', () => {
  for (const b of runnable) {
    if (/=\s*await Executor\.create\(/.test(b.code)) {
      assert.ok(/\.(close|destroy)\(\)/.test(b.code), `${where(b)}: the block creates an executor and never closes it`);
    }
  }
});

Fences('a block captioned with a file is that file', () => {
  for (const b of runnable) {
    const caption = captionOf(b);
    if (!caption) continue;
    assert.ok(existsSync(join(root, caption)), `${where(b)}: ${caption} does not exist`);
    assert.fixture(b.code, readFileSync(join(root, caption), 'utf8'), `${where(b)}: the block differs from ${caption}`);
  }
});

Fences.run();

// ---

const Blocks = suite('docs: every js block runs');

for (const b of runnable) {
  const caption = captionOf(b);
  Blocks(`${where(b)}${caption ? ` (${caption})` : ''}`, async () => {
    const r = await results.get(b).done;
    assert.is(r.status, 0, `${where(b)} exited with ${r.status}:\n${r.stderr}`);
    const expected = expectedOutput(b);
    const printed = r.stdout.trimEnd();
    if (expected === undefined) assert.is(printed, '', `${where(b)} prints, but the text does not say what (// → or a text block)`);
    else assert.equal(printed.split('\n'), expected, `${where(b)} prints what it says`);
  });
}

Blocks.run();

// ---

const Links = suite('docs: links');

/** GitHub's anchor for a heading. */
const slug = (heading) => heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

function anchors(file) {
  const text = readFileSync(join(root, file), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1])));
}

Links('relative links point at files and headings that exist', () => {
  for (const file of [...DOCS, 'bench/README.md', 'bench/RESULTS.md', 'bench/history/README.md']) {
    const text = readFileSync(join(root, file), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const to = path ? relative(root, join(root, dirname(file), path)) : file;
      assert.ok(existsSync(join(root, to)) || to === 'docs/install.md', `${file}: link to ${target}: ${to} does not exist`);
      if (anchor && to.endsWith('.md') && existsSync(join(root, to))) {
        assert.ok(anchors(to).has(anchor), `${file}: link to ${target}: no heading '#${anchor}' in ${to}`);
      }
    }
  }
});

/** The rows of the first table under a heading that starts with `heading`. */
function tableUnder(file, heading) {
  const text = readFileSync(join(root, file), 'utf8');
  const at = text.indexOf(`\n${heading}`);
  assert.ok(at >= 0, `${file} has a '${heading}' section`);
  return /\n(\|.*\|\n)+/.exec(text.slice(at))[0].trim().split('\n');
}

Links("README's benchmark table is bench/RESULTS.md's latest figures", () => {
  assert.equal(tableUnder('README.md', '## Benchmarks'), tableUnder('bench/RESULTS.md', '## Latest figures'));
});

Links.run();

// ---

const Options = suite('docs: the options table of docs/api.md');

/** Rows of the table headed "| option | default | range | meaning |", by option name. */
function optionRows() {
  const text = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const table = /^\| option \| default \| range \| meaning \|\n\|[- |]+\|\n((?:\|.*\|\n)+)/m.exec(text);
  assert.ok(table, 'docs/api.md has the options table');
  const rows = new Map();
  for (const line of table[1].trimEnd().split('\n')) {
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, ''));
    rows.set(/^`(\w+)`$/.exec(cells[0])?.[1], cells);
  }
  return rows;
}

/** The JS values of a cell's code spans (`'auto'`, `2 ** 20`, `undefined`). */
const values = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => {
  try { return Function(`return (${m[1]})`)(); } catch { return Symbol('not a value'); }
});

Options('every option of DEFAULTS has a row with its default, and every row is an option', () => {
  const rows = optionRows();
  for (const key of Object.keys(DEFAULTS)) {
    assert.ok(rows.has(key), `docs/api.md: no row for option ${key}`);
    assert.is(values(rows.get(key)[1])[0], DEFAULTS[key], `docs/api.md: the default of ${key}`);
  }
  for (const key of rows.keys()) assert.ok(key in DEFAULTS, `docs/api.md: the table lists '${key}', which is not an option`);
});

Options('every bounded option shows its range', () => {
  const rows = optionRows();
  for (const [key, [min, max]] of Object.entries(BOUNDS)) {
    const [lo, hi] = values(rows.get(key)[2]);
    assert.equal([lo, hi], [min, max], `docs/api.md: the range of ${key}`);
  }
});

Options.run();
