// Typed data pipelines (Taskflow's DataPipeline and make_data_pipe): the compile-time check, by running
// the TypeScript compiler over test/fixtures/pipeline-types.ts against the built declarations (a stage
// that does not take what the one before gives must be an error there), and the run time at 1, 2 and 4
// workers: each stage's output is the next one's input, values that cross to workers go through the
// codec (objects, Maps, Dates, typed arrays; shared arrays by reference).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Executor, Pipeline, DataPipeline, makeDataPipe, Pipe } from 'beatflow';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/pipeline-tasks.mjs', import.meta.url);
const fixture = fileURLToPath(new URL('./fixtures/pipeline-types.ts', import.meta.url));

const Types = suite('types: DataPipeline checks its stages at compile time');

Types('the fixture type-checks: every @ts-expect-error line is an error, every other line is not', () => {
  const program = ts.createProgram([fixture], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts'], types: ['node'], skipLibCheck: true,
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  assert.equal(errors, [], 'an unused @ts-expect-error means a mistake type-checks');
  const expected = readFileSync(fixture, 'utf8').split('\n').filter((l) => l.includes('@ts-expect-error')).length;
  assert.ok(expected >= 9, `${expected} mistakes checked`);
});

Types.run();

// ---

for (const workers of [1, 2, 4]) {
  const S = suite(`data pipelines at ${workers} worker(s)`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('each stage gets the one before\'s output; Maps, Dates, objects and typed arrays cross through the codec', async ({ ex }) => {
    const counts = ex.shared(Int32Array, 1);
    const p = new DataPipeline({ lines: 3, name: 'words' },
      makeDataPipe('parallel', (line) => new Map(line.split(' ').map((w) => [w, w.length]))),
      Pipe.parallel((c, words) => {
        Atomics.add(c, 0, words.size);
        return { words, longest: Math.max(...words.values()), at: new Date(0), bytes: new Uint8Array([...words.keys()].map((w) => w.length)) };
      }, { args: [counts] }),
      makeDataPipe('serial', (o) => [o.words instanceof Map, o.at instanceof Date, o.bytes instanceof Uint8Array, o.longest, [...o.bytes]], { on: 'host' }));
    assert.instance(p, Pipeline);
    const lines = ['a bb ccc', 'dddd', 'ee f', 'ggggggg hh'];
    const out = [];
    for await (const v of p.stream(ex, lines)) out.push(v);
    assert.equal(out, [
      [true, true, true, 3, [1, 2, 3]], [true, true, true, 4, [4]], [true, true, true, 2, [2, 1]], [true, true, true, 7, [7, 2]],
    ]);
    assert.is(Atomics.load(counts, 0), 8, 'the shared array crossed by reference: every worker added to the same one');
    ex.free(counts);
  });

  S('Pipe.serial and makeDataPipe make the same stage; async stages give their settled value', async ({ ex }) => {
    const a = new DataPipeline({ lines: 2 }, Pipe.parallel(async (x) => x + 1), Pipe.serial((x) => x * 10));
    const b = new DataPipeline({ lines: 2 }, makeDataPipe('parallel', async (x) => x + 1), makeDataPipe('serial', (x) => x * 10));
    const run = async (p) => { const r = []; for await (const v of p.stream(ex, [1, 2, 3])) r.push(v); return r; };
    assert.equal(await run(a), [20, 30, 40]);
    assert.equal(await run(b), [20, 30, 40]);
    assert.is(b.pipes[0].kind, 'parallel');
    assert.is(b.pipes[1].kind, 'serial');
  });

  S.run();
}

const Bad = suite('makeDataPipe: bad input named');

Bad('kind must be serial or parallel; fn and options are checked as Pipe.serial does', () => {
  assert.throws(() => makeDataPipe('both', (x) => x),
    (e) => e instanceof TypeError && e.message === `beatflow: makeDataPipe(kind, fn, options): kind must be 'serial' or 'parallel' (got "both")`);
  assert.throws(() => makeDataPipe('serial', 3), /Pipe\.serial\(fn, options\): fn must be a function/);
  assert.throws(() => makeDataPipe('parallel', (x) => x, { on: 'gpu' }), /options\.on must be 'worker' or 'host'/);
});

Bad.run();
