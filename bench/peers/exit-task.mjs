// piscina task for bench/recovery.mjs: `exit` ends the worker thread, anything else echoes.
export default function task(x) {
  if (x === 'exit') process.exit(3);
  return x;
}
