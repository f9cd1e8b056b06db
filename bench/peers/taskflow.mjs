// C++ Taskflow as a peer a bench runs in its own command (bench/forkjoin.mjs, graphs.mjs, reruns.mjs):
// taskflow-<program>.cpp compiled against the headers of a Taskflow clone (TASKFLOW_INCLUDE) and run
// per (shape, workers). A program is compiled once per source, headers, flags and compiler, into node_modules/.cache of
// this checkout; a compile or a run that fails or outlives its time is killed and reported with the
// peer's own words (its stderr's first lines), and the CPU time it took is reported either way, so
// the bench counts it as the case's own and not as others' load.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from '../lib.mjs';

/** The header the programs share. */
const SHARED = fileURLToPath(new URL('./taskflow-peer.hpp', import.meta.url));
/** The C++ source of program `name` beside this file. */
const sourceOf = (name) => fileURLToPath(new URL(`./taskflow-${name}.cpp`, import.meta.url));
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/beatflow-bench/', import.meta.url));
const FLAGS = ['-O2', '-DNDEBUG', '-std=c++20', '-pthread'];   // the anchors' build (anchors/taskflow.md)
/** Lines of a failing peer's stderr kept in its error. */
const STDERR_LINES = 4;

/** An error from the peer, named after it, that carries the CPU seconds spent (`childCpuS`). */
function peerError(what, how, stderr, cpuS) {
  const said = String(stderr ?? '').trim().split('\n').slice(0, STDERR_LINES).join(' / ');
  const err = new Error(`taskflow peer ${what}: ${how}${said ? `: ${said}` : ''}`);
  err.childCpuS = cpuS;
  return err;
}

/**
 * Runs `file` with its stderr echoed, killed at `timeoutS`; its stdout, or a peerError carrying
 * cpuS() (what it spent until then).
 */
function exec(what, file, args, timeoutS, cpuS) {
  const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: Math.ceil(timeoutS * 1e3), killSignal: 'SIGKILL', maxBuffer: 1 << 24 });
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.error?.code === 'ETIMEDOUT') throw peerError(what, `killed after ${timeoutS.toFixed(0)} s`, r.stderr, cpuS());
  if (r.error) throw peerError(what, String(r.error.message), r.stderr, cpuS());
  if (r.signal) throw peerError(what, `killed by ${r.signal}`, r.stderr, cpuS());
  if (r.status !== 0) throw peerError(what, `exit code ${r.status}`, r.stderr, cpuS());
  return r.stdout;
}

/**
 * Program `name` compiled for the headers at `include` (a Taskflow clone's root), and the seconds its
 * compile took now (0: it was there), its CPU as one core for that long.
 */
function binary(include, name, timeoutS) {
  const source = sourceOf(name);
  const root = resolve(include);
  const header = join(root, 'taskflow', 'taskflow.hpp');
  if (!existsSync(header)) throw new Error(`TASKFLOW_INCLUDE=${include} holds no taskflow/taskflow.hpp: set it to the root of a Taskflow clone`);
  const cxx = process.env.CXX || 'c++';
  const version = exec('compiler', cxx, ['--version'], 30, () => 0);
  const hash = createHash('sha256');
  for (const part of [readFileSync(source), readFileSync(SHARED), root, readFileSync(header), cxx, version, FLAGS.join(' ')]) hash.update(part);
  const bin = join(CACHE, `taskflow-${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return { bin, compileS: 0 };
  mkdirSync(CACHE, { recursive: true });
  const t0 = performance.now();
  const spent = () => (performance.now() - t0) / 1e3;
  exec(`compile of taskflow-${name}.cpp`, cxx, [...FLAGS, `-I${root}`, source, '-o', `${bin}.tmp`], timeoutS, spent);
  renameSync(`${bin}.tmp`, bin);
  return { bin, compileS: spent() };
}

/**
 * Taskflow's run of `kind` at `workers` in program `name` ('forkjoin': fib, fib-inline, subflow,
 * skynet; 'graphs': chain, tree, wavefront, empty, rerun), compiled first if need be, all within
 * `timeoutS`: what the program printed (its version, tasks, medianMs, nsPerTask, runsMs, …) and
 * childCpuS, its CPU seconds with the compile's.
 */
export function runTaskflow(include, name, kind, workers, timeoutS) {
  const t0 = performance.now();
  const { bin, compileS } = binary(include, name, timeoutS);
  const left = Math.max(1, timeoutS - (performance.now() - t0) / 1e3);
  const what = `${kind} at ${workers} worker${workers === 1 ? '' : 's'}`;
  const t1 = performance.now();
  // a run that fails took about its workers' whole time (they spin while they wait)
  const spent = () => compileS + ((performance.now() - t1) / 1e3) * workers;
  const out = exec(what, bin, [kind, String(workers)], left, spent);
  let r;
  try {
    r = JSON.parse(out);
  } catch {
    throw peerError(what, `printed no result: ${JSON.stringify(out.slice(0, 80))}`, '', spent());
  }
  const { cpuS, ...figures } = r;
  return { ...figures, nsPerTask: +r.nsPerTask.toFixed(1), childCpuS: cpuS + compileS };
}

/** The root of a Taskflow clone to run beside the benches, or undefined: the anchors' figures alone. */
const TASKFLOW_INCLUDE = process.env.TASKFLOW_INCLUDE || undefined;

/**
 * A bench's Taskflow case `taskflow:<kind>:T<n>` (taskflowCase), run by program `name` within
 * `timeoutS` (the case's, less a margin for the report): { kind, workers, …runTaskflow's }.
 */
export function runTaskflowCase(caseName, name, timeoutS) {
  if (TASKFLOW_INCLUDE === undefined) throw new Error(`case ${caseName} runs C++ Taskflow: set TASKFLOW_INCLUDE to the root of a Taskflow clone`);
  const [, kind, t] = caseName.split(':');
  const workers = Number(t.slice(1));
  return { kind, workers, ...runTaskflow(TASKFLOW_INCLUDE, name, kind, workers, timeoutS - 10) };
}

/** Taskflow's case `taskflow:<kind>:T<t>` of a bench when it runs here (none with --quick, whose sizes differ). */
export const taskflowCase = (kind, t, quick) => (TASKFLOW_INCLUDE && !quick ? [`taskflow:${kind}:T${t}`] : []);

/**
 * Taskflow's ns/task beside a beatflow case of `kind` at `t` (T1, T2): this run's where its case ran
 * and succeeded, else `anchor` (the anchors' figure; undefined: none). `cell`: it as a table cell,
 * saying which it is where Taskflow ran here.
 */
export function taskflowFigure(res, kind, t, anchor) {
  const tf = res[`taskflow:${kind}:${t}`];
  const ns = tf?.ok ? tf.result.nsPerTask : anchor;
  const cell = ns === undefined ? 'none' : tf?.ok ? `${ns} (this run)` : tf !== undefined ? `${ns} (anchor: Taskflow failed here)` : ns;
  return { ns, cell };
}

/**
 * The report's words on Taskflow's cases of this run, '' where none ran: `label` names a kind, `total`
 * says whether its ms figure is a total (else a median).
 */
export function taskflowRuns(res, label, errorCell, total = () => false) {
  const cases = Object.entries(res).filter(([name]) => name.startsWith('taskflow:'));
  const runs = cases.map(([name, tf]) => {
    const [, kind, t] = name.split(':');
    const at = `${label(kind)} at ${t.slice(1)}`;
    if (!tf.ok) return `${at}: ${errorCell(tf)}`;
    const x = tf.result;
    return `${at}: ${fmt(x.nsPerTask)} ns/task (${total(kind) ? 'total' : 'median'} ${fmt(x.medianMs)} ms, bg ${tf.bgCores}; Taskflow ${x.taskflow})`;
  });
  if (runs.length === 0) return '';
  const failed = cases.some(([, tf]) => !tf.ok);
  return `Taskflow run in this command (C++, bench/peers/): ${runs.join(' · ')}${failed ? '; where it failed, the anchors\' figure' : ''}. `;
}
