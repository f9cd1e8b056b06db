// The per-runtime bench's workload in Node, Deno or Bun (bench/runtimes.mjs runs it with each binary),
// through the entry the package's own name resolves to there. Prints one JSON line: { entry, ...figures }.
//   node bench/runtimes/cli.js [--quick]   ·   deno run --allow-read --allow-env bench/runtimes/cli.js   ·   bun bench/runtimes/cli.js
const { workload } = await import('./workload.js');
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const entry = import.meta.resolve('beatflow');
const r = await workload(await import('beatflow'), { tasksUrl: new URL('./tasks.js', import.meta.url).href, quick: args.includes('--quick') });
console.log(JSON.stringify({ entry, ...r }));
