// The placement router's decision made in the core (assembly/learn/route-decide.ts): the decision
// block (the rule's parameters, written once; each model's spread, written as it changes; the
// answers), which calls the core takes, and one call per decision whose answers are read back. The
// host's pure policies stay its specification (learn/host-decision.ts; test/router-core.test.mjs
// holds the two to the same decisions). Host thread only.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../messages.js';
import type { ShapeRow } from './shapes.js';
import { ROUTER, ROUTES, TENT_RANGE, KIND_RANGE, type Route, type RouteChoice, type RouteInput } from '../policy/router.js';
import { REUSE } from '../policy/route-reuse.js';
import { CLIP_SD, SAID, type Decided } from './host-decision.js';

/** The core's reasons by code (assembly/learn/route-decide.ts: LEARNED 0, FALLBACK 2, EXPLORE 3, INVALID 4). */
const CORE_REASONS: readonly RouteChoice['reason'][] = ['learned', 'static', 'fallback', 'explore', 'invalid'];

/** The GPU's bit in a mask of choices. */
const GPU_BIT = 1 << ROUTES.indexOf('gpu');
/** The bit past the choices' that tells the core's decision the GPU is a software adapter (assembly/learn/route-decide.ts). */
const SOFTWARE_BIT = 1 << ROUTES.length;

/** Whether the candidates are in ROUTES order (the core's decision takes them so: route.ts makes them so). */
function inRoutesOrder(c: readonly Route[]): boolean {
  for (let i = 1; i < c.length; i++) if (ROUTES.indexOf(c[i - 1]) >= ROUTES.indexOf(c[i])) return false;
  return true;
}

/** The rule's parameters as the core's decision block holds them (assembly/learn/route-decide.ts, the P_ order). */
const coreParams = (): number[] => [
  ROUTER.minSupport, ROUTER.hopeless, ROUTER.judgeAfter, ROUTER.epsilon, ROUTER.nearBits, ROUTER.nearUs, ROUTER.confidence,
  ROUTER.priorSamples, ROUTER.minVar, ROUTER.shapeTry, ROUTER.plausible, ROUTER.order, ROUTER.orderVar, ROUTER.recheck,
  ROUTER.bracket, ROUTER.retryGap, ROUTER.retryBits, ROUTER.retryShare, ROUTER.horizon, REUSE.far, CLIP_SD,
  TENT_RANGE[0], TENT_RANGE[1], KIND_RANGE[0], KIND_RANGE[1],
  Math.log2(ROUTER.tryUs), Math.log2(ROUTER.cheapUs), Math.log(ROUTER.gamma), ROUTER.ownSlack, ROUTER.agree,
];

export class CoreDecision {
  readonly #core: SharedCore;
  readonly #router: number;
  readonly #shapes: number;
  readonly #block: number;
  /** An f64 view taken once the block is allocated (a shared memory that grows keeps the old buffer valid with its old length). */
  readonly #f64: Float64Array;
  readonly #spreadsAt: number;
  readonly #outAt: number;

  /** Allocates the decision block beside the router's block and the shape table's, and writes the parameters there. */
  constructor(core: SharedCore, router: number, shapes: number) {
    const params = coreParams();
    if (params.length !== core.L.count_RouteParams) throw new Error(messages.routeParams(core.L.count_RouteParams, params.length));
    // read and written through an f64 view: the heap's blocks are 16-byte aligned (assembly/heap.ts)
    this.#block = core.alloc(core.x.routeDecideSize());
    this.#core = core; this.#router = router; this.#shapes = shapes;
    this.#f64 = new Float64Array(core.u8.buffer, 0, core.u8.buffer.byteLength >> 3);
    this.#f64.set(params, core.x.routeDecideParams(this.#block) >> 3);
    this.#spreadsAt = core.x.routeDecideSpreads(this.#block) >> 3;
    this.#outAt = core.x.routeDecideOut(this.#block) >> 3;
  }

  /** The decision block (its outputs, spreads and parameters). */
  get block(): number { return this.#block; }

  /** Each model's spread as the block holds it (a view: the router writes it, the host's decision reads it too). */
  spreads(): Float64Array { return this.#f64.subarray(this.#spreadsAt, this.#spreadsAt + ROUTES.length); }


  /** Whether the core takes the call: no hardware GPU open (its trend), candidates in ROUTES order, a family with a place in the table. */
  takes(p: RouteInput, mask: number, entry: ShapeRow | undefined): boolean {
    return (p.software || (mask & GPU_BIT) === 0) && inRoutesOrder(p.candidates) && (entry === undefined || entry.family.at !== 0);
  }

  /** Decides over the features already written, in one call into the core; fills `said` (SAID numbers per choice). */
  decide(p: RouteInput, mask: number, entry: ShapeRow | undefined, base: number, log2n: number, u: number, u2: number, said: Float64Array): Decided {
    const f64 = this.#f64, out = this.#outAt, fam = entry?.family;
    const r = this.#core.x.routeDecide(this.#router, this.#shapes, this.#block, mask | (p.software ? SOFTWARE_BIT : 0), ROUTES.indexOf(p.fallback), entry?.row ?? -1,
      fam?.at ?? 0, entry?.size ?? 0, fam?.lo ?? 0, fam?.hi ?? 0, log2n, base, u, u2);
    const route = ROUTES[r & 15], reason = CORE_REASONS[r >> 4], confidence = f64[out];
    for (let i = 0; i < SAID * ROUTES.length; i++) said[i] = f64[out + 8 + i];
    return {
      choice: reason === 'learned' ? { route, reason, confidence, margin: f64[out + 1] } : { route, reason, confidence },
      lim: f64[out + 2], prior: f64[out + 3], weight: f64[out + 4], shapeMean: f64[out + 5],
    };
  }
}
