// CPU cache topology and the steal domains built from it.
//
// readTopology() reads Linux sysfs through an injectable reader (tests feed fixture trees) and returns
// which logical CPUs share a last-level cache (L3 where there is one), a physical package, a core. Where
// sysfs is missing or says nothing useful (other OSes, sandboxes) it returns a *flat* model: one domain
// holding every CPU. stealDomains() is the pure policy that turns it into groups of worker *slots*.
//
// What this can and cannot buy. JavaScript cannot pin a thread to a CPU (neither worker_threads nor Web
// Workers expose affinity), so worker w is not "on" any CPU: the OS places and moves the threads. The
// grouping is therefore of worker slots, sized in proportion to the domains (a 2 × 8-CPU machine with 16
// workers gets two groups of 8), and a thief tries the workers of its own group before the others
// (assembly/worker.ts stealRound). That bounds how far work spreads in one steal round (a hierarchical
// steal order: fewer cross-group steals, less contention on any one deque), and it keeps producer and
// thief on one L3 only as far as the OS keeps a group's threads together, which Linux tends to do for
// threads that wake each other but does not promise. With one domain (most desktops, this CI) nothing
// changes: the order is exactly the flat one.
import { platform } from '../platform/current.js';
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../errors.js';

/** What the runtime knows of the machine's CPUs. Logical CPU numbers are the OS's (cpuN in sysfs). */
export interface CpuTopology {
  /** 'sysfs': read from /sys/devices/system/cpu; 'flat': not available, one domain of `cpus`. */
  readonly source: 'sysfs' | 'flat';
  /** Why the model is flat (absent for sysfs). */
  readonly reason?: string;
  /** Logical CPUs this process may run on (online and in its affinity mask), ascending. */
  readonly cpus: readonly number[];
  /** The cache level the domains are built from: 3 normally, 2 where the last level is an L2, 0 if flat or unknown. */
  readonly cacheLevel: number;
  /** CPUs sharing one last-level cache (L3 where there is one), each ascending, ordered by first CPU. */
  readonly l3Domains: readonly (readonly number[])[];
  /** CPUs of each physical package (socket), ordered by first CPU. */
  readonly packages: readonly (readonly number[])[];
  /** CPUs of each physical core (SMT siblings together), ordered by first CPU. */
  readonly cores: readonly (readonly number[])[];
}

/** Reads one sysfs/procfs file as text, or undefined when it does not exist or cannot be read. */
export type SysfsReader = (path: string) => string | undefined;

const CPU = '/sys/devices/system/cpu';
/** Cache index directories looked at per CPU (index0 … index15); real machines have 3–5. */
const MAX_CACHE_INDEX = 16;

/** The reader for this process: the real files on Linux, nothing elsewhere. */
export function systemReader(): SysfsReader {
  return (path) => platform().readSysfs(path);
}

/**
 * Parses a kernel CPU list ("0-3,8,10-11") into ascending CPU numbers. Returns undefined for text that
 * is not a CPU list. Pure.
 */
export function parseCpuList(text: string): number[] | undefined {
  const s = text.trim();
  if (s === '') return [];
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1 << 16) return undefined;
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** The flat model: n CPUs (0 … n − 1) in one domain, one package, one core each. */
export function flatTopology(n: number, reason: string): CpuTopology {
  const cpus = Array.from({ length: Math.max(1, n) }, (_, i) => i);
  return { source: 'flat', reason, cpus, cacheLevel: 0, l3Domains: [cpus], packages: [cpus], cores: cpus.map((c) => [c]) };
}

/**
 * Reads the CPU topology: sysfs on Linux (through `read`, so tests can pass a fixture tree), else the flat
 * model with `fallbackCpus` CPUs. Never throws. Cost: a few small reads per CPU (a CPU whose last-level
 * cache was already seen through a sibling is not read again).
 */
export function readTopology(read: SysfsReader = systemReader(), fallbackCpus: number = platform().cpuCount()): CpuTopology {
  const onlineText = read(`${CPU}/online`);
  if (onlineText === undefined) return flatTopology(fallbackCpus, `${CPU}/online is not readable`);
  const online = parseCpuList(onlineText);
  if (!online || online.length === 0) return flatTopology(fallbackCpus, `${CPU}/online is not a CPU list`);
  const allowed = allowedCpus(read(`/proc/self/status`));
  const cpus = allowed ? online.filter((c) => allowed.has(c)) : online;
  if (cpus.length === 0) return flatTopology(fallbackCpus, 'no online CPU is in this process\'s affinity mask');
  const mine = new Set(cpus);

  // Last-level cache per CPU: the highest level among its data/unified caches.
  const llcOf = new Map<number, { level: number; list: number[] }>();
  for (const c of cpus) {
    if (llcOf.has(c)) continue;   // seen through a sibling sharing the same cache
    const llc = lastLevelCache(read, c);
    if (!llc) continue;
    for (const s of llc.list) if (mine.has(s) && !llcOf.has(s)) llcOf.set(s, llc);
    if (!llcOf.has(c)) llcOf.set(c, llc);
  }
  const packageOf = new Map<number, string>();
  const coreOf = new Map<number, string>();
  for (const c of cpus) {
    const pkg = read(`${CPU}/cpu${c}/topology/physical_package_id`)?.trim();
    const core = read(`${CPU}/cpu${c}/topology/core_id`)?.trim();
    if (pkg !== undefined && /^-?\d+$/.test(pkg)) {
      packageOf.set(c, pkg);
      if (core !== undefined && /^-?\d+$/.test(core)) coreOf.set(c, `${pkg}:${core}`);
    }
  }
  const packages = group(cpus, (c) => packageOf.get(c) ?? '?');
  const cores = group(cpus, (c) => coreOf.get(c) ?? `cpu${c}`);
  if (llcOf.size === 0) {
    if (packageOf.size === 0) return flatTopology(cpus.length, 'sysfs lists no caches and no packages');
    // No cache information: the package is the best grouping we have.
    return { source: 'sysfs', cpus, cacheLevel: 0, l3Domains: packages, packages, cores };
  }
  const cacheLevel = Math.max(...[...llcOf.values()].map((l) => l.level));
  // CPUs whose caches could not be read join the domain of their package's first CPU, else their own.
  const l3Domains = group(cpus, (c) => {
    const l = llcOf.get(c);
    if (l) return l.list.filter((s) => mine.has(s)).join(',');
    const pkg = packageOf.get(c);
    const buddy = pkg === undefined ? undefined : cpus.find((o) => packageOf.get(o) === pkg && llcOf.has(o));
    return buddy === undefined ? `alone${c}` : llcOf.get(buddy)!.list.filter((s) => mine.has(s)).join(',');
  });
  return { source: 'sysfs', cpus, cacheLevel, l3Domains, packages, cores };
}

/** The CPUs in `Cpus_allowed_list` of /proc/self/status, or undefined when absent. */
function allowedCpus(status: string | undefined): Set<number> | undefined {
  const m = status === undefined ? null : /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  const list = m ? parseCpuList(m[1]) : undefined;
  return list && list.length > 0 ? new Set(list) : undefined;
}

/** CPU c's highest-level data or unified cache: its level and the CPUs sharing it. */
function lastLevelCache(read: SysfsReader, c: number): { level: number; list: number[] } | undefined {
  let best: { level: number; list: number[] } | undefined;
  for (let i = 0; i < MAX_CACHE_INDEX; i++) {
    const dir = `${CPU}/cpu${c}/cache/index${i}`;
    const levelText = read(`${dir}/level`);
    if (levelText === undefined) break;
    const level = Number(levelText.trim());
    const type = read(`${dir}/type`)?.trim();
    if (!Number.isInteger(level) || type === 'Instruction') continue;
    const listText = read(`${dir}/shared_cpu_list`);
    const list = listText === undefined ? [c] : parseCpuList(listText);
    if (!list) continue;
    if (!list.includes(c)) { list.push(c); list.sort((a, b) => a - b); }
    if (!best || level > best.level) best = { level, list };
  }
  return best;
}

/** Groups cpus by key; groups in order of their first CPU, each ascending. */
function group(cpus: readonly number[], key: (c: number) => string): number[][] {
  const m = new Map<string, number[]>();
  for (const c of cpus) {
    const k = key(c);
    const g = m.get(k);
    if (g) g.push(c); else m.set(k, [c]);
  }
  return [...m.values()].sort((a, b) => a[0] - b[0]);
}

/** One steal domain: worker slots [start, start + count), standing for the CPUs of one cache domain. */
export interface StealDomain {
  readonly start: number;
  readonly count: number;
  /** The CPUs of the cache domain these slots stand for. */
  readonly cpus: readonly number[];
}

/** The grouping of worker slots into steal domains. */
export interface StealDomains {
  /** domainOf[w]: index in `domains` of worker w's domain. */
  readonly domainOf: readonly number[];
  readonly domains: readonly StealDomain[];
}

/**
 * Groups `workers` worker slots into steal domains, one per cache domain, sized in proportion to the
 * domain's CPU count (largest remainder; ties go to the earlier domain), as consecutive slot ranges in
 * domain order. Domains that get no worker are left out. One cache domain → one steal domain of every
 * worker (the flat order). Pure.
 * @throws RangeError when workers is not a positive integer.
 */
export function stealDomains(topology: CpuTopology, workers: number): StealDomains {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(messages.argType('stealDomains(topology, workers): workers', 'a positive integer', workers));
  }
  const doms = topology.l3Domains.filter((d) => d.length > 0);
  const total = doms.reduce((s, d) => s + d.length, 0);
  if (doms.length <= 1 || total === 0) {
    return { domainOf: new Array(workers).fill(0), domains: [{ start: 0, count: workers, cpus: doms[0] ?? topology.cpus }] };
  }
  const exact = doms.map((d) => (workers * d.length) / total);
  const counts = exact.map(Math.floor);
  let left = workers - counts.reduce((s, n) => s + n, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) counts[order[k].i]++;
  const domains: StealDomain[] = [];
  const domainOf: number[] = [];
  let start = 0;
  doms.forEach((cpus, i) => {
    if (counts[i] === 0) return;
    for (let k = 0; k < counts[i]; k++) domainOf.push(domains.length);
    domains.push({ start, count: counts[i], cpus });
    start += counts[i];
  });
  return { domainOf, domains };
}

/**
 * Host, before any worker starts: writes each worker's steal domain into its slot (assembly/worker.ts
 * setStealDomain). Worker creation publishes the plain stores.
 */
export function applyStealDomains(core: SharedCore, sd: StealDomains): void {
  for (let w = 0; w < core.nWorkers; w++) {
    const d = sd.domains[sd.domainOf[w]];
    if (!d || !core.x.setStealDomain(w, d.start, d.count)) {
      throw new RangeError(messages.stealDomainBroken(w));
    }
  }
}

/** What executor.topology shows: the CPUs as detected, and how the worker slots were grouped. */
export interface ExecutorTopology extends CpuTopology {
  /** Worker slots, grouped by cache domain; a thief tries its own group first. */
  readonly stealDomains: readonly StealDomain[];
  /** domainOf[w]: index in stealDomains of worker w's group. */
  readonly domainOf: readonly number[];
  /** Always false: JavaScript cannot pin threads to CPUs, so the OS decides where each worker runs. */
  readonly pinned: false;
}

/** The executor's view: the detected topology plus the grouping, frozen. */
export function executorTopology(topology: CpuTopology, sd: StealDomains): ExecutorTopology {
  return deepFreeze({ ...topology, stealDomains: sd.domains, domainOf: sd.domainOf, pinned: false as const });
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
