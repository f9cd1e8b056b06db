// The matmul autotune's results as data (executor.gpu.tuning() / useTuning(), and the file under
// options.gpu.tuningDir): a versioned, JSON-able record per (adapter, device limits), so a program tunes
// once per machine instead of once per process. The in-memory cache itself is matmul.ts's; this file
// only writes and reads the format, checking every field of what it is given.
import { MATMUL_SHAPES, type MatmulShape } from './kernels/matmul.js';
import type { GpuTuning, GpuTuningEntry } from './types.js';
import { messages } from '../errors.js';

export const TUNING_FORMAT = 'beatflow-gpu-tuning';
export const TUNING_VERSION = 1;
/** The file under options.gpu.tuningDir. */
export const TUNING_FILE = 'beatflow-gpu-tuning.json';

/** A shape's name in timings and in the format: "tile/depth/XxY". */
export const shapeName = (s: MatmulShape): string => `${s.tile}/${s.depth}/${s.wg[0]}x${s.wg[1]}`;

/** The built-in shape of that name, or undefined (a shape another version of beatflow had). */
export const shapeNamed = (name: string): MatmulShape | undefined => MATMUL_SHAPES.find((s) => shapeName(s) === name);

/** The record of a set of tunings. */
export function tuningRecord(entries: readonly GpuTuningEntry[]): GpuTuning {
  return Object.freeze({ format: TUNING_FORMAT, version: TUNING_VERSION, entries: Object.freeze([...entries]) });
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The entries of `v`, checked field by field: a TypeError naming the first bad one (`what` names the
 * call, "executor.gpu.useTuning(tuning)"). Entries whose shape this version does not have are kept: the
 * caller skips them when it adopts the record, and writes them back unchanged.
 */
export function checkTuning(what: string, v: unknown): GpuTuningEntry[] {
  const bad = (field: string, expected: string, got: unknown): TypeError => new TypeError(messages.argType(`${what}: ${field}`, expected, got));
  if (!isPlain(v)) throw bad('tuning', 'an object from executor.gpu.tuning()', v);
  if (v.format !== TUNING_FORMAT) throw bad('tuning.format', `'${TUNING_FORMAT}'`, v.format);
  if (v.version !== TUNING_VERSION) throw new TypeError(messages.gpuTuningVersion(what, v.version, TUNING_VERSION));
  if (!Array.isArray(v.entries)) throw bad('tuning.entries', 'an array', v.entries);
  return v.entries.map((e: unknown, i: number) => {
    const at = `tuning.entries[${i}]`;
    if (!isPlain(e)) throw bad(at, 'an object { key, adapter, shape, timings, tunedAt }', e);
    for (const f of ['key', 'adapter', 'shape', 'tunedAt'] as const) if (typeof e[f] !== 'string') throw bad(`${at}.${f}`, 'a string', e[f]);
    if (!isPlain(e.timings) || !Object.values(e.timings).every((t) => typeof t === 'number' && t >= 0)) {
      throw bad(`${at}.timings`, 'an object of milliseconds by shape', e.timings);
    }
    return Object.freeze({ key: e.key as string, adapter: e.adapter as string, shape: e.shape as string, timings: Object.freeze({ ...e.timings }) as Record<string, number>, tunedAt: e.tunedAt as string });
  });
}
