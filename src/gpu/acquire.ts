// Finding a device: the runtime's own WebGPU (navigator.gpu: browsers, Deno) when it has one, else Dawn
// in Node, backend by backend in backends.ts's order, with the limits of limits.ts. Never throws: a
// missing package, a missing adapter or a refused device comes back as a one-line reason.
/// <reference types="@webgpu/types" />
import { backendAttempts, attemptName, type BackendAttempt, type FeatureLevel } from './backends.js';
import { negotiateLimits } from './limits.js';
import { loadDawn, navigatorGpu, osName, DAWN_PACKAGE, DAWN_VERSION } from '../platform/dawn.js';
import { messages } from '../errors.js';
import type { GpuAdapterInfo } from './types.js';

export interface Acquired {
  readonly ok: true;
  readonly device: GPUDevice;
  readonly adapter: GpuAdapterInfo;
  readonly featureLevel: FeatureLevel;
  readonly backend: string;
  readonly tried: readonly string[];
}
export type Acquisition = Acquired | { readonly ok: false; readonly reason: string };

const text = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** An adapter's device, with every compute limit it offers; the feature level it really has. */
async function open(adapter: GPUAdapter, asked: FeatureLevel, backend: string, tried: string[]): Promise<Acquired> {
  const info = adapter.info;
  const featureLevel: FeatureLevel = adapter.features.has('core-features-and-limits') ? 'core' : asked;
  const device = await adapter.requestDevice({ requiredLimits: negotiateLimits(adapter.limits) });
  return {
    ok: true, device, featureLevel, backend, tried,
    adapter: Object.freeze({
      vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '',
      description: info?.description ?? '', fallback: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    }),
  };
}

/** One attempt: an adapter and its device, or why not. */
async function tryOne(gpu: GPU, a: BackendAttempt, backend: string, tried: string[]): Promise<Acquired | undefined> {
  try {
    const adapter = await gpu.requestAdapter({ featureLevel: a.featureLevel } as GPURequestAdapterOptions);
    if (adapter === null) { tried.push(`${attemptName({ ...a, backend })}: no adapter`); return undefined; }
    return await open(adapter, a.featureLevel, backend, tried);
  } catch (e) {
    tried.push(`${attemptName({ ...a, backend })}: ${text(e)}`);
    return undefined;
  }
}

export async function acquire(): Promise<Acquisition> {
  const tried: string[] = [];
  const own = navigatorGpu();
  if (own !== undefined) {
    for (const featureLevel of ['core', 'compatibility'] as const) {
      const got = await tryOne(own, { backend: 'navigator.gpu', featureLevel }, 'navigator.gpu', tried);
      if (got) return got;
    }
    return { ok: false, reason: messages.gpuNoAdapter(tried) };
  }
  const dawn = await loadDawn();
  if (!dawn.ok) {
    return { ok: false, reason: dawn.missing ? messages.gpuNoPackage(DAWN_PACKAGE, DAWN_VERSION) : messages.gpuLoadFailed(DAWN_PACKAGE, text(dawn.error)) };
  }
  for (const a of backendAttempts(osName())) {
    let gpu: GPU;
    try { gpu = dawn.instance(a.backend); } catch (e) { tried.push(`${attemptName(a)}: ${text(e)}`); continue; }
    const got = await tryOne(gpu, a, a.backend, tried);
    if (got) return got;
  }
  return { ok: false, reason: messages.gpuNoAdapter(tried) };
}
