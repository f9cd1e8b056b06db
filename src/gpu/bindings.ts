// Matches what a dispatch supplies against what its WGSL declares, before anything touches the device:
// every declared binding supplied, nothing supplied that is not declared, each of the right type and
// size. Every refusal is a TypeError (a RangeError for a size) naming the binding.
import type { DeclaredBinding } from './wgsl.js';
import type { GpuStorageArray } from './types.js';
import { isFreed } from '../engine/codec.js';
import { messages } from '../errors.js';

/** One binding, checked: the declaration and the array that goes into it. */
export interface BoundArray {
  readonly decl: DeclaredBinding;
  readonly array: GpuStorageArray;
  /** Copy it back after the dispatch. */
  readonly read: boolean;
  /** `read` named it (a resident array is read back only then). */
  readonly sync: boolean;
  /** `upload` named it: upload it first even when it is resident and the device's copy looks current. */
  readonly fresh: boolean;
}

const ELEMENT_OF: Record<string, string> = { Float32Array: 'f32', Int32Array: 'i32', Uint32Array: 'u32' };

const isStorageArray = (v: unknown): v is GpuStorageArray =>
  v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint32Array;

/** Checks one array for a call that takes a storage array (`executor.gpu.resident(array)`). */
export function checkStorage(call: string, v: unknown, maxBinding: number): asserts v is GpuStorageArray {
  if (!isStorageArray(v)) throw new TypeError(messages.argType(`${call}: array`, 'a Float32Array, Int32Array or Uint32Array (executor.shared())', v));
  if (isFreed(v)) throw new TypeError(messages.argType(`${call}: array`, 'an array not yet freed', v));
  if (v.byteLength > maxBinding) throw new RangeError(messages.gpuBindingTooBig(call, 'array', v.byteLength, maxBinding, 'maxStorageBufferBindingSize'));
}

/** The size limits a binding must fit (the device's). */
export interface BindingLimits { maxStorageBufferBindingSize: number; maxUniformBufferBindingSize: number }

/**
 * Checks `supplied` against `declared` and the `read` and `upload` lists; returns the bindings in
 * declaration order. `call` names the call in messages ("executor.gpu.dispatch({ label: 'saxpy' })").
 */
export function bindArrays(call: string, declared: readonly DeclaredBinding[], supplied: unknown, read: unknown,
  limits: BindingLimits, upload?: unknown): BoundArray[] {
  if (typeof supplied !== 'object' || supplied === null) throw new TypeError(messages.argType(`${call}: bindings`, 'an object of named arrays', supplied));
  const given = supplied as Record<string, unknown>;
  const names = declared.map((d) => d.name);
  for (const k of Object.keys(given)) if (!names.includes(k)) throw new TypeError(messages.gpuBindingUnknown(call, k, names));
  const reads = readList(call, declared, read);
  const fresh = uploadList(call, declared, upload);
  return declared.map((decl) => {
    if (!Object.hasOwn(given, decl.name) || given[decl.name] === undefined) throw new TypeError(messages.gpuBindingMissing(call, decl.name, decl.kind));
    const v = given[decl.name];
    const wantsUniform = decl.kind === 'uniform';
    const array = wantsUniform ? (typeof v === 'object' && v !== null ? (v as { uniform?: unknown }).uniform : undefined) : v;
    if (!isStorageArray(array) || (wantsUniform && isStorageArray(v))) {
      throw new TypeError(messages.gpuBindingType(call, decl.name, wantsUniform ? '{ uniform: a Float32Array, Int32Array or Uint32Array }'
        : 'a Float32Array, Int32Array or Uint32Array (executor.shared())', v));
    }
    if (isFreed(array)) throw new TypeError(messages.gpuBindingType(call, decl.name, 'an array not yet freed', v));
    const element = ELEMENT_OF[array.constructor.name];
    if (decl.element !== undefined && element !== decl.element) {
      throw new TypeError(messages.gpuBindingType(call, decl.name, `an array of ${decl.element} (the WGSL declares array<${decl.element}>)`, v));
    }
    const max = wantsUniform ? limits.maxUniformBufferBindingSize : limits.maxStorageBufferBindingSize;
    if (array.byteLength > max) throw new RangeError(messages.gpuBindingTooBig(call, decl.name, array.byteLength, max,
      wantsUniform ? 'maxUniformBufferBindingSize' : 'maxStorageBufferBindingSize'));
    return { decl, array, read: reads.has(decl.name), sync: read !== undefined && reads.has(decl.name), fresh: fresh.has(decl.name) };
  });
}

/** The `upload` option checked: names of storage bindings (read-only ones included). */
function uploadList(call: string, declared: readonly DeclaredBinding[], upload: unknown): Set<string> {
  if (upload === undefined) return new Set();
  if (!Array.isArray(upload)) throw new TypeError(messages.argType(`${call}: upload`, 'an array of binding names', upload));
  for (const name of upload) {
    const d = declared.find((x) => x.name === name);
    if (d === undefined || d.kind === 'uniform') throw new TypeError(messages.gpuUploadName(call, name, d === undefined ? 'not declared' : 'a uniform'));
  }
  return new Set(upload as string[]);
}

/** The names to read back: the `read` option checked, or every read_write storage binding. */
function readList(call: string, declared: readonly DeclaredBinding[], read: unknown): Set<string> {
  if (read === undefined) return new Set(declared.filter((d) => d.kind === 'storage').map((d) => d.name));
  if (!Array.isArray(read)) throw new TypeError(messages.argType(`${call}: read`, 'an array of binding names', read));
  for (const name of read) {
    const d = declared.find((x) => x.name === name);
    if (d === undefined || d.kind !== 'storage') throw new TypeError(messages.gpuReadName(call, name, d === undefined ? 'not declared' : `declared ${d.kind}`));
  }
  return new Set(read as string[]);
}
