// Loading on two threads (lib/graph/load-split.ts): a worker decodes the object records from a boundary it finds near
// the middle of the dump, and resolves half of the edges. Whatever the worker does, the graph and the errors must be
// those of one thread: checked on real dumps split at their middle, on a dump whose middle holds bytes that look like
// object records (a wrong boundary, which must be passed over), and on dumps damaged after and before the boundary.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { decodeHeapDump, type DecodeSplit, HeapDumpError } from '../../lib/dump/index.js';
import { type HeapGraph, loadHeapGraph, type SplitReport } from '../../lib/graph/index.js';
import { GraphBuilder } from '../../lib/graph/builder.js';
import { LoadSplit } from '../../lib/graph/load-split.js';
import { ROOT, scratchDir, zooDump } from '../support/fixtures.js';

const fixture = (name: string, version: string): string => path.join(ROOT, '.cache/fixtures', name, `go${version}`, 'heap1.dump');

/** Loads `dump` split at its middle (whatever its size), with how the split went. */
function loadSplit(dump: string): { graph: HeapGraph; report: SplitReport } {
  let report: SplitReport | undefined;
  const graph = loadHeapGraph(dump, { splitMinBytes: 1, onSplit: (r) => (report = r) });
  return { graph, report: report! };
}

const loadAlone = (dump: string): HeapGraph => loadHeapGraph(dump, { splitMinBytes: Infinity });

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.byteLength === b.byteLength &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Every column and record of the two graphs that differs (by name). */
function differences(a: HeapGraph, b: HeapGraph): string[] {
  const out: string[] = [];
  for (const k of ['edgeStart', 'edgeTarget', 'edgeField', 'reachable', 'recordCounts'] as const) if (!sameBytes(a[k], b[k])) out.push(k);
  for (const k of ['runStart', 'runObjectSize', 'runCount', 'runFirst'] as const) if (!sameBytes(a.addressIndex[k], b.addressIndex[k])) out.push(k);
  if (!sameBytes(a.contentOffsets.low, b.contentOffsets.low) || !sameBytes(a.contentOffsets.highStart, b.contentOffsets.highStart)) out.push('contentOffsets');
  for (const k of ['objectCount', 'objectBytes', 'pointerSlots', 'goroutines', 'segments', 'finalizers', 'types', 'itabs', 'threads',
    'defers', 'panics', 'otherRoots', 'memStats', 'memProfBuckets'] as const) {
    if (!isDeepStrictEqual(a[k], b[k])) out.push(k);
  }
  if (!isDeepStrictEqual(a.roots, b.roots)) out.push('roots');
  if (!isDeepStrictEqual(a.stats(), b.stats())) out.push('stats');
  return out;
}

/** The start of every record of `dump` after its Params record, and where the split's search for a boundary starts. */
function recordStarts(dump: string): { starts: number[]; searchFrom: number; objects: { contentOffset: number; size: number }[] } {
  const starts: number[] = [];
  const objects: { contentOffset: number; size: number }[] = [];
  let searchFrom = 0;
  const split: DecodeSplit = {
    begin(_p, _v, at, fileSize) {
      searchFrom = Math.floor((at + fileSize) / 2); // as LoadSplit.begin proposes
      return at;
    },
    reach(at) {
      starts.push(at);
      return { goOnAt: at, nextStop: at + 1, objects: 0, slots: null };
    },
  };
  const visitor = new Proxy({ object: (_a: number, size: number, contentOffset: number) => objects.push({ contentOffset, size }) }, {
    get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? (() => undefined),
  });
  decodeHeapDump(dump, visitor as never, { split });
  return { starts, searchFrom, objects };
}

/** The error loading `dump` throws (its message), with the split's report. */
function failure(dump: string, splitMinBytes: number): { error: HeapDumpError; report: SplitReport | undefined } {
  let report: SplitReport | undefined;
  try {
    loadHeapGraph(dump, { splitMinBytes, onSplit: (r) => (report = r) });
  } catch (e) {
    expect(e).to.be.instanceOf(HeapDumpError);
    return { error: e as HeapDumpError, report };
  }
  throw new Error(`${dump} loaded without an error`);
}

describe('graph: loading on two threads', function () {
  const dumps = [
    zooDump('1.19'), zooDump('1.26'), zooDump('1.26', 'heap2'), fixture('svcmix', '1.26'), fixture('httpserver', '1.26'),
    fixture('realtypes', '1.22'), fixture('realtypes', '1.26'), fixture('bigarray', '1.26'), fixture('blocked', '1.22'),
  ];
  for (const dump of dumps) {
    it(`takes the worker's half of ${path.relative(ROOT, dump)} and makes the one-thread graph, array for array`, function () {
      const alone = loadAlone(dump);
      const { graph, report } = loadSplit(dump);
      expect(report.taken, 'the worker\'s objects were taken').to.equal(true);
      expect(report.objects).to.be.above(0);
      expect(report.resolved).to.be.above(0);
      expect(report.marksReachable, 'the worker marked the reachable objects').to.equal(true);
      const { starts } = recordStarts(dump);
      expect(starts, 'the boundary is a record start').to.include(report.boundary);
      expect(differences(graph, alone)).to.deep.equal([]);
    });
  }

  it('passes over object records found inside an object at the middle of the dump, and decodes on alone', function () {
    // bigarray's middle falls in a 40 KiB object (main.Bytes): its contents get a copy of 24 real object records,
    // which the worker takes for the boundary; this thread, reading the object whole, never lands on it.
    const source = fixture('bigarray', '1.26');
    const { starts, searchFrom, objects } = recordStarts(source);
    const around = objects.find((o) => o.contentOffset <= searchFrom && searchFrom + 4096 < o.contentOffset + o.size);
    expect(around, 'an object spans the middle').to.not.equal(undefined);
    const bytes = fs.readFileSync(source);
    const first = starts.findIndex((s) => s > 1024 && bytes[s] === 1);
    const chain = bytes.subarray(starts[first], starts[first + 24]);
    expect(chain.length).to.be.below(4000);
    const fake = searchFrom + 8;
    const copy = Buffer.from(bytes);
    chain.copy(copy, fake);
    const dump = path.join(scratchDir('load-split-fake'), 'heap1.dump');
    fs.writeFileSync(dump, copy);
    const alone = loadAlone(dump);
    const { graph, report } = loadSplit(dump);
    expect(report.boundary, 'the worker took the copied records for the boundary').to.equal(fake);
    expect(report.taken).to.equal(false);
    expect(differences(graph, alone)).to.deep.equal([]);
    expect(graph.objectCount).to.equal(loadAlone(source).objectCount);
  });

  it('decodes alone when the file at the dump\'s path is not the one this thread has open (replaced meanwhile)', function () {
    const dump = fixture('realtypes', '1.26');
    const builder = new GraphBuilder(fs.statSync(dump).size);
    const split = new LoadSplit(dump, builder, 1);
    // As if the file had been written again after this thread opened it: the worker finds another modification time.
    const told: DecodeSplit = {
      begin: (p, v, at, size, file) => split.begin(p, v, at, size, { ...file, mtimeMs: file.mtimeMs + 1 }),
      reach: (at) => split.reach(at),
    };
    try {
      decodeHeapDump(dump, builder, { split: told, keepSlots: true });
    } finally {
      split.close();
    }
    expect(split.report().boundary, 'no boundary looked for').to.equal(-1);
    expect(split.report().taken).to.equal(false);
    expect(builder.objectCount).to.equal(loadAlone(dump).objectCount);
  });

  it('reports a dump cut short past the boundary as one thread does', function () {
    const source = fixture('realtypes', '1.26');
    const bytes = fs.readFileSync(source);
    const dump = path.join(scratchDir('load-split-cut'), 'heap1.dump');
    fs.writeFileSync(dump, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const split = failure(dump, 1);
    const alone = failure(dump, Infinity);
    expect(split.error.message).to.equal(alone.error.message);
    expect(split.error.offset).to.equal(alone.error.offset);
    expect(split.report!.boundary).to.be.above(0).and.below(split.error.offset!);
  });

  it('reports damage inside the worker\'s records, and before the boundary, as one thread does', function () {
    const source = fixture('realtypes', '1.26');
    const bytes = fs.readFileSync(source);
    const { starts } = recordStarts(source);
    for (const at of [0.75, 0.25]) {
      // A record's tag replaced by 0x7f: no record has that tag.
      const record = starts[Math.floor(starts.length * at)];
      const copy = Buffer.from(bytes);
      copy[record] = 0x7f;
      const dump = path.join(scratchDir(`load-split-bad-${at}`), 'heap1.dump');
      fs.writeFileSync(dump, copy);
      const split = failure(dump, 1);
      const alone = failure(dump, Infinity);
      expect(alone.error.offset, 'one thread stops at the damaged record').to.equal(record);
      expect(split.error.message).to.equal(alone.error.message);
      if (at > 0.5) expect(split.report!.boundary, 'the damage is the worker\'s').to.be.above(0).and.below(record);
      else expect(split.report!.taken).to.equal(false);
    }
  });
});
