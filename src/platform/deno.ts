// The Deno adapter: Deno's Web Workers (web.ts), with files read through Deno and paths resolved against
// its working directory. Deno's worker_threads lacks parts the Node adapter needs (parentPort.close).
// Unlike a page, a Deno process ends when nothing holds it, and a pending Atomics.waitAsync does not:
// a timer is held while work is owed, as in Node (the single-threaded mode has no worker to hold it).
import { platform as web } from './web.js';
import { TimerKeepAlive } from './keep-alive.js';
import { workerEntry } from './current.js';
import type { Platform } from './types.js';

const Deno = (globalThis as any).Deno;

export const platform: Platform = {
  ...web,
  name: 'deno',
  check() {},
  spawnThread: (opts) => web.spawnThread({ ...opts, entry: opts.entry ?? workerEntry() }),   // the entry that finds Deno's adapter
  entryUrl: workerEntry,
  readBytes: async (url) => (url.protocol === 'file:' ? new Uint8Array(await Deno.readFile(url)) : web.readBytes(url)),
  baseUrl: () => new URL(`file://${Deno.cwd()}/`),
  keepAlive: () => new TimerKeepAlive((t) => Deno.refTimer(t), (t) => Deno.unrefTimer(t)),
};
