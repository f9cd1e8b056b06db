// Messages about invariants the runtime keeps: seeing one of these is a bug in beatflow. Part of the one table, src/messages.ts `messages`.
import { describe } from './describe.js';

export const internalMessages = {
  // ---- internal: invariants the runtime keeps; seeing one is a bug in beatflow ----
  corruptKind: (kind: number, at: number) =>
    `beatflow internal error: corrupt value kind ${kind} at byte ${at} of the shared memory — please report`,
  unregistered: (id: number) =>
    `beatflow internal error: function ${id} was used before it was registered — please report`,
  noError: (task: string) =>
    `beatflow internal error: task '${task}' failed and left no error to report — please report`,
  handBackNotNumber: (got: unknown) =>
    `beatflow internal error: the partial a helper hands back to the calling thread must be a number (got ${describe(got)}) — please report`,
  routeParams: (core: number, host: number) =>
    `beatflow internal error: the core's placement decision takes ${core} parameters and the host writes ${host}: the core (options.wasm) and the package differ — please report`,
  routeCallLayout: (what: string, core: number, host: number) =>
    `beatflow internal error: the core's routed-call block holds ${core} ${what} and the host expects ${host}: the core (options.wasm) and the package differ — please report`,
  stealDomainBroken: (worker: number) =>
    `beatflow internal error: the steal domain of worker ${worker} is not a range of worker slots that contains it — please report`,
} as const;
