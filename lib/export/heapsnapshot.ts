// writeHeapSnapshot: a heap dump as a Chrome DevTools heap snapshot (.heapsnapshot JSON), streamed through an
// OutputSink: nodes and edges are written object by object into a reused buffer, the strings last.
//
// The graph it writes, by node ordinal:
//   0            the root (synthetic, name ""), from which DevTools and memlab compute distances and dominators;
//                one element edge to "(GC roots)" and one shortcut edge to every root node (so that root nodes are
//                "user roots" at distance 1, as V8's global objects are);
//   1            "(GC roots)" (synthetic), with an element edge to each group below;
//   2 ..         one synthetic group per kind of root present: "(Go globals)", "(Goroutines)", "(Finalizers)",
//                "(Runtime roots)", each with an element edge to its root nodes;
//   then         the root nodes of the session (lib/analysis/root-nodes.ts), type object, named "global main.Cache",
//                "goroutine 17 (main.recurse)", "goroutines main.handle" (a group of goroutines with the same
//                stack), "finalizers", "other runtime roots"; a property edge per root slot
//                to the object it points into, named after the slot as goheap's referrers name it ("main.Cache.root",
//                "main.recurse: depth", "finalizer");
//   then         every heap object in file order (object i is ordinal firstObject + i), type object, named after
//                its Go type (the size class without the binary), self size = its size class; a property edge per
//                pointer named after the field ("Next", "buckets", "[3].key", "+0x18" for a word no type names),
//                or an element edge with the index for a pointer array's element;
//   then         the sub-objects of tiny allocator blocks (a boxed uint32, a 4-byte struct...: several noscan
//                values under 16 bytes packed in one 16-byte block), each a node of its own named after its type
//                with its own size, as the HPROF export splits them (written for the blocks written).
// A tiny block that holds sub-objects keeps its ordinal and the bytes no sub-object covers: it is named
// "tiny block (rest)" (the `types` row of those bytes), or is a hidden node "(tiny block)" of size 0 when its
// sub-objects cover it whole. A pointer into a block goes to the sub-object it lands in (to the block's node when it
// lands in no sub-object). The block's node and its sub-objects point at each other (a property edge per sub-object
// named "<main.Num at +8>", and "(tiny block)" back), because Go frees a block only when nothing points into any of
// it: a pointer to one sub-object keeps the whole block alive. So the parts of a block are one strongly connected
// component entered only through the pointers into the block, and the retained sizes memlab or DevTools compute
// are goheap's for every object and root node: an object dominates a block's parts exactly when goheap's tree says
// it dominates the block. Only the parts themselves differ from the one block node goheap has: the part entered
// first retains the block's other parts when it is the only one pointed at, each part retains itself otherwise.
// Root nodes and groups have size 0, so the retained size memlab or DevTools computes for a root node is what it
// alone keeps alive (as goheap roots says) and for an object its retained size (as goheap top says).
//
// Garbage (objects no root reaches, allocated since the last GC) is included with no edge from the roots:
// DevTools and memlab see them as unreachable (memlab gives them a retained size of their own under the root,
// where goheap gives 0; the root's retained size is then every object's bytes, not only the reachable ones).
// With `live`, only reachable objects are written (numbered in file order among themselves).
import type { HeapSession } from '../session/index.js';
import { EDGE_OFFSET_MASK } from '../graph/index.js';
import { rootReferrer } from '../session/referrers.js';
import { describeRootSlot, SubObjectRanges } from '../analysis/index.js';
import type { RootNodeKind } from '../analysis/index.js';
import { FieldNames } from './heapsnapshot-fields.js';
import { JsonChunks } from './heapsnapshot-json.js';
import type { OutputSink } from './output.js';
import { TINY_REST_NAME } from '../typing/index.js';

/** V8's node and edge types, in the order the meta section lists them (the numbers are indices into these). */
const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
  'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const NODE_HIDDEN = 0;
const NODE_OBJECT = 3;
const NODE_SYNTHETIC = 9;
const EDGE_ELEMENT = 1;
const EDGE_PROPERTY = 2;
const EDGE_SHORTCUT = 5;
export const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const NODE_FIELD_COUNT = NODE_FIELDS.length;

/** The synthetic groups of root nodes, in the order they are written, and the group of each kind of root node. */
const GROUP_NAMES = ['(Go globals)', '(Goroutines)', '(Finalizers)', '(Runtime roots)'];

/** The group ("(Go globals)", ...) the root nodes of a kind are under. */
export function rootGroupName(kind: RootNodeKind): string {
  switch (kind) {
    case 'global': return GROUP_NAMES[0];
    case 'finalizer': return GROUP_NAMES[2];
    case 'other': return GROUP_NAMES[3];
    default: return GROUP_NAMES[1]; // a goroutine, a group of goroutines
  }
}

export interface HeapSnapshotOptions {
  /** Only the objects a root reaches (leaves garbage out, like hprof --live and jmap -dump:live). */
  live?: boolean;
  /** The write buffer's size in bytes (default 4 MiB; tests use small ones to exercise the flushes). */
  bufferSize?: number;
  /** Called now and then with the objects written so far and the object count. */
  onProgress?: (done: number, total: number) => void;
}

export interface HeapSnapshotStats {
  nodes: number;
  edges: number;
  strings: number;
  /** Objects written (all, or the reachable ones with live). */
  objects: number;
  /** Ordinal of the first root node and of the first object (object i's with every object written). */
  firstRootNode: number;
  firstObject: number;
  /** Tiny blocks' sub-objects written as nodes of their own (after the objects: sub-object k is firstObject + objects + k without live). */
  subObjects: number;
}

/** The node name of root node k: "global main.Cache", "goroutine 1 (main.main)", "finalizers", ... */
export function rootNodeSnapshotName(kind: RootNodeKind, name: string): string {
  if (kind === 'global') return `global ${name}`;
  if (kind === 'goroutines' && !name.startsWith('goroutine')) return `goroutines ${name}`;
  return name;
}

/** Interned strings of the snapshot (written last, in id order). */
class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

/** Writes session's heap as a .heapsnapshot to sink; see the file header for the graph written. */
export async function writeHeapSnapshot(s: HeapSession, sink: OutputSink, options: HeapSnapshotOptions = {}): Promise<HeapSnapshotStats> {
  const graph = s.graph;
  const types = s.types;
  const rootNodes = s.rootNodes;
  const roots = graph.roots;
  const n = graph.objectCount;
  const R = rootNodes.count;
  const groupOf = rootNodes.kind.map(rootGroupName);
  const groups = GROUP_NAMES.filter((g) => groupOf.includes(g));
  const G = groups.length;
  const firstGroup = 2;
  const firstRootNode = firstGroup + G;
  const firstObject = firstRootNode + R;
  const live = options.live === true;
  const reachable = graph.reachable;
  const edgeStart = graph.edgeStart;
  // With live: the ordinal of each reachable object among the reachable ones (a root or a reachable object only
  // points at reachable objects).
  const liveOrdinal = live ? new Uint32Array(n) : new Uint32Array(0);
  let objects = n;
  let objectEdges = graph.edgeCount;
  if (live) {
    objects = 0;
    objectEdges = 0;
    for (let i = 0; i < n; i++) {
      if (reachable[i] === 0) continue;
      liveOrdinal[i] = objects++;
      objectEdges += edgeStart[i + 1] - edgeStart[i];
    }
  }
  // Tiny blocks' sub-objects (sorted by block, then offset): nodes after the objects, subOrdinal[k] for sub-object
  // k of a block written; subs of them written, each with an edge to its block's node and one from it.
  const tiny = types.tinyObjects !== undefined && types.tinyObjects.object.length > 0 ? types.tinyObjects : undefined;
  const tinyObject = tiny?.object ?? new Uint32Array(0);
  const tinyPlace = tiny?.place ?? new Uint32Array(0);
  const subCount = tinyObject.length;
  const subOrdinal = new Uint32Array(subCount);
  // Each block's sub-objects, by object (an edge's target is tested without a search).
  const ranges = new SubObjectRanges(tinyObject, n);
  let subs = 0;
  for (let k = 0; k < subCount; k++) {
    if (live && reachable[tinyObject[k]] === 0) continue;
    subOrdinal[k] = firstObject + objects + subs++;
  }
  /** The node a pointer with value v into object t goes to: t's, or that of the tiny sub-object v lands in. */
  const targetOrdinal = (t: number, v: number): number => {
    const own = firstObject + (live ? liveOrdinal[t] : t);
    const b = ranges.block(t);
    if (b < 0) return own;
    const off = v - graph.objectAddress[t];
    for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) {
      const o = tinyPlace[k] & 255;
      if (off >= o && off < o + (tinyPlace[k] >>> 8)) return subOrdinal[k];
    }
    return own;
  };
  const ptrSize = graph.params.ptrSize;
  const littleEndian = !graph.params.bigEndian;
  /** The pointer-sized word at b[off..] (a heap address: exact in a double). */
  const wordAt = (b: Uint8Array, off: number): number => {
    let v = 0;
    for (let k = 0; k < ptrSize; k++) v = v * 256 + b[off + (littleEndian ? ptrSize - 1 - k : k)];
    return v;
  };
  const nodeCount = firstObject + objects + subs;
  const edgeCount = 1 + R + G + R + roots.count + objectEdges + 2 * subs;

  // Roots by root node (CSR), in RootTable order within each.
  const rootStart = new Uint32Array(R + 1);
  for (let r = 0; r < roots.count; r++) rootStart[rootNodes.rootNode[r] + 1]++;
  for (let k = 0; k < R; k++) rootStart[k + 1] += rootStart[k];
  const rootList = new Uint32Array(roots.count);
  const fill = rootStart.slice(0, R);
  for (let r = 0; r < roots.count; r++) rootList[fill[rootNodes.rootNode[r]]++] = r;

  const strings = new Strings();
  strings.id('');
  const out = new JsonChunks(sink, options.bufferSize);
  const meta = {
    node_fields: NODE_FIELDS,
    node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
    trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
    sample_fields: ['timestamp_us', 'last_assigned_id'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  out.text(`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodeCount},"edge_count":${edgeCount},"trace_function_count":0},\n"nodes":[`);

  // ---- nodes ----
  let first = true;
  const node = (type: number, name: number, ordinal: number, selfSize: number, edges: number): void => {
    out.room();
    if (!first) out.byte(44); // ,
    first = false;
    out.uint(type);
    out.byte(44);
    out.uint(name);
    out.byte(44);
    out.uint(ordinal * 2 + 1); // odd ids: V8's JS objects; unique, in ordinal order
    out.byte(44);
    out.uint(selfSize);
    out.byte(44);
    out.uint(edges);
    out.byte(44); // trace_node_id 0, detachedness 0
    out.byte(48);
    out.byte(44);
    out.byte(48);
    out.byte(10);
  };
  node(NODE_SYNTHETIC, strings.id(''), 0, 0, 1 + R);
  node(NODE_SYNTHETIC, strings.id('(GC roots)'), 1, 0, G);
  groups.forEach((g, j) => {
    node(NODE_SYNTHETIC, strings.id(g), firstGroup + j, 0, groupOf.filter((x) => x === g).length);
  });
  for (let k = 0; k < R; k++) {
    node(NODE_OBJECT, strings.id(rootNodeSnapshotName(rootNodes.kind[k], rootNodes.name[k])), firstRootNode + k, 0, rootStart[k + 1] - rootStart[k]);
  }
  const objectType = types.objectType;
  const size = graph.objectSize;
  const typeName = new Int32Array(types.typeNames.length).fill(-1);
  const untypedName = new Map<number, number>();
  const progressEvery = 1 << 18;
  const restName = subCount > 0 ? strings.id(TINY_REST_NAME) : 0;
  const wholeName = subCount > 0 ? strings.id('(tiny block)') : 0;
  let cursor = 0; // the first sub-object of a block at or after i
  for (let i = 0; i < n; i++) {
    while (cursor < subCount && tinyObject[cursor] < i) cursor++;
    if (live && reachable[i] === 0) continue;
    const t = objectType[i];
    let name: number;
    if (cursor < subCount && tinyObject[cursor] === i) {
      // A tiny block with sub-objects: its node keeps the bytes they do not cover, and an edge to each of them.
      let self = size[i];
      let k = cursor;
      for (; k < subCount && tinyObject[k] === i; k++) self -= tinyPlace[k] >>> 8;
      if (self < 0) self = 0;
      node(self > 0 ? NODE_OBJECT : NODE_HIDDEN, self > 0 ? restName : wholeName, firstObject + (live ? liveOrdinal[i] : i), self,
        edgeStart[i + 1] - edgeStart[i] + k - cursor);
      const p = out.flushIfFull();
      if (p) await p;
      continue;
    }
    if (t !== 0) {
      name = typeName[t];
      if (name < 0) name = typeName[t] = strings.id(types.objectTypeName(i));
    } else {
      const u = untypedName.get(size[i]);
      if (u === undefined) {
        name = strings.id(types.objectTypeName(i));
        untypedName.set(size[i], name);
      } else name = u;
    }
    node(NODE_OBJECT, name, firstObject + (live ? liveOrdinal[i] : i), size[i], edgeStart[i + 1] - edgeStart[i]);
    const p = out.flushIfFull();
    if (p) await p;
    if ((i & (progressEvery - 1)) === 0) options.onProgress?.(i / 2, n);
  }
  const subName = new Map<number, number>(); // typing -> string id of its name
  for (let k = 0; k < subCount; k++) {
    if (live && reachable[tinyObject[k]] === 0) continue;
    const typing = tiny!.typing[k];
    let name = subName.get(typing);
    if (name === undefined) subName.set(typing, name = strings.id(types.typeNames[typing]));
    node(NODE_OBJECT, name, subOrdinal[k], tinyPlace[k] >>> 8, 1);
    const p = out.flushIfFull();
    if (p) await p;
  }
  out.text('],\n"edges":[');

  // ---- edges ----
  first = true;
  const edge = (type: number, nameOrIndex: number, toOrdinal: number): void => {
    out.room();
    if (!first) out.byte(44);
    first = false;
    out.uint(type);
    out.byte(44);
    out.uint(nameOrIndex);
    out.byte(44);
    out.uint(toOrdinal * NODE_FIELD_COUNT);
    out.byte(10);
  };
  edge(EDGE_ELEMENT, 1, 1);
  for (let k = 0; k < R; k++) edge(EDGE_SHORTCUT, strings.id(rootNodeSnapshotName(rootNodes.kind[k], rootNodes.name[k])), firstRootNode + k);
  for (let j = 0; j < G; j++) edge(EDGE_ELEMENT, j + 1, firstGroup + j);
  for (const g of groups) {
    let index = 0;
    for (let k = 0; k < R; k++) if (groupOf[k] === g) edge(EDGE_ELEMENT, ++index, firstRootNode + k);
  }
  for (let k = 0; k < R; k++) {
    for (let x = rootStart[k]; x < rootStart[k + 1]; x++) {
      const r = rootList[x];
      const t = roots.target[r];
      const ref = rootReferrer(graph, types, rootNodes, s.program, r);
      const slot = ref.kind === 'root' ? ref.slot : describeRootSlot(graph, rootNodes, r);
      edge(EDGE_PROPERTY, strings.id(slot), targetOrdinal(t, roots.value[r]));
    }
  }
  const fields = new FieldNames(graph, types);
  // FieldNames ids -> string ids (-1: not yet interned).
  let fieldString = new Int32Array(64).fill(-1);
  const edgeTarget = graph.edgeTarget;
  const edgeField = graph.edgeField;
  const partNames = new Map<number, number>(); // typing * 256 + offset -> string id of "<T at +off>"
  cursor = 0;
  for (let i = 0; i < n; i++) {
    const end = edgeStart[i + 1];
    let e = edgeStart[i];
    while (cursor < subCount && tinyObject[cursor] < i) cursor++;
    const isBlock = cursor < subCount && tinyObject[cursor] === i;
    if ((e === end && !isBlock) || (live && reachable[i] === 0)) continue;
    if (e < end) fields.setObject(i);
    let content: Uint8Array | undefined;
    for (; e < end; e++) {
      const at = edgeField[e] & EDGE_OFFSET_MASK;
      fields.lookup(at);
      const target = edgeTarget[e];
      let to = firstObject + (live ? liveOrdinal[target] : target);
      if (ranges.block(target) >= 0) {
        // A pointer into a tiny block with sub-objects: to the one it lands in.
        content ??= graph.objectContent(i);
        if (at + ptrSize <= content.length) to = targetOrdinal(target, wordAt(content, at));
      }
      const f = fields.name;
      if (fields.element >= 0) {
        if (f === 0) edge(EDGE_ELEMENT, fields.element, to);
        else edge(EDGE_PROPERTY, strings.id(`[${fields.element}]${fields.names[f]}`), to);
        continue;
      }
      if (f >= fieldString.length) {
        const grown = new Int32Array(Math.max(f + 1, fieldString.length * 2)).fill(-1);
        grown.set(fieldString);
        fieldString = grown;
      }
      let id = fieldString[f];
      if (id < 0) id = fieldString[f] = strings.id(fields.names[f]);
      edge(EDGE_PROPERTY, id, to);
    }
    // A tiny block's node: an edge to each of its sub-objects, named "<T at +off>" as the block's fields are.
    for (let k = cursor; isBlock && k < subCount && tinyObject[k] === i; k++) {
      const typing = tiny!.typing[k];
      const off = tinyPlace[k] & 255;
      let id = partNames.get(typing * 256 + off);
      if (id === undefined) partNames.set(typing * 256 + off, id = strings.id(`<${types.typeNames[typing]} at +${off}>`));
      edge(EDGE_PROPERTY, id, subOrdinal[k]);
    }
    const p = out.flushIfFull();
    if (p) await p;
    if ((i & (progressEvery - 1)) === 0) options.onProgress?.(n / 2 + i / 2, n);
  }
  // Each sub-object's edge back to its block's node: a pointer into it keeps the whole block alive.
  const blockEdge = subs > 0 ? strings.id('(tiny block)') : 0;
  for (let k = 0; k < subCount; k++) {
    const b = tinyObject[k];
    if (live && reachable[b] === 0) continue;
    edge(EDGE_PROPERTY, blockEdge, firstObject + (live ? liveOrdinal[b] : b));
    const p = out.flushIfFull();
    if (p) await p;
  }
  out.text('],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n"strings":[');

  // ---- strings ----
  const list = strings.list;
  for (let k = 0; k < list.length; k++) {
    out.text(k === 0 ? JSON.stringify(list[k]) : `,\n${JSON.stringify(list[k])}`);
    const p = out.flushIfFull();
    if (p) await p;
  }
  out.text(']}\n');
  const p = out.flush();
  if (p) await p;
  options.onProgress?.(n, n);
  return { nodes: nodeCount, edges: edgeCount, strings: list.length, objects, firstRootNode, firstObject, subObjects: subs };
}
