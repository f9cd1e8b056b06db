// The platform in use. Each package entry (src/entries/) installs its runtime's adapter statically, so a
// browser build never reaches node:*; a program that imports build/src/index.js directly, and every
// worker thread, gets the adapter of the runtime it finds itself in, loaded on first use. usePlatform()
// overrides the choice (before the first Executor.create()).
import type { Platform } from './types.js';
import { messages } from '../errors.js';

let active: Platform | undefined;

/**
 * The worker entry: build/src/worker/main.js, part of the package's build (this file is
 * build/src/platform/current.js). Computed when a thread starts, not at import: a bundle may have no
 * import.meta.url (workerd), and one that runs threads names its own entry (options.workerUrl, or the
 * `new Worker(new URL(…))` of web.ts and node.ts). The comments keep Vite and webpack from copying the
 * file into a bundle as an asset: it finds its adapter by a computed import, which no bundle can serve.
 */
export function workerEntry(): URL {
  return new URL(/* webpackIgnore: true */ /* @vite-ignore */ '../worker/main.js', import.meta.url);
}

/** Installs a platform adapter for every executor created from now on. */
export function usePlatform(p: Platform): void {
  active = p;
}

/** The platform in use: installed by an entry, by usePlatform(), or found by ensurePlatform(). */
export function platform(): Platform {
  if (active === undefined) throw new Error(messages.noPlatform);
  return active;
}

/**
 * Which runtime this is, from its globals: workerd (which may emulate Node's `process`), Deno and Bun
 * also look like Node, so they are asked first.
 */
export function runtimeName(g: Record<string, any> = globalThis): 'workerd' | 'deno' | 'bun' | 'node' | 'browser' {
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof g.Deno?.version?.deno === 'string') return 'deno';
  if (typeof g.process?.versions?.bun === 'string') return 'bun';
  if (typeof g.process?.versions?.node === 'string') return 'node';
  return 'browser';
}

// Computed specifiers: a bundler following the browser entry must not pull node.ts in through here.
const ADAPTERS: Record<ReturnType<typeof runtimeName>, string> = {
  workerd: './workerd.js', deno: './deno.js', bun: './bun.js', node: './node.js', browser: './web.js',
};

/** The platform in use, loading the adapter of this runtime when none was installed. */
export async function ensurePlatform(): Promise<Platform> {
  if (active !== undefined) return active;
  const spec = ADAPTERS[runtimeName()];
  const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as { platform: Platform };
  return (active ??= mod.platform);
}
