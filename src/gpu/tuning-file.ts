// The tuning file under options.gpu.tuningDir (Node and Bun: the platform's `files`): read and adopted
// when the lane opens, rewritten after each autotune this process runs, so a machine tunes each adapter
// once. The format is tuning.ts's; a bad or unwritable file never fails anything, it costs a warning.
import { TUNING_FILE, checkTuning, tuningRecord } from './tuning.js';
import { adoptTunings } from './matmul.js';
import type { GpuTuning, GpuTuningEntry } from './types.js';
import { platform } from '../platform/current.js';
import { messages } from '../errors.js';

const text = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Adopts the tuning file in `dir`. No file: nothing to do. A file that cannot be read or is not a tuning
 * record is left alone with a one-line warning: the next autotune writes a good one over it.
 */
export async function loadTuningFile(dir: string): Promise<void> {
  const files = platform().files!;
  let body: string | undefined;
  try {
    body = await files.read(dir, TUNING_FILE);
    if (body !== undefined) adoptTunings(checkTuning(files.path(dir, TUNING_FILE), JSON.parse(body)));
  } catch (e) {
    console.warn(messages.gpuTuningFileIgnored(files.path(dir, TUNING_FILE), text(e)));
  }
}

/**
 * Writes `record` to the tuning file in `dir`, keeping the entries already there for other adapters (the
 * record's own win). Never throws: a file that cannot be written costs a one-line warning, and the next
 * run tunes again.
 */
export async function saveTuningFile(dir: string, record: GpuTuning): Promise<void> {
  const files = platform().files!;
  try {
    let kept: GpuTuningEntry[] = [];
    try {
      const body = await files.read(dir, TUNING_FILE);
      if (body !== undefined) kept = checkTuning(files.path(dir, TUNING_FILE), JSON.parse(body));
    } catch { /* unreadable: replaced whole */ }
    const mine = new Set(record.entries.map((e) => e.key));
    const merged = tuningRecord([...kept.filter((e) => !mine.has(e.key)), ...record.entries]);
    await files.write(dir, TUNING_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  } catch (e) {
    console.warn(messages.gpuTuningFileUnwritten(files.path(dir, TUNING_FILE), text(e)));
  }
}
