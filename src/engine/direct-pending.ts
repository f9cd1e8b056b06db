// The outcome of a direct run (direct-seat.ts) as the caller's promise: settled at once for a value or a
// thrown error; for a function that returned a promise, pending until that promise settles, and counted
// meanwhile, so that close() and the idle waiters wait for it (tasks.ts counts these in `waiting`).
import type { EngineParts } from './parts.js';
import { Direct } from './direct-seat.js';

/** What the direct runs' outcomes need of the engine. */
export interface DirectHost extends Pick<EngineParts, 'fns' | 'outcomes'> {
  /** After a pending run settles: the engine resolves idle waiters if nothing is left. */
  maybeIdle(): void;
}

/** A direct run whose function returned a promise, until it settles. */
interface Pending { readonly name: string; reject(e: unknown): void }

/** Host thread only. */
export class DirectPending {
  readonly #h: DirectHost;
  /** The runs whose promise has not settled: the engine is not idle. */
  readonly #runs = new Set<Pending>();

  constructor(host: DirectHost) {
    this.#h = host;
  }

  /** Direct runs not settled. */
  get size(): number { return this.#runs.size; }
  /** Their functions' names (close()'s report: the one worker holds them). */
  get names(): string[] { return [...this.#runs].map((d) => d.name); }

  /** The promise of function fnId's direct run that went `how` (not NotRun), from its outcome `out`. */
  outcome<R>(how: Direct, out: unknown, fnId: number): Promise<R> {
    if (how === Direct.Value) return Promise.resolve(out as R);
    const name = this.#h.fns.nameOf(fnId);
    const failure = (plain: unknown): unknown => this.#h.outcomes.failure(plain, fnId, name);
    if (how === Direct.Failed) return Promise.reject(failure(out));
    // Pending until its promise settles, or the executor stops (rejectAll), whichever comes first.
    return new Promise<R>((resolve, reject) => {
      const entry: Pending = { name, reject };
      this.#runs.add(entry);
      const settled = (): boolean => {
        if (!this.#runs.delete(entry)) return false;
        this.#h.maybeIdle();
        return true;
      };
      (out as Promise<R>).then((v) => { if (settled()) resolve(v); }, (plain: unknown) => { if (settled()) reject(failure(plain)); });
    });
  }

  /** The executor stopped with `reason`: reject every run not settled. */
  rejectAll(reason: Error): void {
    for (const d of this.#runs) d.reject(reason);
    this.#runs.clear();
  }
}
