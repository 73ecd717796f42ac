// The analysis writer of a cold open (lib/session/background-save.ts): it computes the shortest-path tree on its own
// thread while the open runs the dominator pass, parks it in a file, then writes it with the analysis or hands it
// back; either way it is the tree lib/analysis computes in this thread, and no file is left behind. Given the
// dominators, it also builds the sorted dominator tree (before writing), when told it may.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAnalysisGraph, buildRootNodes, computeHeapDominators, edgeSource, NONE, shortestPathParents, sortedDominatorTree } from '../../lib/analysis/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { analysisWriterInBackground } from '../../lib/session/background-save.js';
import { loadDerived, readIndexFile, sourceIdentity } from '../../lib/store/index.js';
import { treeCodec } from '../../lib/session/derived.js';
import { parkArrays } from '../../lib/session/parked-arrays.js';
import { scratchDir, zooDump } from '../support/fixtures.js';

describe('session: the analysis writer computes the shortest-path tree on its own thread', function () {
  const graph = loadHeapGraph(zooDump('1.26'));
  const analysis = buildAnalysisGraph(graph, buildRootNodes(graph));
  const expected = shortestPathParents(analysis, Uint32Array.of(0));

  it('hands back the very tree this thread computes, and removes its parked copy', function () {
    const dir = scratchDir('writer-give');
    const writer = analysisWriterInBackground(path.join(dir, 'a.idx'), analysis);
    expect(writer).to.not.equal(undefined);
    writer!.waitForTree();
    const tree = writer!.takePaths();
    expect(tree).to.not.equal(undefined);
    expect(tree!.parentEdge.length).to.equal(analysis.nodeCount);
    expect(Buffer.from(tree!.parentEdge.buffer).equals(Buffer.from(expected.parentEdge.buffer))).to.equal(true);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('the tree is the parent edges only: each node\'s parent is its edge\'s source, over the head and the tail', function () {
    const tail = analysis.tail!;
    const sourceOf = edgeSource(analysis.nodeCount, analysis.edgeTarget.length, (v) => analysis.firstEdge[v], { node: tail.node, firstEdge: (v) => tail.firstEdge[v] });
    let objects = 0;
    for (let v = 1; v < analysis.nodeCount; v++) {
      const e = expected.parentEdge[v];
      if (e === NONE) continue;
      expect(sourceOf(e), `node ${v}`).to.equal(expected.parent[v]);
      if (v >= tail.node && expected.parent[v] >= tail.node) objects++;
    }
    expect(objects).to.be.greaterThan(1000);
  });

  it('writes the tree in place of the analysis\' empty one, its sections in their order', function () {
    const dir = scratchDir('writer-write');
    const file = path.join(dir, 'a.idx');
    const writer = analysisWriterInBackground(file, analysis);
    const empty = new Uint32Array(0);
    const pending = writer!.write({ meta: { kind: 'test' }, arrays: { before: Uint8Array.of(7), pathParentEdge: empty, after: Float64Array.of(1.5) } });
    expect(pending.wait()).to.equal(null);
    const back = readIndexFile(file);
    expect(back.meta).to.deep.equal({ kind: 'test' });
    expect(Object.keys(back.arrays)).to.deep.equal(['before', 'pathParentEdge', 'after']);
    expect(Array.from(back.arrays.pathParentEdge)).to.deep.equal(Array.from(expected.parentEdge));
    expect(Array.from(back.arrays.after)).to.deep.equal([1.5]);
    expect(fs.readdirSync(dir)).to.deep.equal(['a.idx']);
  });

  it('builds the sorted dominator tree this thread builds, over shared memory, only once told it may', function () {
    const dir = scratchDir('writer-tree');
    const file = path.join(dir, 'a.idx');
    const dom = computeHeapDominators(graph, buildRootNodes(graph), { analysis, shared: true });
    const mine = sortedDominatorTree(dom.idom, dom.retained);
    const writer = analysisWriterInBackground(file, analysis);
    const empty = new Uint32Array(0);
    const treeFile = path.join(dir, 'a.tree.idx');
    const dump = sourceIdentity(zooDump('1.26'));
    const pending = writer!.write({ meta: {}, arrays: { pathParentEdge: empty } },
      { idom: dom.idom, retained: dom.retained, save: { file: treeFile, dump, binary: null } });
    // Not told yet: the worker waits, and writes nothing before the tree.
    const start = Date.now();
    while (Date.now() - start < 300) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(fs.existsSync(file)).to.equal(false);
    writer!.startTree();
    const tree = writer!.dominatorTree();
    expect(tree).to.not.equal(undefined);
    expect(tree!.root).to.equal(mine.root);
    expect(tree!.firstChild.buffer).to.be.instanceOf(SharedArrayBuffer);
    expect(Array.from(tree!.firstChild)).to.deep.equal(Array.from(mine.firstChild));
    expect(Array.from(tree!.child)).to.deep.equal(Array.from(mine.child));
    expect(writer!.dominatorTree()).to.equal(undefined); // handed over once
    expect(pending.wait()).to.equal(null);
    expect(Array.from(readIndexFile(file).arrays.pathParentEdge)).to.deep.equal(Array.from(expected.parentEdge));
    // Kept as the session's derived index, written before the analysis index.
    const kept = treeCodec.decode(loadDerived(treeFile, 'tree', dump, null), analysis.nodeCount);
    expect(kept).to.not.equal(undefined);
    expect(Array.from(kept!.child)).to.deep.equal(Array.from(mine.child));
    expect(fs.statSync(treeFile).mtimeMs).to.be.at.most(fs.statSync(file).mtimeMs);
  });

  it('a write whose dominator tree nobody takes still ends, the tree let go', function () {
    const dir = scratchDir('writer-tree-untaken');
    const file = path.join(dir, 'a.idx');
    const dom = computeHeapDominators(graph, buildRootNodes(graph), { analysis, shared: true });
    const writer = analysisWriterInBackground(file, analysis);
    const empty = new Uint32Array(0);
    expect(writer!.write({ meta: {}, arrays: { pathParentEdge: empty } }, { idom: dom.idom, retained: dom.retained }).wait()).to.equal(null);
    expect(writer!.dominatorTree()).to.equal(undefined);
    expect(fs.readdirSync(dir)).to.deep.equal(['a.idx']);
  });

  it('a write that fails is reported, and leaves no parked tree behind', function () {
    const dir = scratchDir('writer-fails');
    const file = path.join(dir, 'a.idx');
    fs.mkdirSync(file); // a folder where the file should go
    const writer = analysisWriterInBackground(file, analysis);
    const empty = new Uint32Array(0);
    const failure = writer!.write({ meta: {}, arrays: { pathParentEdge: empty } }).wait();
    expect(failure).to.be.a('string').and.not.equal('the writing thread did not finish');
    expect(fs.readdirSync(dir)).to.deep.equal(['a.idx']);
  });

  it('edges that are not shared are not copied to a thread: the caller computes the tree itself', function () {
    const tail = analysis.tail!;
    const copied = { ...analysis, tail: { node: tail.node, firstEdge: Uint32Array.from(tail.firstEdge), edgeTarget: Uint32Array.from(tail.edgeTarget) } };
    expect(analysisWriterInBackground(path.join(scratchDir('writer-unshared'), 'a.idx'), copied)).to.equal(undefined);
  });
});

describe('session: arrays parked in a file', function () {
  it('are parked in a folder not made yet (an open parks them before its first index is written), and read back whole', function () {
    const file = path.join(scratchDir('parked-arrays'), 'not-made-yet', 'a.idx-paths.1.tmp');
    const holder = { parent: Uint32Array.from([5, 4, 3, 2, 1]), parentEdge: Float64Array.from([0.5, 1e12, -3]) };
    const parked = parkArrays(file, holder, ['parent', 'parentEdge']);
    expect(parked, 'parked').to.not.equal(undefined);
    expect(fs.statSync(file).size).to.equal(5 * 4 + 3 * 8);
    expect([...holder.parent]).to.deep.equal([5, 4, 3, 2, 1]);
    expect([...holder.parentEdge]).to.deep.equal([0.5, 1e12, -3]);
    parked!.restore();
    expect(fs.existsSync(file)).to.equal(false);
  });
});
