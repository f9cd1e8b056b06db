// The showcase (`npm start`) runs and says what it claims; every other program in examples/ is shown whole
// in the docs, where test/docs.test.mjs runs it and checks what it prints (its `// →` comments).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const SHOWCASE = 'examples/mandelbrot.mjs';

const Examples = suite('examples');

Examples('the showcase renders the same image as one thread and reports speedup and tasks/s', () => {
  assert.is(JSON.parse(read('package.json')).scripts.start, `node ${SHOWCASE}`, 'npm start runs the showcase');
  const r = spawnSync(process.execPath, [SHOWCASE], { cwd: root, timeout: 120_000, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /speedup over one thread: \d+\.\d+×/);
  assert.match(r.stdout, /tasks per second: [\d,]+/);
  assert.match(r.stdout, /image identical to the one-thread render: yes/);
  assert.match(r.stdout, /CPU vs GPU(: no GPU here \(.+\)|, axpy \+ sum over 2\^20 floats, GPU: .+\n.*\n    results agree .*: yes)/);
});

Examples('every other example program is a block of README.md or docs/, captioned with its path', () => {
  const docs = ['README.md', ...readdirSync(new URL('../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
    .map(read).join('\n');
  const programs = readdirSync(new URL('../examples/', import.meta.url))
    .map((f) => `examples/${f}`)
    .filter((f) => f.endsWith('.mjs') && f !== SHOWCASE && read(f).includes('Executor.create('));
  assert.ok(programs.length >= 5, 'the example programs are found');
  for (const f of programs) {
    assert.ok(new RegExp(`^\`${f.replace(/[.]/g, '\\.')}\`.*:\\n\\n\`\`\`js\\n`, 'm').test(docs), `${f} is shown in the docs, captioned`);
  }
});

Examples.run();
