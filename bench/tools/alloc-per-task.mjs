// Bytes allocated per one-off task, by allocation site: a burst of N × executor.async(spin, k) and
// Promise.all, as bench/single.mjs times it, under V8's sampling heap profiler with the objects young and
// old collections freed kept in the count. The build is BEATFLOW_MODULE's (bench/lib.mjs), so two builds
// compare in one command line each; the figure is sampled (every 256 bytes on average), not exact.
//
//   node bench/tools/alloc-per-task.mjs [--workers 0] [--k 0] [--n 100000] [--top 8]
import { Session } from 'node:inspector/promises';
import { createExecutor } from '../lib.mjs';
import * as tasks from '../tasks.mjs';

const argv = process.argv.slice(2);
const opt = (flag, dflt) => { const i = argv.indexOf(flag); return i < 0 ? dflt : Number(argv[i + 1]); };
const workers = opt('--workers', 0), k = opt('--k', 0), n = opt('--n', 100_000), top = opt('--top', 8);

const ex = await createExecutor({ workers, maxTasks: 1 << 18 });
async function burst() {
  const ps = new Array(n);
  for (let i = 0; i < n; i++) ps[i] = ex.async(tasks.spin, k);
  await Promise.all(ps);
}
try {
  await burst(); await burst();   // warm: the functions are optimized, the slot tables grown
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const bursts = 3;
  for (let i = 0; i < bursts; i++) await burst();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const bySite = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '(builtin)'}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  const per = (bytes) => (bytes / (bursts * n)).toFixed(0);
  console.log(`${process.env.BEATFLOW_MODULE ?? 'beatflow'}: workers ${workers}, ${n} × async(spin, ${k}): ${per(total)} bytes per task`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${per(bytes).padStart(5)}  ${site}`);
} finally {
  await ex.close();
}
