// Dawn's WebGPU for Node (the optional peer dependency `webgpu`, exactly 0.6.2): loading it, making one
// instance per backend, and keeping every instance alive for the life of the process. It lives in
// platform/ because it reads and writes process state (the environment, the OS) and loads a native
// module; src/gpu/ decides what to try and in which order. Nothing here runs unless a GPU is asked for:
// src/gpu/ is imported dynamically, and this file imports `webgpu` dynamically in turn (132 MB of Dawn).
/// <reference types="@webgpu/types" />

/** The package name and the one version beatflow is tested with (package.json peerDependencies). */
export const DAWN_PACKAGE = 'webgpu';
export const DAWN_VERSION = '0.6.2';

interface DawnModule { create(flags: string[]): GPU }

/** Either Dawn's entry point, or why it could not be loaded (the import's own error). */
export type DawnLoad = { ok: true; instance(backend: string): GPU } | { ok: false; missing: boolean; error: unknown };

/**
 * Every GPU object Dawn's create() returned, held from a global for the life of the process: if one is
 * garbage-collected while a device made from it lives, dawn.node crashes the process (SIGSEGV, a futex
 * abort, or a hang) the next time anything lets the collector run. A module-level variable is not
 * enough: V8 may drop a module binding that no live closure reads.
 */
const PINNED = Symbol.for('beatflow.dawn.instances');
function pin(gpu: GPU): GPU {
  const g = globalThis as unknown as Record<symbol, GPU[]>;
  (g[PINNED] ??= []).push(gpu);
  return gpu;
}

let loading: Promise<DawnLoad> | undefined;

/** Loads Dawn once. Sets EGL_PLATFORM=surfaceless first unless the user set it: with no display, Mesa's EGL needs it. */
export function loadDawn(): Promise<DawnLoad> {
  return (loading ??= (async (): Promise<DawnLoad> => {
    if (typeof process !== 'undefined' && process.env && process.env.EGL_PLATFORM === undefined) {
      process.env.EGL_PLATFORM = 'surfaceless';
    }
    try {
      const spec = DAWN_PACKAGE;   // a variable: bundlers and tsc leave the optional dependency alone
      const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as DawnModule;
      return { ok: true, instance: (backend) => pin(mod.create([`backend=${backend}`])) };
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${DAWN_PACKAGE}'`);
      return { ok: false, missing, error };
    }
  })());
}

/** The operating system, as src/gpu/backends.ts orders Dawn's backends for it ('linux', 'darwin', 'win32', …). */
export function osName(): string {
  return typeof process !== 'undefined' ? process.platform : 'unknown';
}

/** A browser's or Deno's own WebGPU, when the runtime has one (Node has none). */
export function navigatorGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? undefined;
}
