// Runs the conformance subset in the runtime that runs this file (node, deno run -A, bun) through the
// entry the package's own name resolves to there (package.json exports: node, deno, bun), on worker
// threads, or with --single in the single-threaded mode (workers: 0). Prints each check, then one JSON
// line with the entry and the counts; exits 1 on a failure.
const { conformance } = await import('./suite.js');
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const entry = import.meta.resolve('beatflow');
const bf = await import('beatflow');
const r = await conformance(bf, { tasksUrl: new URL('./tasks.js', import.meta.url).href, log: (s) => console.log(s),
  workers: args.includes('--single') ? 0 : 2 });
console.log(JSON.stringify({ entry, ...r }));
if (r.failed > 0) globalThis.Deno ? globalThis.Deno.exit(1) : process.exit(1);
