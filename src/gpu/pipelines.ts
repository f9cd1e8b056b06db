// Compute pipelines, compiled once per (code, entry point) and cached. The layout is built from the
// bindings the WGSL declares (wgsl.ts), not 'auto': an auto layout drops the bindings an entry point
// does not use, and then binding what the user supplied would fail. A compile error comes back as a
// GpuShaderError carrying the compiler's messages with their lines.
/// <reference types="@webgpu/types" />
import { declaredBindings, type DeclaredBinding } from './wgsl.js';
import { GpuShaderError, messages } from '../errors.js';

const COMPUTE = 4;   // GPUShaderStage.COMPUTE
/** Pipelines kept; the oldest is dropped past it. */
const CACHE_SIZE = 64;

export interface Compiled {
  readonly pipeline: GPUComputePipeline;
  readonly declared: readonly DeclaredBinding[];
  /** The groups, in order, each with its layout and its bindings' indices into `declared`. */
  readonly groups: readonly { readonly group: number; readonly layout: GPUBindGroupLayout; readonly members: readonly number[] }[];
}

export class Pipelines {
  readonly #device: GPUDevice;
  readonly #cache = new Map<string, Promise<Compiled>>();

  constructor(device: GPUDevice) { this.#device = device; }

  /** The compiled pipeline, from the cache when it is there (the bool says whether it was). */
  get(call: string, code: string, entryPoint: string | undefined): { compiled: Promise<Compiled>; cached: boolean } {
    const key = `${entryPoint ?? ''}\u0000${code}`;
    const hit = this.#cache.get(key);
    if (hit) return { compiled: hit, cached: true };
    const p = this.#compile(call, code, entryPoint);
    this.#cache.set(key, p);
    p.catch(() => this.#cache.delete(key));
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return { compiled: p, cached: false };
  }

  async #compile(call: string, code: string, entryPoint: string | undefined): Promise<Compiled> {
    const d = this.#device;
    const declared = declaredBindings(code);
    // Error scopes around the creations: their errors reach the user as this dispatch's rejection, not as
    // the device's uncaptured errors (which Dawn prints). Push and pop stay in one synchronous stretch, so
    // the scopes of concurrent dispatches never interleave.
    d.pushErrorScope('validation');
    const module = d.createShaderModule({ code });
    const created = d.popErrorScope();
    created.catch(() => {});
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const lines = errors.map((m) => ({ line: m.lineNum, column: m.linePos, message: m.message }));
      throw new GpuShaderError(messages.gpuShader(call, lines), lines);
    }
    const byGroup = new Map<number, number[]>();
    declared.forEach((b, i) => byGroup.set(b.group, [...(byGroup.get(b.group) ?? []), i]));
    const groupIds = [...byGroup.keys()].sort((a, b) => a - b);
    const maxGroup = groupIds.length ? groupIds[groupIds.length - 1] : -1;
    const layouts: GPUBindGroupLayout[] = [];
    d.pushErrorScope('validation');
    for (let g = 0; g <= maxGroup; g++) {
      layouts.push(d.createBindGroupLayout({
        entries: (byGroup.get(g) ?? []).map((i) => ({ binding: declared[i].binding, visibility: COMPUTE, buffer: { type: declared[i].kind } })),
      }));
    }
    const layout = d.createPipelineLayout({ bindGroupLayouts: layouts });
    const layoutError = await d.popErrorScope();
    if (layoutError !== null) throw new Error(messages.gpuPipeline(call, layoutError.message));
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await d.createComputePipelineAsync({ layout, compute: entryPoint === undefined ? { module } : { module, entryPoint } });
    } catch (e) {
      throw new Error(messages.gpuPipeline(call, e instanceof Error ? e.message : String(e)), { cause: e });
    }
    return { pipeline, declared, groups: groupIds.map((group) => ({ group, layout: layouts[group], members: byGroup.get(group)! })) };
  }

  clear(): void { this.#cache.clear(); }
}
