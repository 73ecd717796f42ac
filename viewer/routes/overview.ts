// `/`: the overview: Go version, architecture, MemStats, objects and bytes, reachable against garbage, the typed
// share, the types and roots that retain most, and the leak suspects. Its twin /api/ is the CLI's `info --json`
// document plus topTypes, topRoots and suspects (the first two as `types`/`roots --json` rows).
import { html } from '../html.js';
import { bytes, count, pct, size, table, typeLink, objectLink } from '../layout.js';
import type { Router } from '../router.js';
import * as answers from '../answers.js';
import { pathView, rootRowLink, suspectSubject } from '../parts.js';

const TOP = 10;

/**
 * A MemStats value as people read it: byte counts in units with the exact count, LastGC as a UTC time (it is
 * nanoseconds since 1970), PauseTotalNs as a duration, other counts with separators. A value no real heap has
 * (a byte count beyond 2^50) is shown as the number it is; NextGC so high is the runtime's "no goal": the collector
 * was off (debug.SetGCPercent(-1), GOGC=off).
 */
export function memStat(key: string, raw: string): string {
  const big = /^[0-9]+$/.test(raw) ? BigInt(raw) : undefined;
  if (big === undefined) return raw;
  const n = Number(big);
  const exact = big.toLocaleString('en-US');
  if (key === 'LastGC') {
    if (big === 0n) return 'never';
    const ms = Number(big / 1000000n);
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? exact : `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC (${exact} ns since 1970)`;
  }
  if (key === 'NextGC' && n >= 2 ** 62) return `none: the collector is off (GOGC=off; the runtime says ${exact})`;
  if (/Ns$/.test(key)) return n < 1e3 ? `${n} ns` : n < 1e6 ? `${(n / 1e3).toFixed(1)} µs` : n < 1e9 ? `${(n / 1e6).toFixed(1)} ms` : `${(n / 1e9).toFixed(2)} s`;
  if (/Alloc$|Sys$|Inuse$|Idle$|Released$|NextGC/.test(key) && n < 2 ** 50) return n < 1024 ? `${n} B` : `${bytes(n)} (${exact} B)`;
  return exact;
}

export function register(r: Router): void {
  answers.prepareAnswers(r.state);
  r.page({
    needsStructures: false,
    path: '/',
    data(c) {
      const t = answers.types(c);
      const byRetained = [...t.types].sort((a, b) => b.retainedBytes - a.retainedBytes || a.name.localeCompare(b.name)).slice(0, TOP);
      return {
        ...answers.info(c),
        dump: c.s.dumpPath,
        binary: c.s.binaryPath ?? null,
        topTypes: byRetained,
        topRoots: answers.roots(c).roots.slice(0, TOP),
        suspects: answers.suspects(c),
      };
    },
    render(d) {
      const facts: [string, unknown][] = [
        ['dump', `${d.dump} (${bytes(d.dumpBytes)})`],
        ['binary', d.binary ?? 'none (objects are named by size class; start with the executable for Go types)'],
        ['format', d.format],
        ['Go version', d.goVersion ?? 'unknown (written before Go 1.17)'],
        ['architecture', `${d.arch}, ${d.ptrSize * 8}-bit, ${d.bigEndian ? 'big' : 'little'}-endian`],
        ['objects', `${count(d.objects)} objects, ${bytes(d.objectBytes)}`],
        ['reachable', `${count(d.reachableObjects)} objects, ${bytes(d.reachableBytes)} (${pct(d.reachableBytes, d.objectBytes)})`],
        ['garbage', `${count(d.unreachableObjects)} objects, ${bytes(d.unreachableBytes)} (${pct(d.unreachableBytes, d.objectBytes)}), unreachable since the last GC`],
        ...(d.typedObjects !== undefined
          ? [['typed', `${count(d.typedObjects)} objects (${pct(d.typedObjects, d.reachableObjects)}), ${bytes(d.typedBytes ?? 0)} (${pct(d.typedBytes ?? 0, d.reachableBytes)}) of the reachable`] as [string, unknown]]
          : []),
        ['pointers', `${count(d.edges)} into the heap (${count(d.interiorEdges)} interior)`],
        ['roots', count(d.roots)],
        ['goroutines', `${count(d.goroutines)} with ${count(d.frames)} frames`],
        ['finalizers', `${count(d.finalizers)} set, ${count(d.queuedFinalizers)} queued`],
        ['memory profile', `${count(d.memProfBuckets)} allocation sites, ${count(d.allocSamples)} sampled objects`],
      ];
      const ms = d.memstats ?? {};
      const memstats = Object.entries(ms).filter(([, v]) => typeof v === 'number' || typeof v === 'string')
        .map(([k, v]) => html`<tr><th>${k}</th><td class="num">${memStat(k, String(v))}</td></tr>`);
      const types = table([{ label: 'retained', num: true }, { label: 'bytes', num: true }, { label: 'objects', num: true }, { label: 'type' }],
        d.topTypes.map((t) => [size(t.retainedBytes), size(t.bytes), html`${count(t.count)}`, typeLink(t.name)]));
      const roots = table([{ label: 'retained', num: true }, { label: 'root' }],
        d.topRoots.map((x) => [size(x.retained), rootRowLink(x)]));
      const sus = d.suspects.suspects.length === 0
        ? html`<p class="muted">No suspects: nothing alone retains ${(d.suspects.threshold * 100).toFixed(0)}% of the ${bytes(d.suspects.reachableBytes)} reachable.</p>`
        : html`<ol class="suspects">${d.suspects.suspects.map((x) => html`<li>${suspectSubject(x)}
 retains ${size(x.retained)} (${(x.share * 100).toFixed(1)}%)${x.accumulation ? html`, accumulating in ${x.accumulation.chain !== undefined ? html`a chain of ${count(x.accumulation.chain)} ` : html``}${objectLink(x.accumulation.address)} ${typeLink(x.accumulation.type)}` : html``}
 ${pathView(x.path)}</li>`)}</ol>`;
      return {
        title: 'Overview',
        body: html`<section class="cols"><div><h2>Dump</h2><table class="facts">${facts.map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</table></div>
<div><h2>MemStats</h2>${memstats.length > 0 ? html`<table class="facts">${memstats}</table>` : html`<p class="muted">The dump has no MemStats record.</p>`}</div></section>
<section><h2>Leak suspects</h2>${sus}<p><a href="/suspects">All suspects</a></p></section>
<section class="cols"><div><h2>Types retaining most</h2>${types}<p><a href="/types">All types</a></p></div>
<div><h2>Roots retaining most</h2>${roots}<p><a href="/roots">All roots</a> · <a href="/dominators">Dominator tree and flame graph</a></p></div></section>`,
      };
    },
  });
}
