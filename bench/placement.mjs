// placement: the placement router (docs/learning.md "Placement") against its plain twins on a mixed
// workload, in one process. Shapes: reduce(sum), transform(exp) and inclusiveScan(sum) over f32 at
// 2^8, 2^10, …, 2^22 elements (24 shapes; --quick: 2^8, 2^12, 2^16, 2^20 and 200 calls). A seeded
// sequence of CALLS calls draws a shape each (uniform). Policies, each running every call of it:
//   router    parallel: 'auto' on a fresh router (models reset): its first CALLS decisions, exploration included
//   serial    parallel: false (the calling thread alone)      parallel  parallel: true (helpers always)
//   static    an executor with learning: false (the static rule: helpers from 200 µs of assumed work)
// Every policy runs each call in turn, so all of them see the same moment of a shared machine's load,
// in an order that gives each policy every place in turn (a Williams design per shape: williams()); a call on the other executor than the previous call's is timed after that
// one's lingering workers parked (SETTLE_MS). The oracle: per shape, the option whose always-policy's median time over the
// run was lowest (every option timed per call shape, in the same run); its makespan sums, call by
// call, the time that option's policy measured. "Oracle decisions": the router's choices equal to the
// oracle's, or to an option the timer cannot tell from it (over the shape's calls, the paired log2
// ratio of that option's time to the oracle's, each pair timed in the same round, has a mean within two
// standard errors of 0); "strict": equal to the oracle's alone; "within 10 %": choices whose median is
// within 10 % of the best. Makespan: the sum of a policy's call times. Gain captured: (best single policy − router)
// / (best single policy − oracle).
// A first repetition, not counted, warms the process (the warm-up calls run every forced route, but no
// routed call); its timed ratio and routing are reported beside the counted ones (`warmup`).
// The whole experiment runs REPS times per case (--quick: once), each on a fresh router (models,
// shape table, history and settled decisions reset: the target is about a router's first CALLS calls)
// with its own seeded sequence of calls (the uncounted first repetition draws the first), the policies interleaved as
// above. Reported: every repetition's figures, and over all of them the makespans' totals (the
// ratios and gains of those totals; the median of the repetitions' ratios beside them) and the mean
// share of oracle decisions. The timed makespan of one run rests on a few calls of several ms, whose
// pauses moved its ratio to the oracle's by ±0.06 between runs of one build: the totals damp that.
// Case 'gpu' adds the GPU (device: 'auto'; the CPU's llvmpipe here: software, slower than the CPU at
// every size): the oracle and the router may choose it, and 'always GPU' joins the policies.
import { childMain, table, errorCell, now, loadBeatflow } from './lib.mjs';

export const cases = () => ['cpu', 'gpu'];
export const timeoutS = ({ quick }) => (quick ? 90 : 400);
const CALLS = 500;
/**
 * Repetitions of the whole experiment (--quick: one). The timed makespan of one run of 500 calls rests
 * on a few large calls, and one pause in one of them moved its ratio to the oracle's by ±0.06 between
 * runs of one build: the timed figure is reported over the repetitions' totals (and their median),
 * beside every repetition's own. A case of 3 took 15 s on a quiet 2-core VM (45 s with the software
 * GPU at 0.7 cores of others' load; beside a core of others' work, 20–30 s and 80 s).
 */
const REPS = { cpu: 3, gpu: 3 };
/**
 * A call on one executor right after a call on the other is timed from a settled machine: after a
 * parallel call the workers linger (2 ms by default, lingerMicroseconds) looking for more work, and on
 * 2 CPUs a call of the other executor that starts beside them took up to twice its time (the static
 * policy's executor slowed whichever policy the order put after it). A call after one on its own
 * executor finds that executor's workers as the runtime leaves them, as a user's next call would. The
 * static policy is its executor's only one, so its calls always start after the pause with their
 * workers parked, while the other policies' calls often follow one another's (helpers still awake,
 * or lingering beside a call on the calling thread): the static rule's figures carry that difference.
 */
const SETTLE_MS = 3;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** A copy of `xs` in a random order (Fisher–Yates over `rand`). */
function shuffled(xs, rand) {
  const out = [...xs];
  for (let j = out.length - 1; j > 0; j--) { const k = Math.floor(rand() * (j + 1)); [out[j], out[k]] = [out[k], out[j]]; }
  return out;
}

/**
 * The orders a shape's calls run the policies in: the rows of a Williams design over t policies (t
 * rows for an even t, 2t for an odd one), each a permutation of 0 … t−1. Over its rows every policy
 * runs in each place, and right after every other policy, equally often (once for an even t, twice for
 * an odd one); a shape's calls (about 21 a repetition) run whole cycles of it and a partial last one. The call that runs first
 * finds the shape's arrays out of the caches (the last round ran another shape) and the workers
 * parked, and the next calls find them warm: a 2^22 call first in its round took 2–3 ms (about half)
 * longer than one after it. A shuffle left which policy ran first to chance, and that alone moved a
 * policy's makespan by several per cent of the oracle's; cycling through the design's rows gives
 * every policy each place in turn.
 */
function williams(t) {
  const first = Array.from({ length: t }, (_, i) => (i % 2 === 0 ? (t - i / 2) % t : (i + 1) / 2));
  const rows = Array.from({ length: t }, (_, r) => first.map((c) => (c + r) % t));
  return t % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}

function lcg(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); }
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };

export async function runCase(name, { quick }) {
  if (!cases().includes(name)) throw new Error(`unknown case '${name}' (cases: ${cases().join(', ')})`);
  const bf = await loadBeatflow();
  const gpu = name === 'gpu';
  const ex = await bf.Executor.create({ workers: 2, gpu });
  const plain = await bf.Executor.create({ workers: 2, learning: false, gpu });
  try {
    if (gpu && !ex.gpu.available) return { case: name, skipped: ex.gpu.reason };
    const exps = quick ? [8, 12, 16, 20] : [8, 10, 12, 14, 16, 18, 20, 22];
    const calls = quick ? 200 : CALLS;
    const shapes = [];
    for (const k of exps) {
      const n = 2 ** k;
      const arrays = (e) => { const a = e.shared(Float32Array, n), o = e.shared(Float32Array, n); for (let i = 0; i < n; i++) a[i] = (i % 1000) / 1000; return [a, o]; };
      const [a, o] = arrays(ex), [pa, po] = arrays(plain);
      const ops = {
        reduce: (e, x, y, opt) => bf.reduce(e, x, 'sum', opt),
        exp: (e, x, y, opt) => bf.transform(e, x, y, 'exp', opt),
        scan: (e, x, y, opt) => bf.inclusiveScan(e, x, y, 'sum', opt),
      };
      for (const [op, f] of Object.entries(ops)) {
        shapes.push({ label: `${op} 2^${k}`, n, run: (opt) => f(ex, a, o, opt), plain: () => f(plain, pa, po, undefined) });
      }
    }
    const options = { serial: { parallel: false }, parallel: { parallel: true }, ...(gpu && { gpu: { device: 'gpu' } }) };
    const routes = Object.keys(options);
    const time = async (f) => { const t = now(); await f(); return now() - t; };
    for (const s of shapes) { for (const r of routes) await s.run(options[r]); await s.plain(); }   // warm-up
    const rand = lcg(12345);
    const policies = {
      router: (s) => s.run(gpu ? { device: 'auto' } : undefined),
      ...Object.fromEntries(routes.map((r) => [r, (s) => s.run(options[r])])),
      static: (s) => s.plain(),
    };
    // every policy runs the same call in turn, so all see the machine's load of that moment, in an
    // order from a Williams design (a call that follows a parallel one shares the CPUs with its
    // lingering workers; the first finds the shape's arrays out of the caches)
    const names = Object.keys(policies);
    // a first repetition, not counted, warms the process for every policy alike: the warm-up above runs
    // each forced route and the static rule, but no routed call, so the router's code (a decision, an
    // observation, a reuse) met the first counted repetition cold. Each counted repetition still starts
    // from a fresh router (models reset): its first calls learn from nothing. The warm-up's own figures
    // are kept (`warmup`): the router's code cold, as a process's first routed calls find it
    const warm = quick ? undefined : await experiment();
    const reps = [];
    for (let rep = 0; rep < (quick ? 1 : REPS[name]); rep++) reps.push(await experiment());
    const warmup = warm && { timed: warm.makespan.router / warm.makespan.oracle, routing: (warm.routing.decided.ms + warm.routing.reused.ms) / warm.makespan.oracle };
    return { case: name, calls, ...summary(reps), reps, warmup, ...(gpu && { adapter: `${ex.gpu.adapter.device || ex.gpu.adapter.description} (${ex.gpu.backend})` }) };

    // One repetition: a fresh router (its models, shape table, history and settled decisions forgotten)
    // on its own seeded sequence of calls, every policy running each call in turn.
    async function experiment() {
      const seq = Array.from({ length: calls }, () => shapes[Math.floor(rand() * shapes.length)]);
      const times = Object.fromEntries(names.map((p) => [p, []]));
      const decisions = [], orders = [];
      // each shape's calls take the rows of a Williams design in turn (starting at a drawn row), its
      // columns a drawn order of the policies: see williams()
      const design = williams(names.length);
      const plan = new Map(shapes.map((s) => [s, { row: Math.floor(rand() * design.length), policies: shuffled(names, rand) }]));
      const orderOf = (s) => { const q = plan.get(s), order = design[q.row % design.length].map((j) => q.policies[j]); q.row++; return order; };
      let last = ex;
      ex.models.reset();
      for (let i = 0; i < calls; i++) {
        const s = seq[i];
        const order = orderOf(s);
        for (const p of order) {
          const on = p === 'static' ? plain : ex;
          if (on !== last) await settle();
          last = on;
          times[p].push(await time(() => policies[p](s)));
        }
        orders.push(order.join(','));
        // each router call keeps one decision (placement().last holds 32): read them in batches, so the
        // copies inspect() makes do not load the collector between the timed calls
        if ((i + 1) % 32 === 0 || i === calls - 1) decisions.push(...ex.placement().last.slice(-(i + 1 - decisions.length)));
      }
      // the plain executor's last call may have left its workers lingering: the next repetition's first
      // call (the router's, on a fresh router) starts from a settled machine
      await settle();
      // the oracle: per shape, the option whose always-policy took the least time (median) over this run
      for (const s of shapes) {
        const mine = seq.map((q, i) => (q === s ? i : -1)).filter((i) => i >= 0);
        s.ms = Object.fromEntries(routes.map((r) => [r, med(mine.map((i) => times[r][i]))]));
        s.staticMs = med(mine.map((i) => times.static[i]));
        s.best = routes.reduce((x, y) => (s.ms[y] < s.ms[x] ? y : x));
        // the options the timer cannot tell from the best: the paired log-ratio (each call's option time
        // over the best's, measured in the same round) has a mean within 2 standard errors of 0
        s.ties = routes.filter((r) => {
          if (r === s.best) return true;
          const d = mine.map((i) => Math.log2(times[r][i] / times[s.best][i]));
          if (d.length < 3) return false;
          const m = d.reduce((x, y) => x + y, 0) / d.length;
          const se = Math.sqrt(d.reduce((x, y) => x + (y - m) ** 2, 0) / (d.length - 1) / d.length);
          return m <= 2 * se;
        });
      }
      const sum = (xs) => xs.reduce((x, y) => x + y, 0);
      const makespan = Object.fromEntries(names.map((p) => [p, sum(times[p])]));
      makespan.oracle = sum(seq.map((s, i) => times[s.best][i]));
      // the decisions' makespan: each call at its choice's median time for the shape (the always-policy's
      // over the run), so one call a pause slowed 50× weighs on no policy's figure; the timed makespan
      // above sums the calls as they were timed
      const byMedian = Object.fromEntries(routes.map((r) => [r, sum(seq.map((s) => s.ms[r]))]));
      byMedian.static = sum(seq.map((s) => s.staticMs));
      byMedian.oracle = sum(seq.map((s) => s.ms[s.best]));
      byMedian.router = sum(decisions.map((d, i) => seq[i].ms[d.route]));
      const singleMed = Math.min(...[...routes, 'static'].map((p) => byMedian[p]));
      const gainMed = singleMed > 1.02 * byMedian.oracle ? (singleMed - byMedian.router) / (singleMed - byMedian.oracle) : NaN;
      const match = decisions.filter((d, i) => d.route === seq[i].best).length / calls;
      const matchTies = decisions.filter((d, i) => seq[i].ties.includes(d.route)).length / calls;
      const near = decisions.filter((d, i) => seq[i].ms[d.route] <= 1.1 * seq[i].ms[seq[i].best]).length / calls;
      const late = decisions.slice(calls - 200).filter((d, i) => seq[calls - 200 + i].ties.includes(d.route)).length / 200;
      // the router's own cost: its call less the same route's always-policy call of the same round (µs),
      // medians over its decided calls and over its reused ones (the always-policies pay no decision)
      const extra = (reused) => med(decisions.map((d, i) => [d, i]).filter(([d]) => (d.reason === 'reused') === reused && times[d.route] !== undefined)
        .map(([d, i]) => 1000 * (times.router[i] - times[d.route][i])));
      const overhead = { decided: extra(false), reused: extra(true) };
      // the timed excess over the oracle, split: what the choices cost (each call at its route's
      // always-policy time of the same round, less the oracle's route's) and what the router's own
      // calls cost beyond their route's (the same code a moment apart: routing, and the noise of one
      // call against another)
      const split = { choices: 0, own: 0 };
      decisions.forEach((d, i) => {
        if (times[d.route] === undefined) return;
        split.choices += times[d.route][i] - times[seq[i].best][i];
        split.own += times.router[i] - times[d.route][i];
      });
      const reasons = {};
      for (const d of decisions) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      const single = Math.min(...names.filter((p) => p !== 'router').map((p) => makespan[p]));
      // below 2 % the oracle's gain over the best single policy is within the noise: no share of it to report
      const gain = single > 1.02 * makespan.oracle ? (single - makespan.router) / (single - makespan.oracle) : NaN;
      // what routing cost the calling thread, as the executor timed it (placement().routing): no
      // paired noise in it, and the calls' code as the bench runs it (no timers wrapped around the router)
      const routing = ex.placement().routing;
      return {
        orders, match, matchTies, near, late, reasons, makespan, gain, byMedian, gainMed, overhead, split, routing,
        gpuChosen: decisions.filter((d) => d.route === 'gpu').length,
        gpuTries: decisions.map((d, i) => [d, i]).filter(([d]) => d.route === 'gpu').map(([d, i]) => ({ i, call: `${seq[i].label}`, reason: d.reason,
          predicted: Object.fromEntries(Object.entries(d.predicted).map(([k, v]) => [k, Math.round(v)])), ms: d.ms })),
        oracle: shapes.map((s) => ({ shape: s.label, best: s.best, ties: s.ties, ms: s.ms,
          router: Object.fromEntries(routes.map((r) => [r, decisions.filter((d, i) => seq[i] === s && d.route === r).length])),
          why: decisions.filter((d, i) => seq[i] === s && d.route !== s.best).map((d) => `${d.reason} ${d.confidence.toFixed(2)}`),
          trace: decisions.map((d, i) => [d, i]).filter(([, i]) => seq[i] === s).map(([d, i]) => [i, d.route, d.reason, +times.router[i].toFixed(3),
            Object.fromEntries(routes.map((r) => [r, +times[r][i].toFixed(3)])), Object.fromEntries(Object.entries(d.measured ?? {}).map(([k, v]) => [k, Math.round(v)])),
            Object.fromEntries(Object.entries(d.predicted).map(([k, v]) => [k, Math.round(v)]))]) })),
      };
    }
  } finally {
    await ex.close();
    await plain.close();
  }
}

/**
 * The repetitions together: makespans summed over them (the ratios and gains of those totals, the
 * headline figures), the per-repetition ratios' medians, and the shares of decisions over all calls.
 */
function summary(reps) {
  const total = (get) => { const out = {}; for (const r of reps) for (const [k, v] of Object.entries(get(r))) out[k] = (out[k] ?? 0) + v; return out; };
  const makespan = total((r) => r.makespan), byMedian = total((r) => r.byMedian), reasons = total((r) => r.reasons), split = total((r) => r.split);
  const routing = reps[0].routing && { decided: total((r) => r.routing.decided), reused: total((r) => r.routing.reused) };
  const gainOf = (m, policies) => {
    const single = Math.min(...policies.map((p) => m[p]));
    // below 2 % the oracle's gain over the best single policy is within the noise: no share of it to report
    return single > 1.02 * m.oracle ? (single - m.router) / (single - m.oracle) : NaN;
  };
  const mean = (get) => reps.reduce((x, r) => x + get(r), 0) / reps.length;
  return {
    makespan, byMedian, reasons, split, routing,
    gain: gainOf(makespan, Object.keys(makespan).filter((p) => p !== 'router' && p !== 'oracle')),
    gainMed: gainOf(byMedian, Object.keys(byMedian).filter((p) => p !== 'router' && p !== 'oracle')),
    timedMedian: med(reps.map((r) => r.makespan.router / r.makespan.oracle)),
    byMedianMedian: med(reps.map((r) => r.byMedian.router / r.byMedian.oracle)),
    match: mean((r) => r.match), matchTies: mean((r) => r.matchTies), near: mean((r) => r.near), late: mean((r) => r.late),
    overhead: { decided: med(reps.map((r) => r.overhead.decided)), reused: med(reps.map((r) => r.overhead.reused)) },
    ...(reps[0].gpuChosen !== undefined && { gpuChosen: reps.reduce((x, r) => x + r.gpuChosen, 0) }),
  };
}

export function report(res) {
  const rows = Object.entries(res).flatMap(([name, r]) => {
    if (!r.ok) return [[name, errorCell(r), '–', '–', '–', '–', '–', '–']];
    const x = r.result;
    if (x.skipped) return [[name, `skipped: ${x.skipped}`, '–', '–', '–', '–', '–', '–']];
    const label = name + (x.adapter ? ` (${x.adapter})` : '');
    const reps = x.reps ?? [x];
    if (reps.length === 1) return [row(label, x, r.bgCores, name)];
    return [row(`${label}, all ${reps.length} (totals; median of the ratios)`, x, r.bgCores, name),
      ...reps.map((y, i) => row(`${label}, repetition ${i + 1}`, y, '', name))];
  });
  return [
    `## placement: router vs oracle and the static choices, mixed workload, ${CALLS} calls, 2 workers`,
    '',
    'Makespans "by medians" price each call at its choice\'s median time for the shape over the run (the always-policies\' timings), so a call a pause slowed 50× weighs on no figure; "timed" sums the calls as timed. ' +
    'Oracle decisions count a choice the timer cannot tell from the oracle\'s (paired log-ratio over the shape\'s calls within 2 standard errors of 0) as a match; "strict" counts only the oracle\'s own choice. Every option is timed on every call, interleaved with the router\'s, in orders that give each policy every place in turn (a Williams design per shape). ' +
    'A first repetition of the whole experiment warms the process for every policy alike and is not counted (its timed ratio and routing, the router\'s code cold, are in the first row). ' +
    'The whole experiment is repeated (a fresh router each time, its own sequence of calls): the first row sums the repetitions\' makespans (its ratios and gains are those of the totals, the median of the repetitions\' ratios in brackets) and averages their shares of decisions; a row per repetition follows. ' +
    '"Own cost per call": the router\'s call less the same route\'s always-policy call of the same round, the median over its decided calls and over its reused ones (the first row: the median of the repetitions\'): what deciding, or taking a settled decision, and learning from the call cost the host. ' +
    '"Excess": the router\'s timed makespan less the oracle\'s, split into its choices (each call at its route\'s always-policy time of the same round, less the oracle route\'s) and its own calls (each less its route\'s always-policy call of the same round: routing, and one call\'s noise against another\'s), as shares of the oracle\'s makespan. ' +
    '"Routing as the executor timed it": placement().routing, the time each routed call spent choosing its route and folding its time in, as a share of the oracle\'s makespan, with the decided and the reused calls\' counts and means.',
    '',
    table(['case', 'oracle decisions, ties within noise count (target ≥ 95 %)', 'router makespan, timed (target ≤ 1.05× oracle)', 'other makespans, timed (ms)', 'makespans of the decisions, each call at its choice\'s median for the shape (ms)', "gain captured (oracle's over best single)", 'decisions', 'bg cores'], rows),
  ].join('\n');
}

/** A share as a signed percentage. */
const pct = (v) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} %`;

/** A median µs with its sign (NaN: none of those calls). */
const signed = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(0)}` : '–');

/** Routing's cost (placement().routing) as a share of the oracle's makespan, and per kind of call: how many, their mean µs. */
function routingCell(r, oracle) {
  const per = (c) => `${c.calls} × ${c.calls > 0 ? ((1000 * c.ms) / c.calls).toFixed(1) : '–'} µs`;
  return `${pct((r.decided.ms + r.reused.ms) / oracle)} (decided ${per(r.decided)}, reused ${per(r.reused)})`;
}

/** One row of the report: a repetition's figures, or the repetitions' together (timedMedian and byMedianMedian set). */
function row(label, x, bg, name) {
  const f = (v) => v.toFixed(1);
  const m = x.makespan;
  const medOf = (v) => (v === undefined ? '' : ` (median ${v.toFixed(3)}×)`);
  const others = Object.keys(m).filter((p) => p !== 'router' && p !== 'oracle').map((p) => `${p} ${f(m[p])}`).join(' · ');
  return [
    label,
    `**${(100 * x.matchTies).toFixed(1)} %** (${x.matchTies >= 0.95 ? 'met' : 'NOT met'}); strict: ${(100 * x.match).toFixed(1)} %; within 10 %: ${(100 * x.near).toFixed(1)} %; last 200: ${(100 * x.late).toFixed(1)} %`,
    `${f(m.router)} ms = **${(m.router / m.oracle).toFixed(3)}×** oracle${medOf(x.timedMedian)} (${m.router / m.oracle <= 1.05 ? 'met' : 'NOT met'})` +
      (x.warmup ? `; the uncounted first repetition, the process cold: ${x.warmup.timed.toFixed(3)}×, routing ${pct(x.warmup.routing)}` : ''),
    `oracle ${f(m.oracle)} · ${others}` + (x.split ? ` · excess: choices ${pct(x.split.choices / m.oracle)}, own calls ${pct(x.split.own / m.oracle)}` : '') +
      (x.routing ? ` · routing as the executor timed it ${routingCell(x.routing, m.oracle)}` : ''),
    `by medians: router ${f(x.byMedian.router)} = **${(x.byMedian.router / x.byMedian.oracle).toFixed(3)}×** oracle ${f(x.byMedian.oracle)}${medOf(x.byMedianMedian)} (${x.byMedian.router / x.byMedian.oracle <= 1.05 ? 'met' : 'NOT met'}) · ${Object.keys(x.byMedian).filter((p) => p !== 'router' && p !== 'oracle').map((p) => `${p} ${f(x.byMedian[p])}`).join(' · ')}`,
    [['timed', x.gain], ['by medians', x.gainMed]].map(([k, g]) => `${k}: ${Number.isFinite(g) ? `${(100 * g).toFixed(0)} %` : 'none to capture (oracle within 2 % of the best single policy)'}`).join('; '),
    Object.entries(x.reasons).map(([k, v]) => `${k} ${v}`).join(', ') + (x.gpuChosen !== undefined && name === 'gpu' ? `; GPU ${x.gpuChosen}×` : '') +
      (x.overhead ? `; own cost per call: decided ${signed(x.overhead.decided)} µs, reused ${signed(x.overhead.reused)} µs` : ''),
    bg,
  ];
}

childMain(import.meta.url, runCase);
