// The workerd adapter (Cloudflare's Workers runtime, and anything built on it): no threads, so executors
// run single-threaded (worker/inline.ts), inside the request that creates them. The runtime refuses to
// compile WebAssembly or JavaScript from bytes or strings at run time, so the core arrives as a module
// embedded with the worker (options.wasm) and inline tasks run as the functions themselves
// (engine/functions.ts); Atomics.waitAsync cannot be relied on there, so waits poll (wait.ts). A turn
// of the event loop is a timer: a MessageChannel message can go undelivered there when two are queued
// (the request is then cancelled as hung). The package's `workerd` export condition installs it
// (entries/workerd.ts).
import { messages } from '../errors.js';
import { platform as web } from './web.js';
import { pollingWait } from './wait.js';
import type { Platform } from './types.js';

/** A turn of the event loop: a 0 ms timer (about 30 µs here). */
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export const platform: Platform = {
  ...web,
  name: 'workerd',
  check: () => messages.noThreads('workerd'),
  readBytes: async (url) => {
    if (url.protocol === 'file:') throw new Error(messages.noFiles('workerd'));
    return web.readBytes(url);
  },
  cpuCount: () => 1,
  /** Relative module paths have nothing to resolve against: a worker's modules are named in its bundle. */
  baseUrl: () => new URL('file:///'),
  spawnThread: () => { throw new Error(messages.noThreads('workerd')); },
  yieldToEventLoop,
  waitAsync: pollingWait(yieldToEventLoop),
};
