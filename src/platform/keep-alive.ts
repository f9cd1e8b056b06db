// Keeping a process alive while the runtime owes the user a settlement (types.ts KeepAlive), for the
// runtimes whose process ends when nothing holds it: one long timer, held (ref'd) while the count is above
// zero. Node and Bun hold a timer with its own ref()/unref(); Deno with Deno.refTimer/unrefTimer.
import type { KeepAlive } from './types.js';

type Timer = ReturnType<typeof setInterval>;

/** One timer handle, ref'd while anything is held. Host thread only. */
export class TimerKeepAlive implements KeepAlive {
  #holds = 0;
  readonly #timer: Timer = setInterval(() => {}, 1 << 30);
  readonly #ref: (t: Timer) => void;
  readonly #unref: (t: Timer) => void;

  constructor(ref: (t: Timer) => void, unref: (t: Timer) => void) {
    this.#ref = ref;
    this.#unref = unref;
    unref(this.#timer);
  }

  hold(): void { if (this.#holds++ === 0) this.#ref(this.#timer); }

  release(): void { if (--this.#holds === 0) this.#unref(this.#timer); }

  async during<T>(p: Promise<T>): Promise<T> {
    this.hold();
    try { return await p; } finally { this.release(); }
  }

  dispose(): void { clearInterval(this.#timer); }
}
