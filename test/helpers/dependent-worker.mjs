// Threads for test/dependent-core.test.mjs: link dependent tasks to their dependencies while other threads
// retire those dependencies (assembly/dependent.ts), then retire the dependents while others drop the
// sources' last references. Every step goes through the core's exports, as the runtime's threads do.
// The plan comes in shared arrays with each message (see the test file).
import { serve, rng } from './thread.mjs';

const NONE = 0xffffffff;

serve(({ phase, seed, plan }, { x, core, index, count, barrier }) => {
  const { depStart, depList, slotOf, serialOf, readyAt, source, serial, retire, when, made, linkRole } = plan;
  const K = slotOf.length, M = source.length;
  const next = rng(seed);
  const linker = linkRole[index] === 1;
  const linkers = linkRole.reduce((a, b) => a + b, 0), before = linkRole.slice(0, index).reduce((a, b) => a + b, 0);
  // A linker takes its dependents' slots and blocks before the barrier, so that its links come fast after it.
  const prepared = [];
  if (phase === 1 && linker) {
    for (let j = before; j < K; j += linkers) {
      const t = x.taskAlloc();
      if (t < 0) throw new Error('out of task slots');
      core.initLoneTask(t, 0, 0);
      const n = depStart[j + 1] - depStart[j];
      prepared.push([j, t, n, n > 0 ? core.alloc(n * (4 + core.L.size_DepLink)) : 0]);
    }
  }
  barrier();
  if (phase === 1 && linker) {
    // Then the linkers start together, by a spin (a woken thread can take longer to run than a share takes).
    Atomics.add(made, 1, 1);
    while (Atomics.load(made, 1) < linkers) { /* the other linkers are on their way */ }
    // Make its share of the dependents: their dependencies are sources the host made, whose makers'
    // references the host holds until phase 2, so every hold must succeed.
    for (const [j, t, n, block] of prepared) {
      serialOf[j] = x.depInit(t, block, n, NONE);
      for (let i = 0; i < n; i++) {
        const s = depList[depStart[j] + i];
        if (!x.depHold(source[s], serial[s])) throw new Error(`depHold refused source ${s}`);
        x.depLink(t, i, source[s]);
      }
      Atomics.store(slotOf, j, t);
      if (x.depArm(NONE, t)) Atomics.add(readyAt, j, 1);
      Atomics.add(made, 0, 1);
    }
  } else if (phase === 1) {
    // Retire the sources marked for it while the linkers link to them: source s once `when[s]` dependents
    // were made, so the closes fall all through the linking, not before it.
    const retirers = count - linkers, me = index - before;
    const mine = [];
    for (let s = me; s < M; s += retirers) if (retire[s] === 1) mine.push(s);
    mine.sort((a, b) => when[a] - when[b]);
    for (const s of mine) {
      // Not a bare spin: on a 2-core machine it would take a linker's CPU. 20 µs naps keep the closes amid the links.
      for (let m = Atomics.load(made, 0); m < when[s]; m = Atomics.load(made, 0)) Atomics.wait(made, 0, m, 0.02);
      x.retireFromHost(source[s], 0);
    }
  } else {
    // Phase 2: every thread retires its share of the dependents (each lets go of its dependencies) and drops
    // their makers' references and the sources' ones, in a random order: whichever goes last frees a slot.
    const work = [];
    for (let j = index; j < K; j += count) work.push(['dep', j], ['own', j]);
    for (let s = index; s < M; s += count) work.push(['src', s]);
    for (let i = work.length - 1; i > 0; i--) { const k = next() % (i + 1); [work[i], work[k]] = [work[k], work[i]]; }
    for (const [kind, i] of work) {
      if (kind === 'dep') x.retireFromHost(slotOf[i], 0);
      else if (kind === 'own') { if (!x.depDisown(NONE, slotOf[i], serialOf[i])) throw new Error(`dependent ${i} was disowned twice`); }
      else if (!x.depDisown(NONE, source[i], serial[i])) throw new Error(`source ${i} was disowned twice`);
    }
  }
  return {};
});
