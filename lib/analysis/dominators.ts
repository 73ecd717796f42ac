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
// number, ancestor/label the path-compressed forest of EVAL/LINK. Number 0 means "none". As Semi-NCA
// only ever needs semi[label[v]], the label slot stores that semidominator number directly, and it sits
// next to ancestor[v] in one interleaved array (ancestor = forest[2v], label = forest[2v + 1]) so that
// one cache line serves both: on a 15 M-node heap every step of this algorithm is a cache miss.
//
// A graph with a tail (flat-graph.ts: a heap's own edges after the root nodes') is read in place, with no copy.
//
// Memory for n nodes, N reachable, E' edges leaving reachable nodes: dfnum (n, then semi, then the result),
// vertex and parent (becomes idom) (n + 1 each), a visited bitset (n / 32), the DFS stack (a node's number and next
// edge per level, grown as deep as the search goes, 2(n + 1) at most), then one array of 2(N + 1) that is in turn
// the in-degree counts and the EVAL/LINK forest, the compression stack (grown to the longest path compressed), and the predecessors,
// built once in three passes (count, prefix sum, fill) in DFS-number space so that the semidominator loop
// reads them in order: offsets (n + 2) and sources (only the edges from a higher DFS number to a lower one, other
// than into the root: a lower-numbered predecessor, the DFS-tree parent among them, only gives its own number, the
// smallest of which the count pass keeps per node). That is at most 6n + E' 32-bit words. Nothing is allocated per node or edge and nothing recurses.
//
// Speed: on large heaps every phase is bound by cache misses, the DFS by their latency (each step
// waits for firstEdge[w], then edgeTarget[...]); the passes over all edges therefore run in node-id
// order, which reads edgeTarget sequentially.

import { type FlatGraph, NONE, GraphShapeError, checkGraph, checkNode, graphParts } from './flat-graph.js';
import { grown } from './grown.js';

/**
 * Computes the immediate dominator of every node reachable from root.
 * Returns idom with idom[root] = root, idom[v] = the immediate dominator of v, and NONE (0xFFFFFFFF)
 * for nodes that root does not reach. Throws GraphShapeError if a reachable edge targets no node.
 */
export function computeDominators(g: FlatGraph, root: number): Uint32Array {
  return dominatorsAndPreorder(g, root).idom;
}

/**
 * Like computeDominators, and also returns the reachable nodes in DFS preorder (preorder[0] = root). Every node
 * comes after its immediate dominator in that order (a dominator is a DFS-tree ancestor), so one backward pass
 * over it sums retained sizes without building the dominator tree. `afterSearch` is called once the search is over,
 * before the pass allocates the rest of its memory (three words per node and the predecessors): a caller running
 * another pass on another thread meanwhile can wait there for that pass to let its memory go.
 */
export function dominatorsAndPreorder(g: FlatGraph, root: number, afterSearch?: () => void): { idom: Uint32Array; preorder: Uint32Array } {
  checkGraph(g, true);
  checkNode(g, root, 'root');
  // Nodes below `split` read the graph's own CSR, the others its tail's (flat-graph.ts): node v >= split is the
  // tail's node v - split, and its targets are shifted by split.
  const { n, split, headFirst, headTarget, tailFirst, tailTarget } = graphParts(g);

  // dfnum[node] = DFS preorder number (1-based), 0 = not reached. Rewritten into the result at the end.
  const dfnum = new Uint32Array(n);
  const vertex = new Uint32Array(n + 1);
  const parent = new Uint32Array(n + 1);
  // The DFS tests "seen" in a bitset: at 15 M nodes it is 2 MB and stays in cache, dfnum would not.
  const visited = new Uint32Array((n + 31) >>> 5);
  // DFS stack, two words per tree level: the node's number and the next edge to look at (in its node's CSR). Grown
  // as the search proves deep (most heaps are shallow), so that the search itself holds three words per node.
  let work = new Uint32Array(Math.min(2 * (n + 1), 1 << 16));

  // 1. Iterative depth-first search numbering the reachable nodes in preorder.
  let count = 1;
  dfnum[root] = 1;
  vertex[1] = root;
  parent[1] = 0;
  visited[root >>> 5] |= 1 << (root & 31);
  work[0] = 1;
  work[1] = root < split ? headFirst[root] : tailFirst[root - split];
  let sp = 1;
  while (sp > 0) {
    const top = 2 * (sp - 1);
    const number = work[top];
    const v = vertex[number];
    const inTail = v >= split;
    const first = inTail ? tailFirst : headFirst;
    const target = inTail ? tailTarget : headTarget;
    const shift = inTail ? split : 0;
    const end = first[v - shift + 1];
    let e = work[top + 1];
    let w = 0;
    for (; e < end; e++) {
      w = target[e] + shift;
      if (w >= n) throw new GraphShapeError(`edge ${e} of node ${v} targets ${w}, beyond nodeCount ${n}`);
      if ((visited[w >>> 5] & (1 << (w & 31))) === 0) break;
    }
    if (e >= end) {
      sp--;
      continue;
    }
    work[top + 1] = e + 1;
    visited[w >>> 5] |= 1 << (w & 31);
    count++;
    dfnum[w] = count;
    vertex[count] = w;
    parent[count] = number;
    const next = top + 2;
    if (next + 1 >= work.length) {
      work = grown(work, Math.min(2 * work.length, 2 * (n + 1)));
    }
    work[next] = count;
    work[next + 1] = w < split ? headFirst[w] : tailFirst[w - split];
    sp++;
  }
  const N = count;

  // 2. Predecessors in DFS-number space. A predecessor numbered below w (w's DFS-tree parent among them) is its own
  // EVAL and only lowers semi(w) to its number: the count pass keeps the smallest such per node (minLow, by node id),
  // and only the edges from higher numbers, which need the forest, are listed: those of number w are
  // pred[predFirst[w] .. predFirst[w + 1]), as numbers. Counts are kept by the target's DFS number, which the pass
  // reads anyway (count at 2j, minLow at 2j + 1), so that moving them out is sequential; they become inclusive prefix
  // sums (predFirst[t] = end of t's range); the fill goes backwards so that each predFirst[t] walks down to the start of its range. Self-loops and
  // edges into the root (number 1) never change a semidominator and are left out. Each pass reads the head's nodes
  // and the tail's (in node order: the fill from the last node down).
  afterSearch?.();
  work = new Uint32Array(0);
  const counts = new Uint32Array(2 * (N + 1));
  for (let part = 0; part < 2; part++) {
    const first = part === 0 ? headFirst : tailFirst;
    const target = part === 0 ? headTarget : tailTarget;
    const shift = part === 0 ? 0 : split;
    const to = part === 0 ? split : n;
    for (let v = shift; v < to; v++) {
      const i = dfnum[v];
      if (i === 0) continue;
      const end = first[v - shift + 1];
      for (let e = first[v - shift]; e < end; e++) {
        const j = dfnum[target[e] + shift];
        if (j > i) {
          const m = counts[2 * j + 1];
          if (m === 0 || i < m) counts[2 * j + 1] = i;
        } else if (j < i && j !== 1) counts[2 * j]++;
      }
    }
  }
  const predFirst = new Uint32Array(N + 2);
  // Inclusive prefix sums of the counts in one pass; predFirst[N + 1] = predFirst[N], the end of the last range.
  let listed = 0;
  for (let i = 1; i <= N; i++) {
    listed += counts[2 * i];
    predFirst[i] = listed;
  }
  predFirst[N + 1] = listed;
  const pred = new Uint32Array(predFirst[N + 1]);
  for (let part = 1; part >= 0; part--) {
    const first = part === 0 ? headFirst : tailFirst;
    const target = part === 0 ? headTarget : tailTarget;
    const shift = part === 0 ? 0 : split;
    const from = part === 0 ? split : n;
    for (let v = from - 1; v >= shift; v--) {
      const i = dfnum[v];
      if (i === 0) continue;
      const start = first[v - shift];
      for (let e = first[v - shift + 1]; e > start; ) {
        e--;
        const j = dfnum[target[e] + shift];
        if (j < i && j !== 1) pred[--predFirst[j]] = i;
      }
    }
  }

  // 3. Semidominators, for w = N down to 2, with the simple EVAL/LINK of the paper. A pred v < w is not
  // yet linked, so EVAL(v) = v and semi[v] = v (minLow covers those); only the listed v > w need the forest.
  // dfnum is not read again (step 5 goes from numbers to nodes through vertex), so it holds semi, shifted by one:
  // semi of w at dfnum[w - 1].
  // Each number's smallest lower predecessor (minLow) moves there first: semi of w starts from it (it is at most
  // parent[w] < w, so the root, with none, is never read).
  const semi = dfnum;
  for (let i = 1; i <= N; i++) semi[i - 1] = counts[2 * i + 1];
  const forest = counts; // the counts are read: ancestor = forest[2v], label's semi = forest[2v + 1]
  forest.fill(0, 0, 2 * (N + 1));
  // The path-compression stack, grown when a path proves longer (at most N words; most paths are short).
  let path = new Uint32Array(4096);
  for (let w = N; w >= 2; w--) {
    let s = semi[w - 1];
    const pend = predFirst[w + 1];
    for (let p = predFirst[w]; p < pend; p++) {
      const v = pred[p];
      // COMPRESS(v), iteratively: walk up to the child of the forest root, then fold labels back down.
      let x = v;
      let top = 0;
      while (forest[2 * forest[2 * x]] !== 0) {
        if (top === path.length) {
          path = grown(path, Math.min(2 * path.length, N + 1));
        }
        path[top++] = x;
        x = forest[2 * x];
      }
      while (top > 0) {
        const y = path[--top];
        const a = forest[2 * y];
        const la = forest[2 * a + 1];
        if (la < forest[2 * y + 1]) forest[2 * y + 1] = la;
        forest[2 * y] = forest[2 * a];
      }
      const u = forest[2 * v + 1]; // semi[EVAL(v)]
      if (u < s) s = u;
    }
    semi[w - 1] = s;
    forest[2 * w] = parent[w]; // LINK(parent[w], w)
    forest[2 * w + 1] = s;
  }

  // 4. Semi-NCA: idom[w] is the nearest ancestor of parent[w] in the dominator tree whose number is at
  // most semi[w]. parent[] is overwritten with idom[] in increasing order, so idom[d] is ready for d < w.
  const idom = parent;
  idom[1] = 1;
  for (let w = 2; w <= N; w++) {
    const s = semi[w - 1];
    let d = parent[w];
    while (d > s) d = idom[d];
    idom[w] = d;
  }

  // 5. Back to node ids, over dfnum (semi is done with): NONE for the nodes the DFS did not number.
  const result = dfnum.fill(NONE);
  for (let k = 1; k <= N; k++) result[vertex[k]] = vertex[idom[k]];
  return { idom: result, preorder: vertex.subarray(1, N + 1) };
}
