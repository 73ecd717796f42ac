// typeSpread (lib/analysis/type-spread.ts) against a brute-force oracle that walks each instance's chain of
// immediate dominators, on fixtures with 70-110 type rows (every row of `types` at once: the walk's per-row bits span
// several 32-bit words), with the top objects as found suspects and, in a second pass, the first 70 rows as outer
// rows: per row, the instances outside, their distinct parents, the bytes they keep counted once, and the example.
import { expect } from 'chai';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { NONE, instanceNodes, typeSpread, type RowMembership, type TypeSpread } from '../../lib/analysis/index.js';
import { ROOT, scratchDir } from '../support/fixtures.js';

/** The instances of each row: [row, member, kept, node, address] (a member as typeSpread numbers it). */
function instances(s: HeapSession, m: RowMembership): [number, number, number, number, number][] {
  const dom = s.dominators;
  const first = dom.firstObjectNode;
  const n = s.graph.objectCount;
  const out: [number, number, number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const w = first + i;
    if (dom.idom[w] === NONE || s.graph.reachable[i] === 0) continue;
    if (m.objectRow[i] >= 0) out.push([m.objectRow[i], i, dom.retained[w], w, s.address(i)]);
    if (!m.sub) continue;
    let used = 0;
    let any = false;
    for (let k = 0; k < m.sub.object.length; k++) {
      if (m.sub.object[k] !== i) continue;
      any = true;
      used += m.sub.place[k] >>> 8;
      if (m.sub.row[k] >= 0) out.push([m.sub.row[k], n + k, m.sub.place[k] >>> 8, w, s.address(i) + (m.sub.place[k] & 255)]);
    }
    if (any && m.restRow >= 0 && used < s.graph.objectSize[i]) out.push([m.restRow, i, dom.retained[w], w, s.address(i)]);
  }
  return out;
}

/** typeSpread's answer, computed instance by instance up the dominator chains. */
function oracle(s: HeapSession, m: RowMembership, found: Uint8Array, outerRow?: Int32Array): TypeSpread {
  const dom = s.dominators;
  const all = instances(s, m);
  // The rows each node is an instance of.
  const rowsAt = new Map<number, Set<number>>();
  for (const [r, , , w] of all) rowsAt.set(w, (rowsAt.get(w) ?? new Set()).add(r));
  const outside = new Float64Array(m.rows);
  const bytes = new Float64Array(m.rows);
  const example = new Float64Array(m.rows).fill(-1);
  const best = new Float64Array(m.rows).fill(-1);
  const bestAddress = new Float64Array(m.rows);
  const parents = new Map<number, Set<number>>();
  for (const [r, member, kept, w, address] of all) {
    if (kept > best[r] || (kept === best[r] && address < bestAddress[r])) {
      best[r] = kept;
      bestAddress[r] = address;
      example[r] = member;
    }
    let inside = found[w] !== 0;
    let outer = -1;
    let covered = false;
    for (let d = dom.idom[w]; d !== 0 && !inside; d = dom.idom[d]) {
      if (found[d] !== 0) inside = true;
      if (outer < 0 && outerRow && outerRow[d] >= 0) outer = outerRow[d];
      if (rowsAt.get(d)?.has(r)) covered = true;
    }
    if (inside || (outer >= 0 && outer !== r)) continue;
    outside[r]++;
    parents.set(r, (parents.get(r) ?? new Set()).add(dom.idom[w]));
    if (!covered) bytes[r] += kept;
  }
  return { outside, bytes, example, parents: Float64Array.from({ length: m.rows }, (_, r) => parents.get(r)?.size ?? 0) };
}

const CASES = [['spread', '1.26'], ['svcmix', '1.26'], ['zoo', '1.19']] as const;

for (const [name, version] of CASES) {
  describe(`typeSpread against an oracle: ${name} go${version}`, function () {
    let s: HeapSession;
    before(async function () {
      const dir = path.join(ROOT, '.cache/fixtures', name, `go${version}`);
      s = await HeapSession.open(path.join(dir, 'heap1.dump'), { binary: path.join(dir, name), cacheDir: scratchDir(`type-spread-${name}-${version}`) });
    });
    after(() => s?.close());

    it('every row at once, the top objects found: outside, parents, bytes and example per row as the oracle', function () {
      const { rows, membership } = s.typeRowMembership(s.typeRows().map((r) => r.type));
      expect(rows.length).to.be.above(64); // three 32-bit words of row bits per level
      const found = new Uint8Array(s.dominators.nodeCount);
      for (const o of s.topObjects(5)) found[s.dominators.firstObjectNode + o.object] = 1;
      const tree = s.dominatorTree();
      const got = typeSpread(s.dominators, tree, s.graph.reachable, s.graph, membership, found);
      const want = oracle(s, membership, found);
      for (const k of ['outside', 'parents', 'bytes', 'example'] as const) expect(Array.from(got[k]), k).to.deep.equal(Array.from(want[k]));
      expect(want.parents.reduce((a, b) => a + b, 0)).to.be.above(50);
      // Instances below instances of the first 70 rows are theirs.
      const outer = instanceNodes(s.dominators, s.graph.reachable, s.graph, membership, [...Array(70).keys()]);
      const got2 = typeSpread(s.dominators, tree, s.graph.reachable, s.graph, membership, found, outer);
      const want2 = oracle(s, membership, found, outer);
      for (const k of ['outside', 'parents', 'bytes', 'example'] as const) expect(Array.from(got2[k]), `${k} with outer rows`).to.deep.equal(Array.from(want2[k]));
    });
  });
}
