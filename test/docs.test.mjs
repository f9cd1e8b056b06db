// Every ```js block in README.md and docs/*.md runs as written and prints what the text says it prints
// (the blocks run in test/docs-blocks-*.test.mjs, a third each; the fences, links and tables are checked here).
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
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DEFAULTS, BOUNDS } from '../build/src/options.js';
import { root, DOCS, FENCES, all, runnable, captionOf, where } from './helpers/docs.mjs';

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
