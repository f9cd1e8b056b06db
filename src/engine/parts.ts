// What every part of the engine may use of it: the shared pieces and the executor's state. Engine
// (engine.ts) implements it; each part's own host interface (TaskHost, RunHost, RecoveryHost) extends it
// with what only that part needs, so no part imports the engine.
import type { SharedCore } from './memory.js';
import type { Codec } from './codec.js';
import type { FunctionTable } from './functions.js';
import type { Backpressure } from './backpressure.js';
import type { Completions } from './completions.js';
import type { Outcomes } from './outcomes.js';

export interface EngineParts {
  readonly core: SharedCore;
  readonly codec: Codec;
  readonly fns: FunctionTable;
  readonly queue: Backpressure;
  readonly completions: Completions;
  readonly outcomes: Outcomes;
  /** True while the executor takes work (not closing, not closed). */
  isOpen(): boolean;
  /** False once the executor stopped: nothing submitted would run. */
  isRunning(): boolean;
  /** After submissions: an elastic pool may start a thread for them. */
  demand(): void;
}
