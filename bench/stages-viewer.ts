// The viewer's bench stage: page latency of `goheap serve` on the bench dump. Opens the dump through the session
// (from the index the dominators stage wrote), prepares the viewer's whole-heap answers as serve does while
// "loading", then, as soon as it is ready (while serve builds the other pages' structures between requests), asks
// a fixed set of pages through fastify inject, each once (an object's first visit, as a user's click would be):
// the list pages, the three biggest types (and a deep page of the biggest), the three types with most instances
// (each sort at the first page, the middle and the end), the ten objects that retain most and ten objects at fixed
// indices (page, retainers and dominator-tree levels), searches. Reports the median and the
// worst page (wall and CPU time), which pages were slowest, and when the list pages had answered and the
// background preparation was done (seconds since the start).
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import { buildViewer } from '../viewer/app.js';
import { ViewerState } from '../viewer/state.js';
import type { Stage, StageFigures } from './stages.js';
import { round3 } from './measure.js';

function cacheDir(): string {
  return process.env.GOHEAP_CACHE_DIR ?? new URL('../../bench/output/index-cache', import.meta.url).pathname;
}

const viewer: Stage = {
  description: 'goheap serve on the bench dump: page latency (median and worst, ms) over a fixed set of pages via fastify inject, after the open and the pages\' preparation; peak RSS of the viewer\'s process, and (builderPeakRssMB) of the process that builds the derived indexes on a first start',
  async run(dumpPath, binary, progress): Promise<StageFigures> {
    const t0 = performance.now();
    const state = new ViewerState();
    const app = await buildViewer({ state });
    await state.attach(HeapSession.open(dumpPath, { binary, cacheDir: cacheDir(), onProgress: (p, d, t) => { state.onProgress(p, d, t); progress(d, t); } }));
    await state.settled();
    if (state.status !== 'ready' || !state.session) throw new Error(`the viewer could not open the dump: ${state.error}`);
    const s = state.session;
    const ready = performance.now();
    const hex = (i: number): string => `0x${s.address(i).toString(16)}`;
    const types = s.typeRows().slice(0, 3).map((r) => r.type);
    // The types with most instances (millions on the bench dump): each sort's first page and a page in the
    // middle and at the end, every page a first visit (issue 15 measured 0.4-2.7 s at a deep offset).
    const crowded = [...s.typeRows()].sort((a, b) => b.count - a.count).slice(0, 3);
    const typePages = crowded.flatMap((r) => {
      const t = `/type/${encodeURIComponent(r.type)}`;
      const mid = Math.floor(r.count / 2);
      const last = Math.max(0, r.count - 50);
      return [t, `${t}?offset=${mid}`, `${t}?offset=${last}`,
        ...(['size', 'address'] as const).flatMap((k) => [`${t}?sort=${k}`, `${t}?sort=${k}&offset=${mid}`, `${t}?sort=${k}&offset=${last}`])];
    });
    const objects = s.topObjects(10).map((r) => r.object);
    const n = s.objectCount;
    for (let k = 1; k <= 10; k++) objects.push(Math.floor((n * k) / 11));
    const urls = ['/', '/types', '/types?sort=retained', '/roots', '/goroutines', '/dominators', '/suspects', '/allocs',
      ...types.flatMap((t) => [`/type/${encodeURIComponent(t)}`, `/type/${encodeURIComponent(t)}?sort=size`]),
      `/type/${encodeURIComponent(types[0])}?offset=1000`,
      ...objects.flatMap((i) => [`/object/${hex(i)}`, `/api/object/${hex(i)}/retainers`, `/api/dominators?node=${hex(i)}&flame=0`]),
      ...typePages,
      `/search?q=${hex(objects[0])}`, `/search?q=${encodeURIComponent(types[0])}`, '/search?q=main', '/api/types', '/api/'];
    const lists = new Set(['/', '/types', '/types?sort=retained', '/roots', '/goroutines', '/dominators', '/suspects', '/allocs']);
    let listsAnswered = 0;
    const ms: number[] = [];
    const cpuMs: number[] = [];
    const timed: [number, string][] = [];
    let worst = { ms: 0, url: '' };
    const waited = new Set<string>();
    for (const u of urls) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      // A page whose derived index a first start is still building answers 503 and reloads itself after
      // retry-after seconds (viewer/router.ts): the bench does as the browser does, and times the page until it is
      // there, as long as the user waits for it (`rebuilt` says which pages waited).
      let r = await app.inject(u);
      while (r.statusCode === 503 && performance.now() - t < 15 * 60 * 1000) {
        const after = Number(r.headers['retry-after'] ?? 1);
        await new Promise((done) => setTimeout(done, 1000 * (Number.isFinite(after) && after > 0 ? after : 1)));
        waited.add(u);
        r = await app.inject(u);
      }
      const dt = performance.now() - t;
      const c = process.cpuUsage(cpu);
      cpuMs.push((c.user + c.system) / 1000);
      if (r.statusCode !== 200 && r.statusCode !== 302) throw new Error(`${u}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      ms.push(dt);
      if (lists.has(u)) listsAnswered = performance.now();
      timed.push([dt, u]);
      if (dt > worst.ms) worst = { ms: dt, url: u };
    }
    const median = (xs: number[]): number => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const over = ms.filter((x) => x > 200).length;
    await state.backgroundDone;
    await app.close();
    state.close();
    const typeMs = timed.filter(([, u]) => typePages.includes(u));
    const typeWorst = typeMs.reduce((w, x) => (x[0] > w[0] ? x : w), [0, '']);
    return {
      typePages: typePages.length, typePageWorstMs: round3(typeWorst[0]), typePageWorst: typeWorst[1],
      typePagesOver200Ms: typeMs.filter(([t]) => t > 200).length, crowdedTypes: crowded.map((r) => `${r.type} (${r.count})`).join(', '),
      slowest: timed.sort((a, b) => b[0] - a[0]).slice(0, 8).map(([t, u]) => `${u} ${t.toFixed(0)} ms`).join('; '),
      // Pages that answered "building" (503) first and were asked again until they were there.
      waitedForBuilding: [...waited].join(' '),
      pages: urls.length, pageMedianMs: round3(median(ms)), pageWorstMs: round3(worst.ms), worstPage: worst.url, pagesOver200Ms: over,
      // CPU time per page (this process, all threads): on a busy machine, closer to what an idle one would take.
      pageMedianCpuMs: round3(median(cpuMs)), pageWorstCpuMs: round3(Math.max(...cpuMs)),
      openSeconds: round3(state.openSeconds ?? 0), prepareSeconds: round3(state.prepareSeconds ?? 0),
      readySeconds: round3((ready - t0) / 1000), listPagesAnsweredSeconds: round3((listsAnswered - t0) / 1000),
      backgroundSeconds: round3(state.backgroundSeconds ?? 0), structuresSeconds: round3(state.structuresSeconds ?? 0), objects: n,
      // The derived indexes' builder is a process of its own: its peak is not in this stage's peak RSS.
      builderPeakRssMB: round3(state.builderPeakRssMB ?? 0),
    };
  },
};

export const viewerStages: Record<string, Stage> = {
  viewer,
  // A restart: what the first start built and kept beside the index (the whole-heap answers, the large structures)
  // is read back.
  'viewer-restart': { ...viewer, description: 'the viewer stage again, in a new process: a restart on the index and what the first start kept beside it' },
};
