// Lingering workers around parallel algorithm calls (options.lingerMicroseconds). While calls are in
// flight, and for lingerMicroseconds after the last one ended, the core's `linger` word (assembly/
// layout.ts setLinger) makes searching workers spin that many rounds before they park, so the next
// call's helpers are taken by a worker that is already running instead of one that must be woken: a
// futex wake-up costs the waker tens of µs and the wakee up to milliseconds on a VM, as long as a call
// over 10^7 items. This is the OpenMP runtimes' block time (KMP_BLOCKTIME, GOMP_SPINCOUNT). The word is a
// hint only: at most maxSpinners workers spin, and each parks after its rounds whatever the host does.
import type { SharedCore } from './memory.js';

export class Linger {
  readonly #core: SharedCore;
  readonly #rounds: number;
  readonly #ms: number;
  #calls = 0;
  #until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `rounds`: explore rounds that take about `micros` µs on this machine (0: never linger). */
  constructor(core: SharedCore, rounds: number, micros: number) {
    this.#core = core;
    this.#rounds = rounds;
    this.#ms = micros / 1000;
  }

  /** A call starts: workers linger from now on. */
  begin(): void {
    if (this.#rounds === 0) return;
    if (this.#calls++ === 0) this.#core.x.setLinger(this.#rounds);
  }

  /** A call ended: workers linger for lingerMicroseconds more unless another call starts. */
  end(): void {
    if (this.#rounds === 0) return;
    this.#calls--;
    this.#until = performance.now() + this.#ms;
    this.#arm(this.#ms);
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(this.#check, Math.max(1, ms));
    this.#timer.unref?.();
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    if (this.#calls > 0) return;   // the word stays set; the last call's end() arms the timer again
    const left = this.#until - performance.now();
    if (left > 0) this.#arm(left);
    else this.#core.x.setLinger(0);
  };

  /** The executor closes: stop lingering at once. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#core.x.setLinger(0);
  }
}
