// Where a direct algorithm call runs: the calling thread alone ('serial'), the calling thread with
// helpers on the workers ('parallel'), or the GPU kernel — the router's choice (learn/router.ts) among
// those the call's options allow, and the static rule where learning is off or the router is unsure.
// The call is timed here and the time folded back into the router. With learning off nothing of this
// runs beyond the static rule: the call takes the path it took before the router.
import type { Engine } from '../engine/engine.js';
import { callerShape, type CallerShape } from './caller.js';
import { Arg } from './spec.js';
import type { BuiltinName } from './builtins.js';
import type { GpuCall } from './device.js';
import type { NumArray } from './merge.js';
import { ROUTES, staticRoute, type Route, type RouteInput, type RouteTicket } from '../policy/router.js';

/** options.parallel: 'auto' (the router; default), true (helpers whenever there is a CPU for one), false (the calling thread alone). */
export type Parallel = 'auto' | boolean;

const KIND: Partial<Record<BuiltinName, RouteInput['kind']>> = {
  transform: 'map', fill: 'map', generate: 'map', reduce: 'reduce', minElement: 'reduce', maxElement: 'reduce',
  inclusiveScan: 'scan', exclusiveScan: 'scan', transformInclusiveScan: 'scan', transformExclusiveScan: 'scan', sort: 'sort', merge: 'sort',
};

/** How a routed call runs: where, with how many helpers when on the CPU, and the ticket to time it by. */
export interface Routing { route: Route; helpers: number | undefined; ticket: RouteTicket | undefined }

/** Each choice's bit (its ROUTES index), and the candidate lists by their mask, made once: a call builds none. */
const SERIAL = 1 << ROUTES.indexOf('serial'), PARALLEL = 1 << ROUTES.indexOf('parallel'), GPU = 1 << ROUTES.indexOf('gpu');
const CANDIDATES: readonly (readonly Route[])[] = Array.from({ length: 1 << ROUTES.length }, (_, m) => Object.freeze(ROUTES.filter((_, i) => (m & (1 << i)) !== 0)));

/** The helpers of a CPU route: none on the calling thread alone; without a caller's shape, the call's own choice. */
const cpuHelpers = (shape: CallerShape | undefined, r: Route): number | undefined => (shape === undefined ? undefined : r === 'serial' ? 0 : shape.parallel);

/**
 * The router's op keys (call:op:array type), each made once per call name, array type and op code (a
 * built-in op's index or a function's id): a call's key is then the same string every time, which the
 * router's Maps find by the hash it keeps rather than hashing a new string per call.
 */
const OP_KEYS = new Map<string, Map<Function, string[]>>();
/** Op codes below this are kept (function ids are bounded by the function table; a built-in op's index is small). */
const OP_KEYS_MAX = 1024;

/** A call's op key for the router (`name:op:array type`), the same string for every call alike. */
export function opKey(name: string, op: unknown, a: NumArray): string {
  const ctor = a.constructor;
  if (typeof op !== 'number' || !Number.isInteger(op) || op < -1 || op >= OP_KEYS_MAX) return `${name}:${op}:${ctor.name}`;
  let byType = OP_KEYS.get(name);
  if (byType === undefined) OP_KEYS.set(name, (byType = new Map()));
  let keys = byType.get(ctor);
  if (keys === undefined) byType.set(ctor, (keys = []));
  return keys[op + 1] ?? (keys[op + 1] = `${name}:${op}:${ctor.name}`);
}

/** The first typed array among a call's array arguments. */
function firstArray(args: unknown[]): NumArray | undefined {
  const a = args[Arg.A], b = args[Arg.B], out = args[Arg.Out];
  return (ArrayBuffer.isView(a) ? a : ArrayBuffer.isView(b) ? b : ArrayBuffer.isView(out) ? out : undefined) as NumArray | undefined;
}

/**
 * Routes a direct call. `gpuStatic`: where the GPU placement (device.ts place) put it — 'gpu' only for
 * device 'gpu' or an 'auto' the static rule sends there; `gpuOk`: the call may run on a usable device
 * (device 'auto', a kernel for it, a device there). Calls with user code, or with no choice left, get
 * no ticket.
 */
export function route(ex: Engine, name: BuiltinName, args: unknown[], caller: boolean, parallel: Parallel, gpuStatic: 'cpu' | 'gpu', gpuOk: boolean, gpu: GpuCall | undefined): Routing {
  const shape = caller ? callerShape(ex, name, args) : undefined;
  if (gpuStatic === 'gpu' && !gpuOk) return { route: 'gpu', helpers: undefined, ticket: undefined };   // device: 'gpu'
  let mask = 0;
  if (shape !== undefined && parallel !== true) mask |= SERIAL;
  if (parallel !== false && (shape === undefined || shape.parallel > 0)) mask |= PARALLEL;
  if (gpuOk) mask |= GPU;
  if (mask === 0) mask = PARALLEL;
  const candidates = CANDIDATES[mask];
  const fallback = staticRoute(candidates, gpuStatic === 'gpu', parallel === true ? 1 : shape?.helpers ?? 1);
  const router = ex.router;
  const kind = KIND[name];
  const a = firstArray(args);
  // learning off: the static rule, as before the router (callerRuns picks the helpers itself)
  if (router === undefined || !router.enabled || candidates.length < 2 || kind === undefined || a === undefined) {
    return { route: fallback, helpers: fallback === 'gpu' ? undefined : parallel === 'auto' ? undefined : cpuHelpers(shape, fallback), ticket: undefined };
  }
  const core = ex.core, lane = ex.device;
  const key = opKey(name, args[Arg.F2], a);
  const n = shape?.n ?? gpu?.n ?? a.length;
  // the whole call routed in the core where it takes it (learn/router.ts fast), else on the host
  const fast = router.fast(key, n, mask, fallback, kind, a.BYTES_PER_ELEMENT, shape?.costNs ?? 1, core.nWorkers, ex.pool.live - ex.pool.sleeping(),
    lane?.available === true, lane?.software === true);
  if (fast >= 0) { const r = ROUTES[fast & 15]; return { route: r, helpers: r === 'gpu' ? undefined : cpuHelpers(shape, r), ticket: fast }; }
  const again = router.reused(key, n, mask);
  if (again !== undefined) {
    const r = again.choice.route;
    return { route: r, helpers: r === 'gpu' ? undefined : cpuHelpers(shape, r), ticket: again };
  }
  const ticket = router.decide(name, key, {
    kind, bytes: a.BYTES_PER_ELEMENT, n, nsPerItem: shape?.costNs ?? 1, historyNs: router.historyNs(key),
    workers: core.nWorkers, awake: ex.pool.live - ex.pool.sleeping(), queued: core.x.queuedLength(),
    device: lane?.available === true, software: lane?.software === true, resident: false, candidates, fallback,
  });
  const r = ticket.choice.route;
  return { route: r, helpers: r === 'gpu' ? undefined : cpuHelpers(shape, r), ticket };
}
