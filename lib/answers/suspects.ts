// Leak suspects (`goheap suspects`, the viewer's suspects page), of three kinds, ranked together by the bytes they
// explain: one node of the dominator tree (a root node: a global, a goroutine group with its count; or a shared
// object with the roots that reach it) that keeps a large share of the heap alive; an aggregate: shared objects
// with one root set that together keep it (kind 'aggregate', lib/analysis/shared-groups.ts: 1,500 subscriptions
// each reachable from a global and from its goroutine); a type whose instances together keep it under many
// parents, outside every other suspect (kind 'type'). The runtime's own roots and structures (Ps, Ms, the allg
// list) rank after the program's memory, and only show when they keep something of the program's.
import {
  type AggregateSuspect, type ChildGroup, childGroups, findAggregateSuspects, findSuspects, isMapInternal, type Suspect, type TypePart, type TypeSpread, instanceNodes, typeSpread,
} from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import {
  isRuntimeObject, isRuntimeRoot, rootNodeGoroutines, sessionShared, sessionSharedGroups, topRootNodes,
} from '../session/leak-queries.js';
import { bytes, count, hex, pathJson, type PathHopJson } from './common.js';
import { rootNamesReaching } from './roots.js';
import { traceMemoryPoint } from '../session/load-state.js';

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
  // Every path is found last: paths read the shortest-path tree, which on a cold open comes from the analysis index
  // a worker thread may still be writing (14 M objects: found first, the node suspects' paths waited 0.56 s for it).
  const paths: (() => void)[] = [];
  const { out, aggregates } = nodeSuspects(s, threshold, paths);
  // The type suspects' pass needs neither the edges nor the paths the others read: let them go (read again when
  // next used) rather than hold them through its own per-node arrays.
  s.releaseArrays();
  traceMemoryPoint('suspects: nodes');
  out.push(...typeSuspects(s, threshold, out, aggregates, paths));
  out.sort((a, b) => Number(a.runtime) - Number(b.runtime) || b.retained - a.retained);
  return { reachableBytes: s.reachableBytes, threshold, suspects: out };
}

/**
 * The aggregates and the dominator-tree nodes among the suspects (unsorted), without their paths: a function that
 * finds each suspect's path is added to `paths`.
 */
function nodeSuspects(s: HeapSession, threshold: number, paths: (() => void)[]): { out: SuspectJson[]; aggregates: AggregateSuspect[] } {
  traceMemoryPoint('suspects: start');
  const sh = sessionShared(s);
  traceMemoryPoint('suspects: shared');
  const groups = sessionSharedGroups(s);
  traceMemoryPoint('suspects: groups');
  // The shared retention read every edge: let the edges go before the dominator tree and the paths are read.
  s.releaseArrays();
  const tree = s.dominatorTree();
  traceMemoryPoint('suspects: tree');
  const first = s.dominators.firstObjectNode;
  const out: SuspectJson[] = [];
  // Aggregates first (a single shared object of one is listed among them, not again on its own).
  const aggregates = findAggregateSuspects(s.graph, s.types, s.dominators, sh, groups, {
    threshold, tree, pathTo: () => [], referrers: (i) => s.referringObjects(i),
  }).filter((a) => !a.rootNodes.every((k) => isRuntimeRoot(s, k)));
  const inAggregate = new Set(aggregates.map((a) => a.group));
  for (const a of aggregates) {
    const j = aggregateJson(s, a);
    paths.push(() => (j.path = pathJson(s.pathToRoot(a.example))));
    out.push(j);
  }
  // Dominator-tree nodes (a path to where one accumulates).
  const singles = findSuspects(s.graph, s.types, s.dominators, { threshold, pathTo: () => [], tree });
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
    const acc = x.accumulation;
    if (acc) paths.push(() => (j.path = pathJson(s.pathToRoot(acc.object))));
    out.push(j);
  }
  return { out, aggregates };
}

/**
 * Where a suspect's memory accumulates, as its summary says it: the object below which it fans out, with how many
 * objects that object alone keeps (", accumulates in map[string]*main.Session (399 children)"); an object that keeps
 * no other alive is the memory itself (": one main.Big of 40.0 KiB, keeping no other object alive by itself"); a chain
 * of objects each keeping the next is named with its length (", accumulates in a chain of 1,000,000 main.Node").
 */
export function accumulationWords(acc: { type: string; retained: number; children: number; chain?: number }): string {
  if (acc.chain !== undefined) return `, accumulates in a chain of ${count(acc.chain)} ${acc.type}`;
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
function typeSuspects(s: HeapSession, threshold: number, found: readonly SuspectJson[], aggregates: readonly AggregateSuspect[],
  paths: (() => void)[]): SuspectJson[] {
  const out = typeSuspectsWithoutPaths(s, threshold, found, aggregates);
  // Paths once the pass's per-node arrays are garbage (they read the shortest-path tree): the other suspects' first.
  for (const find of paths) find();
  for (const j of out) j.path = pathJson(s.pathToRoot(j.object!));
  traceMemoryPoint('suspects: type paths');
  return out;
}

/** typeSuspects, each with an empty path. */
function typeSuspectsWithoutPaths(s: HeapSession, threshold: number, found: readonly SuspectJson[], aggregates: readonly AggregateSuspect[]): SuspectJson[] {
  const total = s.reachableBytes;
  const first = s.dominators.firstObjectNode;
  const candidates = s.typeRows().filter((r) => r.retained >= threshold * total && r.reachableCount >= 2 &&
    !/^(\[\d*\])?\*?(runtime|internal)[./]|^untyped/.test(r.type) && !isMapInternal(r.type));
  if (candidates.length === 0) return [];
  // Analysis nodes of the suspects found so far: what they dominate is inside them.
  const foundNodes = new Uint8Array(s.dominators.nodeCount);
  const sh = sessionShared(s);
  for (const x of found) {
    if (x.rootNode !== undefined) foundNodes[x.rootNode + 1] = 1;
    else if (x.object !== undefined && x.kind !== 'aggregate') foundNodes[first + x.object] = 1;
  }
  const groups = sessionSharedGroups(s);
  for (const a of aggregates) {
    for (let m = groups.firstMember[a.group]; m < groups.firstMember[a.group + 1]; m++) foundNodes[first + sh.sharedObject[groups.member[m]]] = 1;
  }
  const { rows, membership } = s.typeRowMembership(candidates.map((r) => r.type));
  traceMemoryPoint('suspects: type rows');
  const rowOf = new Map(rows.map((nm, r) => [nm, r]));
  // The candidates' rows, in the candidates' order.
  const order = candidates.map((c) => rowOf.get(c.type)).filter((r): r is number => r !== undefined);
  const { dominators: dom, graph } = s;
  const tree = s.dominatorTree();
  /** Those of `among` that are suspects, measured outside the found suspects (and below no instance of outerRow's). */
  const measure = (among: readonly number[], outerRow?: Int32Array): { rows: number[]; spread: TypeSpread } => {
    const spread = typeSpread(dom, tree, graph.reachable, graph, membership, foundNodes, outerRow);
    return { rows: among.filter((r) => spread.bytes[r] >= threshold * total && spread.parents[r] >= 2), spread };
  };
  let picked = measure(order);
  traceMemoryPoint('suspects: types measured');
  // Two or more: each measured again without what lies below another's instances, until the set is stable.
  for (let pass = 0; pass < 8 && picked.rows.length >= 2; pass++) {
    const next = measure(picked.rows, instanceNodes(dom, graph.reachable, graph, membership, picked.rows));
    const stable = next.rows.length === picked.rows.length;
    traceMemoryPoint('suspects: types measured again');
    picked = next;
    if (stable) break;
  }
  return picked.rows.map((r) => {
    const { bytes: kept, parents, outside, example } = picked.spread;
    const name = rows[r];
    return {
      kind: 'type', name, address: hex(s.address(example[r])), object: example[r], retained: kept[r], share: kept[r] / total,
      summary: `${count(outside[r])} x ${name} under ${count(parents[r])} parents keep ${bytes(kept[r])} (${pct(kept[r] / total)})`,
      runtime: false, count: outside[r], parents: parents[r], accumulation: null, path: [],
    };
  });
}
