// How a value a caller passed is shown in a message (describe), and the small helpers the messages share.

/** The most characters `describe` writes: a hostile or huge value is not copied whole into a message. */
const SHOWN = 80;

function clip(s: string): string {
  return s.length <= SHOWN ? s : `${s.slice(0, SHOWN - 1)}…`;
}

/**
 * How a value looks in a message, at most SHOWN characters: a string quoted, a function by name, an
 * array by its first elements, another object by its constructor's name. Never throws: a getter that
 * throws, a Proxy or a `constructor.name` that is not a string shows as "an object".
 */
export function describe(v: unknown): string {
  return clip(shape(v, 0));
}

function shape(v: unknown, depth: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length > SHOWN ? v.slice(0, SHOWN) : v);
  if (typeof v === 'bigint') return `${clip(String(v))}n`;
  if (typeof v === 'symbol') return clip(String(v));
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  try {
    if (typeof v === 'function') {
      const name: unknown = v.name;
      return `function ${typeof name === 'string' && name ? clip(name) : '(anonymous)'}`;
    }
    if (Array.isArray(v)) {
      if (depth > 1) return v.length === 0 ? '[]' : '[…]';
      let out = '[';
      for (let i = 0; i < v.length; i++) {
        if (out.length > SHOWN) return `${out}…]`;
        out += (i > 0 ? ', ' : '') + shape(v[i], depth + 1);
      }
      return `${out}]`;
    }
    const ctor: unknown = (v as { constructor?: unknown }).constructor;
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    return typeof name === 'string' && name ? clip(name) : 'an object';
  } catch {
    return typeof v === 'function' ? 'a function' : 'an object';
  }
}

/** "a WeakMap", "an Int32Array". */
export const an = (s: string): string => `${/^[aeiou]/i.test(s) ? 'an' : 'a'} ${s}`;

export const causeText = (e: unknown): string => (e instanceof Error ? e.message : describe(e));
