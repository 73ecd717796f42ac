// Bench stages of the heap session: the warm open (from the index the dominators stage wrote) and the latency of
// each query by object index over a fixed set of objects, median and worst. The first call of a query that builds
// a whole-heap structure once (dominator-tree children, reverse edges, per-type instance lists) is reported apart.
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import type { Stage, StageFigures } from './stages.js';
import { round3 } from './measure.js';

/** The objects queried: the 20 that retain most and 180 spread evenly over the reachable ones, in file order. */
function fixedObjects(s: HeapSession): number[] {
  const picked = new Set(s.topObjects(20).map((r) => r.object));
  const n = s.objectCount;
  const step = Math.max(1, Math.floor(n / 180));
  for (let i = 0; i < n && picked.size < 200; i += step) {
    let j = i;
    while (j < n && !s.isReachable(j)) j++;
    if (j < n) picked.add(j);
  }
  return [...picked];
}

export const SESSION_STAGES: Record<string, Stage> = {
  queries: {
    description: 'HeapSession.open(dump, { binary }) from the index, then each query on 200 fixed objects: median and worst ms (first builds apart)',
    async run(dumpPath, binary, progress) {
      const cacheDir = process.env.GOHEAP_CACHE_DIR ?? new URL('../../bench/output/index-cache', import.meta.url).pathname;
      const t0 = performance.now();
      const s = await HeapSession.open(dumpPath, { binary, cacheDir });
      const openSeconds = (performance.now() - t0) / 1000;
      const out: StageFigures = { warmOpenSeconds: round3(openSeconds), fromIndex: s.fromIndex.graph && s.fromIndex.analysis };
      const objects = fixedObjects(s);
      const firstGlobal = s.program?.globals.find((g) => g.name.startsWith('main.'))?.name ?? '';
      const queries: Record<string, (i: number) => unknown> = {
        retained: (i) => s.retained(i),
        dominator: (i) => s.dominator(i),
        dominatorChain: (i) => s.dominatorChain(i),
        dominated: (i) => s.dominated({ kind: 'object', object: i }, 0, 50),
        referrers: (i) => s.referrers(i),
        pathToRoot: (i) => s.pathToRoot(i),
        rootsKeepingAlive: (i) => s.rootsKeepingAlive(i),
        describe: (i) => (s.typed ? s.describe(i) : null),
        instances: (i) => s.instances(s.typeName(i), { sort: 'retained', offset: 0, limit: 50 }),
        findObject: (i) => s.findObject(s.address(i) + 1),
        findGlobal: () => s.findGlobal(firstGlobal),
        findTypes: (i) => s.findTypes(s.typeName(i).slice(0, 6)),
      };
      let done = 0;
      const total = Object.keys(queries).length * objects.length;
      for (const [name, q] of Object.entries(queries)) {
        const t = performance.now();
        q(objects[0]);
        out[`${name}FirstMs`] = round3(performance.now() - t);
        const times: number[] = [];
        for (const i of objects) {
          const a = performance.now();
          q(i);
          times.push(performance.now() - a);
          progress(++done, total);
        }
        times.sort((a, b) => a - b);
        out[`${name}MedianMs`] = round3(times[times.length >> 1]);
        out[`${name}WorstMs`] = round3(times[times.length - 1]);
      }
      out.objectsQueried = objects.length;
      s.close();
      return out;
    },
  },
};
