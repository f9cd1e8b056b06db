// A placement decision's features, written in the core (route-call.ts routeCall): src/policy/router.ts
// routeFeatures and baseOf are the specification, and the layout the one the models were fitted on
// (test/router-core.test.mjs holds the two to the same f32 vector and f64 baseline, bit for bit). log2
// is fdlibm's log (V8's Math.log, bit for bit: route-decide.ts flog) over ln 2, as src/policy/router.ts
// log2 computes it on the host.
//
// Owner-only, as the router's block: the host thread routes and writes the features there.
import { RouterBlock } from "../layout";
import { flog } from "./route-decide";

/** Tents over log2 of the predicted serial work (ns): centres TENT_LO, TENT_LO + TENT_STEP, … (policy/router.ts). */
const TENTS: i32 = 10, TENT_LO: f64 = 6, TENT_STEP: f64 = 2;
/** Where the op-class one-hot starts, and its width (policy/router.ts KIND_RANGE). */
const KIND0: i32 = 14, KINDS: i32 = 4;
/** The flags' bits (policy/router.ts FEATURE_FLAGS): a device is there; it is a software adapter; the data is on it. */
const DEVICE: u32 = 1, SOFTWARE: u32 = 2, RESIDENT: u32 = 4;

// @ts-ignore: decorator
@inline export function log2(x: f64): f64 { return flog(x) / Math.LN2; }
// @ts-ignore: decorator
@inline function put(x: usize, i: i32, v: f64): void { store<f32>(x + (<usize>i << 2), <f32>v); }

/**
 * Owner: writes the features of a call (policy/router.ts RouteInput: n elements of `bytes` bytes, op
 * class `kind` as an index of KINDS there, the assumed and the measured cost per element (ns; 0 before
 * any measurement), workers, those awake, tasks queued, and the flags) at the router block's feature
 * vector (routerFeatures); returns the models' baseline (policy/router.ts baseOf).
 */
export function routeFeatures(r: usize, n: f64, bytes: f64, kind: i32, nsPerItem: f64, historyNs: f64, workers: f64, awake: f64,
  queued: f64, flags: u32): f64 {
  const x = r + offsetof<RouterBlock>();
  const work = n * (historyNs > 0 ? historyNs : nsPerItem);
  const lw = log2(Math.max(1, work));
  put(x, 0, 1);
  put(x, 1, lw / 16);
  for (let t: i32 = 0; t < TENTS; t++) {
    const d = (lw - (TENT_LO + <f64>t * TENT_STEP)) / TENT_STEP;
    const open = (t == 0 && d < 0) || (t == TENTS - 1 && d > 0);
    put(x, 2 + t, open ? 1 : Math.max(0, 1 - Math.abs(d)));
  }
  put(x, 12, log2(Math.max(1, n)) / 16);
  put(x, 13, bytes / 8);
  for (let i: i32 = 0; i < KINDS; i++) put(x, KIND0 + i, i == kind ? 1 : 0);
  put(x, 18, log2(nsPerItem) / 4);
  put(x, 19, historyNs > 0 ? log2(historyNs) / 4 : 0);
  put(x, 20, workers > 0 ? awake / workers : 0);
  put(x, 21, log2(1 + Math.max(0, queued)) / 8);
  put(x, 22, (flags & DEVICE) != 0 ? 1 : 0);
  put(x, 23, ((flags & SOFTWARE) != 0 ? 0.5 : 0) + ((flags & RESIDENT) != 0 ? 0.5 : 0));
  return log2(Math.max(1, work / 1000));
}
