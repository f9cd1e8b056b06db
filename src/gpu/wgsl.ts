// What a WGSL source declares for its bindings: a pure reading of `@group(g) @binding(b) var<space,
// access> name: type;` (attributes in either order, comments removed first). WebGPU offers no
// reflection, and the binding names are how users bind arrays, so the lane reads them here and builds
// the pipeline layout from them.

export type BindingKind = 'storage' | 'read-only-storage' | 'uniform';

export interface DeclaredBinding {
  readonly name: string;
  readonly group: number;
  readonly binding: number;
  readonly kind: BindingKind;
  /** The scalar type of the array's elements (`array<f32>` → 'f32', `array<vec4<u32>>` → 'u32'), or undefined for other types. */
  readonly element: 'f32' | 'i32' | 'u32' | undefined;
}

/** The source without comments (block comments nest in WGSL), with line breaks kept so positions stay put. */
export function stripComments(code: string): string {
  let out = '', depth = 0;
  for (let i = 0; i < code.length; i++) {
    const two = code.slice(i, i + 2);
    if (depth === 0 && two === '//') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else if (two === '/*') { depth++; i++; }
    else if (depth > 0 && two === '*/') { depth--; i++; }
    else if (depth > 0) { if (code[i] === '\n') out += '\n'; }
    else out += code[i];
  }
  return out;
}

const DECL = /((?:@\s*\w+\s*(?:\([^)]*\))?\s*)+)var\s*(?:<([^>]*)>)?\s*(\w+)\s*:\s*([^;=]+)/g;
const ATTR = /@\s*(group|binding)\s*\(\s*(\d+)\s*\)/g;
const ELEMENT = /^array\s*<\s*(?:(?:vec[234]|atomic)\s*<\s*)?(f32|i32|u32)\b/;

/** The resource bindings `code` declares, in source order. Declarations without @group and @binding are not bindings. */
export function declaredBindings(code: string): DeclaredBinding[] {
  const out: DeclaredBinding[] = [];
  for (const m of stripComments(code).matchAll(DECL)) {
    let group: number | undefined, binding: number | undefined;
    for (const a of m[1].matchAll(ATTR)) {
      if (a[1] === 'group') group = Number(a[2]); else binding = Number(a[2]);
    }
    if (group === undefined || binding === undefined) continue;
    const [space, access] = (m[2] ?? '').split(',').map((s) => s.trim());
    if (space !== 'storage' && space !== 'uniform') continue;   // textures and samplers: not supported yet
    const kind: BindingKind = space === 'uniform' ? 'uniform' : access === 'read_write' ? 'storage' : 'read-only-storage';
    const type = m[4].trim();
    const element = ELEMENT.exec(type)?.[1] as DeclaredBinding['element'];
    out.push(Object.freeze({ name: m[3], group, binding, kind, element }));
  }
  return out;
}
