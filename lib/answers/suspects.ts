// Leak suspects (`goheap suspects`, the viewer's suspects page), of three kinds, ranked together by the bytes they
// explain: one node of the dominator tree (a root node: a global, a goroutine group with its count; or a shared
// object with the roots that reach it) that keeps a large share of the heap alive; an aggregate: shared objects
// with one root set that together keep it (kind 'aggregate', lib/analysis/shared-groups.ts: 1,500 subscriptions
// each reachable from a global and from its goroutine); a type whose instances together keep it under many
// parents, outside every other suspect (kind 'type'). The runtime's own roots and structures (Ps, Ms, the allg
// list) rank after the program's memory, and only show when they keep something of the program's.
import {
  type AggregateSuspect, type ChildGroup, childGroups, findAggregateSuspects, findSuspects, isMapInternal, NONE, type Suspect, type TypePart,
} from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import {
  isRuntimeObject, isRuntimeRoot, rootNodeGoroutines, sessionShared, sessionSharedGroups, topRootNodes,
} from '../session/leak-queries.js';
import { bytes, count, hex, pathJson, type PathHopJson } from './common.js';
import { rootNamesReaching } from './roots.js';

export interface SuspectJson {
  /** The root node's kind; 'shared' for one shared object; 'aggregate' for a group of shared objects; 'type'. */
  kind: Suspect['kind'] | 'aggregate' | 'type';
  /** Root node name, the shared object's type, an aggregate's main type, or the type. */
  name: string;
  /** The root node's or object's address; an aggregate's example member; a type's largest instance. */
  address: string;
  rootNode?: number;
  object?: number;
  retained: number;
  /** retained / all reachable bytes. */
  share: number;
  /** One line: what it is, how much it keeps, and where it lives. */
  summary: string;
  /** True for the runtime's own roots and structures (ranked after the program's memory). */
  runtime: boolean;
  /** Goroutine groups: their goroutines; aggregates: members of the main type; types: instances outside other suspects. */
  count?: number;
  /** Shared objects and aggregates: the names of the root nodes that reach them, and how many. */
  roots?: string[];
  rootCount?: number;
  accumulation: (Omit<NonNullable<Suspect['accumulation']>, 'address'> & { address: string }) | null;
  /** When the memory does not accumulate in one object (a goroutine group's requests): what the suspect itself
   *  immediately keeps alive, grouped by type (map internals looked through). */
  children?: number;
  childGroups?: ChildGroup[];
  /** Aggregates: shared objects in the group, the members by type, and everything they alone keep by type. */
  members?: number;
  parts?: TypePart[];
  composition?: TypePart[];
  /** Types: the distinct dominators of their instances. */
  parents?: number;
  path: PathHopJson[];
}

export interface SuspectsAnswer {
  reachableBytes: number;
  threshold: number;
  suspects: SuspectJson[];
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Root node names for a line: goroutine groups with their goroutines ("1,500 goroutines main.loop"). */
function rootLabel(s: HeapSession, k: number): string {
  const rn = s.rootNodes;
  if (rn.kind[k] === 'goroutines') return `${count(rootNodeGoroutines(s, k))} goroutines ${rn.name[k]}`;
  return rn.name[k];
}

function rootsLine(s: HeapSession, nodes: readonly number[]): string {
  const names = nodes.map((k) => rootLabel(s, k)).sort();
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more roots`;
}

/**
 * Leak suspects, largest first, the program's before the runtime's: computed once per dump and binary (per
 * threshold) and kept beside the index (HeapSession.keptAnswer), so that a warm `suspects` reads no array.
 */
export function suspectsAnswer(s: HeapSession, threshold: number): SuspectsAnswer {
  return s.keptAnswer(`suspects-${threshold}`, () => computeSuspects(s, threshold));
}

function computeSuspects(s: HeapSession, threshold: number): SuspectsAnswer {
  const sh = sessionShared(s);
  const groups = sessionSharedGroups(s);
  const total = s.reachableBytes;
  const tree = s.dominatorTree();
  const first = s.dominators.firstObjectNode;
  const out: SuspectJson[] = [];
  // Aggregates first (a single shared object of one is listed among them, not again on its own).
  const aggregates = findAggregateSuspects(s.graph, s.types, s.dominators, sh, groups, {
    threshold, tree, pathTo: (i) => s.pathToRoot(i), referrers: (i) => s.referringObjects(i),
  }).filter((a) => !a.rootNodes.every((k) => isRuntimeRoot(s, k)));
  const inAggregate = new Set(aggregates.map((a) => a.group));
  for (const a of aggregates) out.push(aggregateJson(s, a));
  // Dominator-tree nodes.
  const singles = findSuspects(s.graph, s.types, s.dominators, { threshold, pathTo: (i) => s.pathToRoot(i), tree });
  for (const x of singles) {
    let runtime = false;
    let names: { roots: string[]; rootCount: number } | undefined;
    if (x.kind === 'shared' && x.object !== undefined) {
      const j = sh.sharedObject.indexOf(x.object);
      if (j >= 0) {
        if (inAggregate.has(groups.groupOf[j])) continue;
        const nodes = topRootNodes(s, sh.rootNodeCount + j);
        // A shared object that only the runtime's own roots reach is its bookkeeping, not a leak: left out.
        if (nodes.every((k) => isRuntimeRoot(s, k))) continue;
        runtime = groups.runtime[groups.groupOf[j]] === 1 || isRuntimeObject(s, x.object);
        names = rootNamesReaching(s, sh.rootNodeCount + j);
      }
    } else if (x.rootNode !== undefined) runtime = isRuntimeRoot(s, x.rootNode);
    const j: SuspectJson = {
      kind: x.kind, name: x.name, address: hex(x.address), ...(x.rootNode !== undefined ? { rootNode: x.rootNode } : { object: x.object }),
      retained: x.retained, share: x.share, summary: '', runtime,
      accumulation: x.accumulation && { ...x.accumulation, address: hex(x.accumulation.address) }, path: pathJson(x.path),
    };
    if (x.rootNode !== undefined && (x.kind === 'goroutine' || x.kind === 'goroutines')) j.count = rootNodeGoroutines(s, x.rootNode);
    if (names) Object.assign(j, names);
    if (!x.accumulation) {
      // What the node itself immediately keeps alive, by type (map internals looked through).
      const v = x.rootNode !== undefined ? x.rootNode + 1 : first + x.object!;
      const kids = childGroups(tree, s.dominators, s.types, v, 0);
      j.children = kids.reduce((n, g) => n + g.count, 0);
      j.childGroups = kids.slice(0, 10);
    }
    const who = x.kind === 'goroutines' ? `goroutines ${x.name} (${count(j.count ?? 0)} goroutines)` : `${x.kind} ${x.name}`;
    const where = x.accumulation ? accumulationWords(x.accumulation)
      : j.childGroups && j.childGroups.length > 0 ? `, keeps ${count(j.childGroups[0].count)} x ${j.childGroups[0].type}` : '';
    const from = names ? `, reached from ${names.roots.slice(0, 4).join(', ')}${names.rootCount > 4 ? ` and ${names.rootCount - 4} more roots` : ''}` : '';
    j.summary = `${who} retains ${bytes(x.retained)} (${pct(x.share)})${where}${from}`;
    out.push(j);
  }
  out.push(...typeSuspects(s, threshold, out, aggregates));
  out.sort((a, b) => Number(a.runtime) - Number(b.runtime) || b.retained - a.retained);
  return { reachableBytes: total, threshold, suspects: out };
}

/**
 * Where a suspect's memory accumulates, as its summary says it: the object below which it fans out, with how many
 * objects that object alone keeps (", accumulates in map[string]*main.Session (399 children)"); an object that keeps
 * no other alive is the memory itself (": one main.Big of 40.0 KiB, keeping no other object alive by itself").
 */
export function accumulationWords(acc: { type: string; retained: number; children: number }): string {
  if (acc.children === 0) return `: one ${acc.type} of ${bytes(acc.retained)}, keeping no other object alive by itself`;
  return `, accumulates in ${acc.type} (${count(acc.children)} ${acc.children === 1 ? 'child' : 'children'})`;
}

function aggregateJson(s: HeapSession, a: AggregateSuspect): SuspectJson {
  const names = a.rootNodes.map((k) => s.rootNodes.name[k]).sort();
  const acc = a.accumulation;
  const where = acc ? `, referenced from ${acc.type} (${count(acc.children)} of them)` : '';
  return {
    kind: 'aggregate', name: a.name, address: hex(s.address(a.example)), object: a.example, retained: a.retained, share: a.share,
    summary: `${count(a.count)} x ${a.name}${a.members > a.count ? ` (with ${count(a.members - a.count)} more shared objects)` : ''} and what they alone keep, ${bytes(a.retained)} (${pct(a.share)}), reached from ${rootsLine(s, a.rootNodes)}${where}`,
    runtime: a.runtime, count: a.count, roots: names.slice(0, 100), rootCount: names.length,
    accumulation: acc && { ...acc, address: hex(acc.address) }, members: a.members, parts: a.parts.slice(0, 10),
    composition: a.composition, path: pathJson(a.path),
  };
}

/**
 * Types whose reachable instances, outside every suspect found so far and not inside one another, together keep at
 * least `threshold` of the heap (spread under many parents, so no node of the dominator tree holds them). Two such
 * types never count the same bytes: an instance below an instance of another type suspect (a request's body below
 * its request) is that suspect's, so the outer type keeps it (re-measured until the set of types is stable).
 */
function typeSuspects(s: HeapSession, threshold: number, found: readonly SuspectJson[], aggregates: readonly AggregateSuspect[]): SuspectJson[] {
  const total = s.reachableBytes;
  const first = s.dominators.firstObjectNode;
  const idom = s.dominators.idom;
  const retained = s.dominators.retained;
  const rows = s.typeRows().filter((r) => r.retained >= threshold * total && r.reachableCount >= 2 &&
    !/^(\[\d*\])?\*?(runtime|internal)[./]|^untyped/.test(r.type) && !isMapInternal(r.type));
  if (rows.length === 0) return [];
  // Analysis nodes inside a suspect: 1 = inside, 2 = outside (memoized up the dominator chains).
  const state = new Uint8Array(idom.length);
  const sh = sessionShared(s);
  for (const x of found) {
    if (x.rootNode !== undefined) state[x.rootNode + 1] = 1;
    else if (x.object !== undefined && x.kind !== 'aggregate') state[first + x.object] = 1;
  }
  const groups = sessionSharedGroups(s);
  for (const a of aggregates) {
    for (let m = groups.firstMember[a.group]; m < groups.firstMember[a.group + 1]; m++) state[first + sh.sharedObject[groups.member[m]]] = 1;
  }
  state[0] = 2;
  // The nodes walked up from v0 (a stack reused by every call, never shrunk).
  const chain: number[] = [];
  const inside = (v0: number): boolean => {
    let v = v0;
    let top = 0;
    while (state[v] === 0) {
      chain[top++] = v;
      v = idom[v];
    }
    const r = state[v];
    for (let k = 0; k < top; k++) state[chain[k]] = r;
    return r === 1;
  };
  const n = s.objectCount;
  const reachable = s.graph.reachable;
  const tiny = s.types.tinyObjects;
  const address = s.graph.objectAddress;
  // Per analysis node, for the row being looked at (stamp = 3 x its number): stamp when an instance stands for the
  // node, stamp + 1 / stamp + 2 once known to have no / some such node among its proper dominators.
  const mark = new Uint32Array(idom.length);
  // Distinct dominators of the row's instances (stamp when counted).
  const parentMark = new Uint32Array(idom.length);
  let stamp = 0;
  // The nodes walked up from v (a stack reused by every call, never shrunk).
  const upward: number[] = [];
  /** Whether a proper dominator of v (below the super-root) stands for an instance of the row (memoized). */
  const nested = (v: number): boolean => {
    let x = v;
    let r = false;
    let top = 0;
    for (;;) {
      const p = idom[x];
      if (p === 0) break;
      const m = mark[p];
      if (m === stamp) { r = true; break; }
      if (m === stamp + 1 || m === stamp + 2) { r = m === stamp + 2; break; }
      upward[top++] = p;
      x = p;
    }
    const memo = r ? stamp + 2 : stamp + 1;
    for (let k = 0; k < top; k++) mark[upward[k]] = memo;
    return r;
  };
  const membersOf = s.instanceMembersOf(rows.map((r) => r.type));
  // Made only when two types or more are suspects (a word per analysis node each):
  // per analysis node, the type suspect (index in rows) it is an instance of, -1 if none;
  let rowOf = new Int32Array(0);
  // per analysis node, the type suspect of its nearest proper dominator that is an instance of one (rowOf), -1 if
  // none, -2 not known yet (memoized up the dominator chains, once per pass).
  let outer = new Int32Array(0);
  const outerOf = (v: number): number => {
    let x = v;
    let top = 0;
    let r = -1;
    for (;;) {
      const p = idom[x];
      if (p === 0) break;
      if (rowOf[p] >= 0) { r = rowOf[p]; break; }
      if (outer[p] !== -2) { r = outer[p]; break; }
      upward[top++] = p;
      x = p;
    }
    outer[v] = r;
    for (let k = 0; k < top; k++) outer[upward[k]] = r;
    return r;
  };
  /** The row's suspect, measured outside the suspects found and (later passes: byOthers) the other type suspects. */
  const measure = (ri: number, byOthers: boolean): SuspectJson | undefined => {
    const row = rows[ri];
    // The row's reachable instances: an object stands for its node; a tiny block's sub-objects (pointer-free values)
    // for their block's node, keeping their own bytes.
    const members = membersOf.get(row.type);
    if (!members) return undefined;
    stamp += 3;
    // The example: the instance that retains most (ties: the lowest address), as `instances --sort retained` lists first.
    let example = -1;
    let exampleKept = -1;
    let exampleAddress = 0;
    for (let x = 0; x < members.length; x++) {
      const i = members[x];
      const b = i < n ? i : tiny!.object[i - n];
      if (reachable[b] === 0) continue;
      const kept = i === b ? retained[first + b] : tiny!.place[i - n] >>> 8;
      if (kept > exampleKept || kept === exampleKept) {
        const a = i === b ? address[b] : address[b] + (tiny!.place[i - n] & 255);
        if (kept > exampleKept || a < exampleAddress) {
          example = i;
          exampleKept = kept;
          exampleAddress = a;
        }
      }
      if (idom[first + b] !== NONE) mark[first + b] = stamp;
    }
    let outside = 0;
    let bytesKept = 0;
    let parents = 0;
    for (let x = 0; x < members.length; x++) {
      const i = members[x];
      const b = i < n ? i : tiny!.object[i - n];
      const v = first + b;
      if (reachable[b] === 0 || idom[v] === NONE || inside(v)) continue;
      if (byOthers) {
        const o = outerOf(v);
        if (o >= 0 && o !== ri) continue;
      }
      outside++;
      const p = idom[v];
      if (parentMark[p] !== stamp) {
        parentMark[p] = stamp;
        parents++;
      }
      // Not inside another instance of the type (its bytes are counted there).
      if (!nested(v)) bytesKept += i === b ? retained[v] : tiny!.place[i - n] >>> 8;
    }
    if (bytesKept < threshold * total || parents < 2) return undefined;
    return {
      kind: 'type', name: row.type, address: hex(s.address(example)), object: example, retained: bytesKept, share: bytesKept / total,
      summary: `${count(outside)} x ${row.type} under ${count(parents)} parents keep ${bytes(bytesKept)} (${pct(bytesKept / total)})`,
      runtime: false, count: outside, parents, accumulation: null, path: pathJson(s.pathToRoot(example)),
    };
  };
  let picked: { ri: number; j: SuspectJson }[] = [];
  for (let ri = 0; ri < rows.length; ri++) {
    const j = measure(ri, false);
    if (j) picked.push({ ri, j });
  }
  // Two or more: each measured again without what lies below another's instances, until the set is stable.
  for (let pass = 0; pass < 8 && picked.length >= 2; pass++) {
    if (rowOf.length === 0) {
      rowOf = new Int32Array(idom.length);
      outer = new Int32Array(idom.length);
    }
    rowOf.fill(-1);
    outer.fill(-2);
    for (const { ri } of picked) {
      const members = membersOf.get(rows[ri].type)!;
      for (let x = 0; x < members.length; x++) {
        const i = members[x];
        const b = i < n ? i : tiny!.object[i - n];
        if (reachable[b] !== 0 && idom[first + b] !== NONE) rowOf[first + b] = ri;
      }
    }
    const next: { ri: number; j: SuspectJson }[] = [];
    for (const { ri } of picked) {
      const j = measure(ri, true);
      if (j) next.push({ ri, j });
    }
    const stable = next.length === picked.length;
    picked = next;
    if (stable) break;
  }
  return picked.map((x) => x.j);
}
