// The Deno adapter: Deno's Web Workers (web.ts), with files read through Deno and paths resolved against
// its working directory. Deno's worker_threads lacks parts the Node adapter needs (parentPort.close).
import { platform as web } from './web.js';
import type { Platform } from './types.js';

const Deno = (globalThis as any).Deno;

export const platform: Platform = {
  ...web,
  name: 'deno',
  check() {},
  readBytes: async (url) => (url.protocol === 'file:' ? new Uint8Array(await Deno.readFile(url)) : web.readBytes(url)),
  baseUrl: () => new URL(`file://${Deno.cwd()}/`),
};
