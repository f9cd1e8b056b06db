// The ```js blocks of README.md and docs/*.md, and how to run one (the convention is test/docs.test.mjs's
// header). The blocks are shared out between test/docs-blocks-*.test.mjs by position, so each file runs
// a third of them and stays far from its time limit.
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
export const FENCES = ['js', 'ts', 'sh', 'text', 'json', 'jsonc', 'html'];
/** Per block; the whole file stays well under a minute (blocks run two at a time). */
export const BLOCK_TIMEOUT_MS = 30_000;
export const PARALLEL = 2;

/** The fenced blocks of a markdown file: language, code, 1-based line of the opening fence, the line above. */
export function blocks(file) {
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
export function captionOf(block) {
  const m = /^`([^`\s]+\.mjs)`.*:$/.exec(block.above.trim());
  return m?.[1];
}

/** The lines a block says it prints, or undefined when it says nothing. */
export function expectedOutput(block) {
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

export const where = (b) => `${b.file}:${b.line}`;

/** Runs a file with node from the root: { status, stdout, stderr }. */
export function runNode(path) {
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
export async function runBlock(block, n) {
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


/** Every block of the docs, and the js blocks among them. */
export const all = DOCS.flatMap(blocks);
export const runnable = all.filter((b) => b.lang === 'js');

/** Runs the js blocks whose position modulo `of` is `shard`, PARALLEL at a time, as one uvu suite. */
export function blockSuite(suite, shard, of) {
  const mine = runnable.filter((_, k) => k % of === shard);
  const results = new Map();
  let next = 0;
  const lane = async () => {
    while (next < mine.length) {
      const k = next++;
      await results.get(mine[k]).start();
    }
  };
  for (const [k, b] of mine.entries()) {
    let start;
    const done = new Promise((resolve) => { start = () => runBlock(b, k).then(resolve, (e) => resolve({ status: -1, stdout: '', stderr: String(e) })); });
    results.set(b, { start: () => { start(); return done; }, done });
  }
  for (let i = 0; i < PARALLEL; i++) void lane();

  const Blocks = suite(`docs: js blocks, share ${shard + 1} of ${of}`);
  for (const b of mine) {
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
}
