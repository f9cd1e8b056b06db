// A GPU task's spec crossing from its worker to the host (device-task.ts): the arrays in it that lie on the
// executor's shared memory travel as references, [dtype, byte offset, length], and the host turns each
// back into a view of its own memory. A view posted as it is would arrive on another SharedArrayBuffer
// object, which the host cannot tell is its own memory, so the GPU lane would not know the array for the
// one the host made resident (gpu/resident.ts knows arrays on the shared memory by where they lie). Views
// read and write the same bytes, so nothing is copied either way.
import type { SharedCore } from './memory.js';
import { DTYPES, type SharedArrayCtor, type SharedTypedArray } from './codec.js';

/** A shared array in a message: [dtype (DTYPES index), byte offset, length]. */
const REF = 'beatflow.shared';
type Ref = { readonly [REF]: readonly [number, number, number] };

/** Maps each binding of a spec (a storage array, or `{ uniform: array }`) through `f`; anything else is left as it is. */
function mapBindings(spec: unknown, f: (v: unknown) => unknown): unknown {
  const s = spec as { bindings?: unknown } | null;
  if (typeof s !== 'object' || s === null || typeof s.bindings !== 'object' || s.bindings === null) return spec;
  const bindings: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(s.bindings)) {
    const u = typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'uniform' in v ? v as { uniform: unknown } : undefined;
    bindings[name] = u === undefined ? f(v) : { ...u, uniform: f(u.uniform) };
  }
  return { ...s, bindings };
}

/** The worker side: the spec with the bindings on `core`'s memory as references (no core: as it is). */
export function bindingsToRefs(core: SharedCore | undefined, spec: unknown): unknown {
  if (core === undefined) return spec;
  return mapBindings(spec, (v) => {
    if (!ArrayBuffer.isView(v) || !core.ownsBuffer(v.buffer)) return v;
    const d = DTYPES.indexOf(v.constructor as SharedArrayCtor);
    return d < 0 ? v : { [REF]: [d, v.byteOffset, (v as SharedTypedArray).length] } satisfies Ref;
  });
}

/** The host side: the references turned into views by `view` (Codec.view). */
export function bindingsFromRefs(spec: unknown, view: (dtype: number, ptr: number, length: number) => unknown): unknown {
  return mapBindings(spec, (v) => {
    const r = typeof v === 'object' && v !== null ? (v as Partial<Ref>)[REF] : undefined;
    return r === undefined ? v : view(r[0], r[1], r[2]);
  });
}
