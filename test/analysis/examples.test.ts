// Hand-checked graphs: the example flowgraph of Lengauer and Tarjan's paper, edge cases and shape errors.

import { expect } from 'chai';
import {
  GraphShapeError,
  NONE,
  computeDominators,
  computeRetainedSizes,
  dominatorTreeChildren,
  flatGraphFromEdges,
  pathTo,
  shortestPathParents,
} from '../../lib/analysis/index.js';

describe('analysis on hand-checked graphs', function () {
  it('finds the immediate dominators of the example flowgraph in Lengauer and Tarjan (1979), Fig. 1', function () {
    const names = ['R', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'];
    const id = (s: string): number => names.indexOf(s);
    const adj: Record<string, string> = {
      R: 'ABC', A: 'D', B: 'ADE', C: 'FG', D: 'L', E: 'H', F: 'I', G: 'IJ', H: 'EK', I: 'K', J: 'I', K: 'IR', L: 'H',
    };
    const edges: Array<[number, number]> = [];
    for (const [from, tos] of Object.entries(adj)) for (const to of tos) edges.push([id(from), id(to)]);
    const idom = computeDominators(flatGraphFromEdges(names.length, edges), id('R'));
    const got = Object.fromEntries(names.map((v, i) => [v, names[idom[i]]]));
    // The dominator tree drawn in the paper: R over A B C D E H I K; C over F G; D over L; G over J.
    expect(got).to.deep.equal({
      R: 'R', A: 'R', B: 'R', C: 'R', D: 'R', E: 'R', H: 'R', I: 'R', K: 'R', F: 'C', G: 'C', L: 'D', J: 'G',
    });
  });

  it('handles a one-node graph, a self-loop root and a root other than node 0', function () {
    expect(Array.from(computeDominators(flatGraphFromEdges(1, []), 0))).to.deep.equal([0]);
    expect(Array.from(computeDominators(flatGraphFromEdges(1, [[0, 0]]), 0))).to.deep.equal([0]);
    // 0 -> 1 -> 2 -> 3, 3 -> 1, rooted at 2: 3 <- 2, 1 <- 3, 0 unreachable.
    const g = flatGraphFromEdges(4, [[0, 1], [1, 2], [2, 3], [3, 1]]);
    expect(Array.from(computeDominators(g, 2))).to.deep.equal([NONE, 3, 2, 2]);
    const idom = computeDominators(g, 2);
    expect(Array.from(computeRetainedSizes(idom, new Float64Array([1, 10, 100, 1000]), 2))).to.deep.equal([
      0, 10, 1110, 1010,
    ]);
  });

  it('gives unreachable nodes no idom, no tree position and retained size 0', function () {
    // 0 -> 1, 2 -> 1, 2 -> 3: 2 and 3 are garbage.
    const g = flatGraphFromEdges(4, [[0, 1], [2, 1], [2, 3]]);
    const idom = computeDominators(g, 0);
    expect(Array.from(idom)).to.deep.equal([0, 0, NONE, NONE]);
    const tree = dominatorTreeChildren(idom);
    expect(Array.from(tree.firstChild)).to.deep.equal([0, 1, 1, 1, 1]);
    expect(Array.from(tree.child)).to.deep.equal([1]);
    expect(Array.from(computeRetainedSizes(idom, new Float64Array([1, 2, 4, 8]), 0))).to.deep.equal([3, 2, 0, 0]);
  });

  it('breaks BFS ties by queue order, then edge order', function () {
    // Edge indices, grouped by source: 0->2 e0, 0->1 e1, 1->4 e2, 2->4 e3, 3->2 e4, 3->2 e5.
    // Sources 3 and 0 (3 listed first, so dequeued first): 2 is found from 3 over e4 (not its duplicate
    // e5, nor 0's e0); then 2 is dequeued before 1, so 4 is found over e3, not e2.
    const g = flatGraphFromEdges(5, [[0, 2], [0, 1], [3, 2], [3, 2], [2, 4], [1, 4]]);
    const sp = shortestPathParents(g, new Uint32Array([3, 0, 3]));
    expect(Array.from(sp.distance)).to.deep.equal([0, 1, 1, 0, 2]);
    expect(Array.from(sp.parent)).to.deep.equal([0, 0, 3, 3, 2]);
    expect(Array.from(sp.parentEdge)).to.deep.equal([NONE, 1, 4, NONE, 3]);
    expect(pathTo(sp.parent, 4)).to.deep.equal([3, 2, 4]);
  });

  it('rejects malformed graphs and arguments with GraphShapeError', function () {
    const g = flatGraphFromEdges(3, [[0, 1]]);
    expect(() => computeDominators(g, 3)).to.throw(GraphShapeError, /root 3/);
    expect(() => computeDominators({ nodeCount: 3, firstEdge: new Uint32Array(3), edgeTarget: new Uint32Array(0) }, 0))
      .to.throw(GraphShapeError, /nodeCount \+ 1/);
    expect(() => computeDominators({ nodeCount: 2, firstEdge: new Uint32Array([0, 1, 1]), edgeTarget: new Uint32Array(2) }, 0))
      .to.throw(GraphShapeError, /edgeTarget.length/);
    expect(() => shortestPathParents(g, new Uint32Array([7]))).to.throw(GraphShapeError, /source 7/);
    const outside = { nodeCount: 2, firstEdge: new Uint32Array([0, 1, 1]), edgeTarget: new Uint32Array([2]) };
    expect(() => computeDominators(outside, 0)).to.throw(GraphShapeError, /targets 2/);
    expect(() => dominatorTreeChildren(new Uint32Array([0, 1]))).to.throw(GraphShapeError, /two roots/);
    expect(() => computeRetainedSizes(new Uint32Array([0, 0]), new Float64Array(1), 0)).to.throw(GraphShapeError);
    expect(() => computeRetainedSizes(new Uint32Array([0, 0]), new Float64Array(2), 1)).to.throw(GraphShapeError);
  });
});
