// Immediate dominators of a FlatGraph: the Semi-NCA variant of Lengauer-Tarjan.
//
// Sources: T. Lengauer and R. E. Tarjan, "A Fast Algorithm for Finding Dominators in a Flowgraph",
// ACM TOPLAS 1(1):121-141, 1979 (semidominators, and the "simple" EVAL/LINK with path compression);
// L. Georgiadis, "Linear-Time Algorithms for Dominators and Related Problems", PhD thesis, Princeton,
// 2005, and Georgiadis, Tarjan, Werneck, "Finding Dominators in Practice", JGAA 10(1), 2006 (Semi-NCA:
// idom(w) is the nearest common ancestor of parent(w) and semi(w) in the dominator tree built so far,
// which replaces the paper's buckets and its second pass).
//
// Names follow the paper and, as in the paper, vertices are 1-indexed by DFS preorder number:
// vertex[i] is the node numbered i, parent[i] its DFS-tree parent's number, semi[i] its semidominator's
// number, ancestor/label the path-compressed forest of EVAL/LINK. Number 0 means "none".
//
// Memory for n nodes, N reachable, E' edges leaving reachable nodes: the result (n), vertex, parent,
// semi, ancestor, label and one stack (N + 1 each), plus predecessors in DFS-number space built once in
// three passes (count, prefix sum, fill): pred offsets (N + 2) and pred sources (E' minus self-loops
// and edges into the root). Nothing is allocated per node or edge; nothing recurses.

import { type FlatGraph, NONE, checkGraph, checkNode } from './flat-graph.js';

/**
 * Computes the immediate dominator of every node reachable from root.
 * Returns idom with idom[root] = root, idom[v] = the immediate dominator of v, and NONE (0xFFFFFFFF)
 * for nodes that root does not reach. Edge targets must be node ids below g.nodeCount.
 */
export function computeDominators(g: FlatGraph, root: number): Uint32Array {
  checkGraph(g);
  checkNode(g, root, 'root');
  const n = g.nodeCount;
  const firstEdge = g.firstEdge;
  const edgeTarget = g.edgeTarget;

  // dfnum[node] = DFS preorder number (1-based), 0 = not reached. Rewritten in place into the result.
  const dfnum = new Uint32Array(n);
  const vertex = new Uint32Array(n + 1);
  const parent = new Uint32Array(n + 1);
  // DFS stack: node id and the next edge to look at, one entry per tree level.
  const stackNode = new Uint32Array(n + 1);
  const stackEdge = new Uint32Array(n + 1);

  // 1. Iterative depth-first search numbering the reachable nodes in preorder.
  let count = 1;
  dfnum[root] = 1;
  vertex[1] = root;
  parent[1] = 0;
  stackNode[0] = root;
  stackEdge[0] = firstEdge[root];
  let sp = 1;
  while (sp > 0) {
    const top = sp - 1;
    const v = stackNode[top];
    const end = firstEdge[v + 1];
    let e = stackEdge[top];
    while (e < end && dfnum[edgeTarget[e]] !== 0) e++;
    if (e >= end) {
      sp = top;
      continue;
    }
    stackEdge[top] = e + 1;
    const w = edgeTarget[e];
    count++;
    dfnum[w] = count;
    vertex[count] = w;
    parent[count] = dfnum[v];
    stackNode[sp] = w;
    stackEdge[sp] = firstEdge[w];
    sp++;
  }
  const N = count;

  // 2. Predecessors in DFS-number space: preds of number w are pred[predFirst[w] .. predFirst[w+1]).
  // Self-loops and edges into the root never change a semidominator, so they are left out.
  const predFirst = new Uint32Array(N + 2);
  for (let i = 1; i <= N; i++) {
    const v = vertex[i];
    const end = firstEdge[v + 1];
    for (let e = firstEdge[v]; e < end; e++) {
      const t = dfnum[edgeTarget[e]];
      if (t !== i && t !== 1) predFirst[t]++;
    }
  }
  for (let i = 1; i <= N + 1; i++) predFirst[i] += predFirst[i - 1];
  const pred = new Uint32Array(predFirst[N + 1]);
  for (let i = 1; i <= N; i++) {
    const v = vertex[i];
    const end = firstEdge[v + 1];
    for (let e = firstEdge[v]; e < end; e++) {
      const t = dfnum[edgeTarget[e]];
      if (t !== i && t !== 1) pred[--predFirst[t]] = i;
    }
  }
  // predFirst[t] is now the start of t's range and predFirst[t + 1] its end.

  // 3. Semidominators, for w = N down to 2, with the simple EVAL/LINK of the paper.
  const semi = new Uint32Array(N + 1);
  const ancestor = new Uint32Array(N + 1);
  const label = stackNode; // the DFS stack is free now
  const path = stackEdge; // the path-compression stack
  for (let i = 1; i <= N; i++) {
    semi[i] = i;
    label[i] = i;
  }
  for (let w = N; w >= 2; w--) {
    let s = semi[w];
    const pend = predFirst[w + 1];
    for (let p = predFirst[w]; p < pend; p++) {
      const v = pred[p];
      let u = v;
      if (ancestor[v] !== 0) {
        // COMPRESS(v), iteratively: walk to the forest root's child, then fold labels back down.
        let x = v;
        let top = 0;
        while (ancestor[ancestor[x]] !== 0) {
          path[top++] = x;
          x = ancestor[x];
        }
        while (top > 0) {
          const y = path[--top];
          const a = ancestor[y];
          if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
          ancestor[y] = ancestor[a];
        }
        u = label[v]; // EVAL(v)
      }
      if (semi[u] < s) s = semi[u];
    }
    semi[w] = s;
    ancestor[w] = parent[w]; // LINK(parent[w], w)
  }

  // 4. Semi-NCA: idom[w] is the nearest ancestor of parent[w] in the dominator tree whose number is at
  // most semi[w]. parent[] is overwritten with idom[] in increasing order, so idom[d] is ready for d < w.
  const idom = parent;
  idom[1] = 1;
  for (let w = 2; w <= N; w++) {
    const s = semi[w];
    let d = parent[w];
    while (d > s) d = idom[d];
    idom[w] = d;
  }

  // 5. Back to node ids, in place over dfnum.
  const result = dfnum;
  for (let i = 0; i < n; i++) {
    const k = result[i];
    result[i] = k === 0 ? NONE : vertex[idom[k]];
  }
  return result;
}
