// Where the WebAssembly core comes from: build/core.wasm beside the package's build, read and compiled once
// per thread; or options.wasm (docs/platforms.md, "The embeddable core"): a compiled WebAssembly.Module as
// it is (workerd, which compiles nothing at run time, embeds it with the worker), bytes to compile, or a
// URL to read. Whatever it is, it must export every function the host and the workers call on the core.
import { ensurePlatform } from '../platform/current.js';
import { messages } from '../errors.js';
import type { CoreSource } from '../options.js';

/** A compiled core: a WebAssembly.Module (memory.ts CoreModule, structural for the same reason). */
type CoreModule = object;

/**
 * Every function of CoreExports (memory.ts, which checks at compile time that the two name the same
 * functions), and test/embed.test.mjs that build/core.wasm exports each.
 */
export const CORE_FUNCTIONS = Object.freeze({
  layoutSize: 0, configure: 0, setSpin: 0, setLinger: 0, setHostBusy: 0, setSubRuns: 0, setAging: 0, mpmcPush: 0,
  mpmcPop: 0, mpmcLength: 0, dequePush: 0, dequePop: 0, dequeSteal: 0, dequeLength: 0, notifyWork: 0, wakeOne: 0,
  wakeAllForShutdown: 0, beginSearch: 0, endSearchFound: 0, endSearchEmpty: 0, announceSleep: 0, cancelSleep: 0,
  park: 0, heapAlloc: 0, heapFree: 0, heapUsable: 0, taskAlloc: 0, taskFree: 0, taskAllocW: 0, taskFreeW: 0,
  slotCacheInit: 0, submit: 0, submitQuiet: 0, submitAt: 0, queuedLength: 0, wakeIfBacklog: 0, runStart: 0,
  runStartAt: 0, runCancel: 0, retire: 0, retireFromHost: 0, flushRun: 0, spawnPush: 0, next: 0, tryNext: 0,
  requeue: 0, finish: 0, finishNested: 0, helpNext: 0, calibrateSpin: 0, recoverWorker: 0, setStealDomain: 0,
  runningWorkers: 0, queuedOn: 0, subRunAlloc: 0, subRunFree: 0, subRunStart: 0, groupRunOpen: 0, runStopped: 0,
  depInit: 0, depFinished: 0, depHold: 0, depLink: 0, depArm: 0, depState: 0, depRelease: 0, depDisown: 0, semInit: 0,
  semAdjust: 0, spawnRecord: 0, spawnNumber: 0, predictFold: 0, predictValue: 0,
  kernelMap: 0, kernelReduce: 0, kernelScan: 0, kernelSort: 0, kernelMerge: 0, kernelMatmul: 0, vecDot: 0, vecAxpy: 0, vecScale: 0,
  vecDotScalar: 0, vecAxpyScalar: 0, logitSize: 0, logitInit: 0, logitPredict: 0, logitUpdate: 0, learnSize: 0,
  learnSetup: 0, learnEnable: 0, learnObserve: 0, taskShape: 0, predictObserve: 0, predictRead: 0, predictReadAt: 0,
  predictRestore: 0, predictReset: 0, qSize: 0, qInit: 0, qChoose: 0, qBest: 0, qUpdate: 0, qValue: 0, routerSize: 0,
  routerInit: 0, routerResetModel: 0, routerFeatures: 0, routerModel: 0, routerQuery: 0,
  routerUpdate: 0, shapeSize: 0, shapeInit: 0, shapeReset: 0, shapeStat: 0, shapeObserve: 0, reuseSeen: 0, routeFeatures: 0, routeCallSize: 0, routeCallAt: 0, routeCallDim: 0, routeFamily: 0, routeRowReset: 0, routeCall: 0,
  routeCallError: 0, routeCallHistory: 0, routeObserve: 0, routeDecideSize: 0,
  routeDecideParams: 0, routeDecideSpreads: 0, routeDecideOut: 0, routeDecide: 0
});

/** The names of CoreExports' functions that `module` does not export. */
export function missingExports(module: CoreModule): string[] {
  const have = new Set(WebAssembly.Module.exports(module as WebAssembly.Module).map((e) => e.name));
  return Object.keys(CORE_FUNCTIONS).filter((n) => !have.has(n));
}

/**
 * build/core.wasm, beside build/src/ (this file is build/src/engine/core-source.js); undefined in a bundle
 * without import.meta.url. Written as `new URL('literal', import.meta.url)`, the form Vite and webpack
 * follow: they emit the file as an asset of the bundle and put its URL here.
 */
function defaultUrl(): URL | undefined {
  return typeof import.meta.url === 'string' ? new URL('../../core.wasm', import.meta.url) : undefined;
}

let modulePromise: Promise<CoreModule> | undefined;

/**
 * The core as a compiled module, from `source` (options.wasm) or, by default, build/core.wasm, compiled once
 * per thread. When the file cannot be read (a bundle that left it behind) the error names where it was
 * looked for and how to ship it, and a later call tries again. Anything but beatflow's core is refused
 * with the exports it lacks.
 */
export function compileCore(source?: CoreSource): Promise<CoreModule> {
  if (source !== undefined) return fromSource(source);
  if (modulePromise === undefined) {
    const url = defaultUrl();
    modulePromise = url === undefined
      ? Promise.reject(new Error(messages.coreMissing('build/core.wasm', messages.noModuleUrl)))
      : readCore(url).then(compile);
    modulePromise.catch(() => { modulePromise = undefined; });
  }
  return modulePromise;
}

async function fromSource(source: CoreSource): Promise<CoreModule> {
  const module = source instanceof WebAssembly.Module ? source
    : await compile(source instanceof URL ? await readCore(source) : asBytes(source as ArrayBufferLike | ArrayBufferView));
  const missing = missingExports(module);
  if (missing.length > 0) throw new TypeError(messages.notCore(missing));
  return module;
}

/** Bytes as a Uint8Array over the same memory (V8 compiles no DataView); typed as compile() takes them. */
function asBytes(v: ArrayBufferLike | ArrayBufferView): Uint8Array<ArrayBuffer> {
  const u8 = ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
  return u8 as Uint8Array<ArrayBuffer>;
}

async function compile(bytes: BufferSource): Promise<CoreModule> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(messages.wasmCompile(why, /disallowed/i.test(why)), { cause: e });
  }
}

async function readCore(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await (await ensurePlatform()).readBytes(url);
  } catch (e) {
    throw new Error(messages.coreMissing(url.href, e instanceof Error ? e.message : String(e)), { cause: e });
  }
}
