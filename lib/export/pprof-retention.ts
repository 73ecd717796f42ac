// retentionProfile: the heap as a pprof profile whose stacks are paths down the dominator tree, so that
// `go tool pprof -http` draws retention as a flame graph and `-top` lists types by what they hold.
//
// Every reachable object is one sample value on the stack
//     [its type (leaf), dominator's type + the field that points to it, ..., the root node (outermost)]
// e.g. main.Session <- [32]noalg.map.group[string]*main.Session[].slots[7].elem <- table<string,*main.Session>.groups
// <- ... <- main.LeakyCache. A dominator frame names the field through which it points at the next one
// ("main.Node.Next", "[]*main.Medium[]" for a pointer array's element, "+0x18" for an unnamed word) or only its type
// when the next one is reached through other objects it dominates. Objects shared by several roots start at a frame
// naming them, "(shared by main.ByHash, main.ByID)" (the roots of their shared group, lib/analysis/shared-groups.ts).
// Only reachable objects count, so that the totals are the reachable heap and a type's values are `goheap types`'
// count and bytes; with `all`, garbage (objects no root reaches) is under "(unreachable)".
//
// Samples are aggregated: one sample per distinct (stack, leaf type), values summed. To keep the profile small
// whatever the heap, consecutive equal frames are folded into one (a linked list's Next chain is one frame) and
// stacks stop at maxDepth frames below the root ("..." then the leaf type).
//
// Sample types: inuse_objects/count and inuse_space/bytes, each object's own count and size. Retained sizes are
// the cumulative sums: a dominator frame's cum is the bytes of everything under it (its retained bytes), a root's
// frame cum what the root alone keeps; a flame graph of retained bytes whose total is the reachable heap.
// A tiny allocator block counts as its typed sub-objects and its rest ("tiny block (rest)"), as goheap types does.
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { programMapping } from './pprof-mapping.js';
import type { HeapSession } from '../session/index.js';
import { sessionShared, sessionSharedGroups } from '../session/leak-queries.js';
import { BY_ROOTS, UNREACHABLE, dominatingRootNode, objectDominators, walkDominatorTree } from '../analysis/dominator-walk.js';
import { typeGroups } from '../analysis/index.js';
import { TINY_REST_NAME, histogramRowNames } from '../typing/index.js';
import { FieldNames } from './heapsnapshot-fields.js';

export interface RetentionProfileOptions {
  /** Frames kept below the root before "..." (default 64). */
  maxDepth?: number;
  /** Count unreachable objects too, under "(unreachable)" (default: reachable ones only). */
  all?: boolean;
  /** Called now and then with the objects placed so far and the object count. */
  onProgress?: (done: number, total: number) => void;
}

export interface RetentionProfileStats {
  samples: number;
  frames: number;
  stacks: number;
  objects: number;
  objectBytes: number;
}

/** The frame of a field: ".Next", "[+0x18]", "[]" (pointer array element), "[].key" (field in an element). */
function fieldSuffix(element: boolean, name: string): string {
  if (element) return `[]${name}`;
  if (name === '') return '';
  if (name.startsWith('+')) return `[${name}]`;
  return name.startsWith('[') || name.startsWith('<') ? name : `.${name}`;
}

const FRAME_KEY_SPAN = 8388608; // 2^23 field keys per type row
const PATH_KEY_SPAN = 4194304; // 2^22 frames

/** Builds the retention profile of the session's heap; see the file header. */
export function retentionProfile(s: HeapSession, options: RetentionProfileOptions = {}): { profile: Profile; stats: RetentionProfileStats } {
  const maxDepth = options.maxDepth ?? 64;
  const graph = s.graph;
  const n = graph.objectCount;
  const parent = objectDominators(s.dominators);
  // via[c] = 1 + the first edge from c's dominator to c (0: the dominator reaches c only through others).
  const via = new Uint32Array(n);
  const edgeStart = graph.edgeStart;
  const edgeTarget = graph.edgeTarget;
  for (let a = 0; a < n; a++) {
    const end = edgeStart[a + 1];
    for (let e = edgeStart[a]; e < end; e++) {
      const c = edgeTarget[e];
      if (parent[c] === a && via[c] === 0) via[c] = e + 1;
    }
  }
  const { rowOf, names: rowNames } = typeGroups(graph, s.types);
  const fields = new FieldNames(graph, s.types);

  // Frames: their names, by numeric key (row, field) and by name.
  const frameNames: string[] = [];
  const frameByName = new Map<string, number>();
  const frameByKey = new Map<number, number>();
  const frameNamed = (name: string): number => {
    let f = frameByName.get(name);
    if (f === undefined) {
      f = frameNames.length;
      frameNames.push(name);
      frameByName.set(name, f);
    }
    return f;
  };
  /** The frame of object a pointing on through edge via-1 (via 0: its type alone, as a leaf). */
  const frameOf = (a: number, v: number): number => {
    const row = rowOf[a];
    let sub = 0;
    if (v !== 0) {
      fields.setObject(a);
      fields.lookup(graph.edgeOffset(v - 1));
      sub = 1 + 2 * fields.name + (fields.element >= 0 ? 1 : 0);
    }
    const key = row * FRAME_KEY_SPAN + sub;
    let f = frameByKey.get(key);
    if (f === undefined) {
      f = frameNamed(v === 0 ? rowNames[row] : rowNames[row] + fieldSuffix(fields.element >= 0, fields.names[fields.name]));
      frameByKey.set(key, f);
    }
    return f;
  };
  const rootFrames = s.rootNodes.name.map((name) => frameNamed(name));
  // Shared objects: a frame per shared group, naming its roots.
  const shared = sessionShared(s);
  const groups = sessionSharedGroups(s);
  const sharedIndex = new Int32Array(n).fill(-1);
  for (let j = 0; j < shared.sharedObject.length; j++) sharedIndex[shared.sharedObject[j]] = j;
  const groupFrame = new Int32Array(groups.count).fill(-1);
  const sharedFrameOf = (i: number): number => {
    const j = sharedIndex[i];
    if (j < 0) return frameNamed('(several roots)');
    const g = groups.groupOf[j];
    if (groupFrame[g] < 0) {
      const names = groups.roots[g].map((k) => s.rootNodes.name[k]).sort();
      groupFrame[g] = frameNamed(`(shared by ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''})`);
    }
    return groupFrame[g];
  };
  const deeperFrame = frameNamed('...');

  // Stacks as a trie of paths: path p is pathFrame[p] under pathParent[p]; path 0 is the empty path.
  let pathParent = new Int32Array(1 << 16);
  let pathFrame = new Int32Array(1 << 16);
  let pathDepth = new Uint16Array(1 << 16);
  let paths = 1;
  pathFrame[0] = -1;
  const pathByKey = new Map<number, number>();
  const extend = (p: number, frame: number): number => {
    if (pathFrame[p] === frame) return p; // fold repeats: Next.Next.Next is one frame
    if (pathDepth[p] >= maxDepth) {
      if (pathFrame[p] === deeperFrame) return p;
      frame = deeperFrame;
    }
    const key = p * PATH_KEY_SPAN + frame;
    let q = pathByKey.get(key);
    if (q === undefined) {
      if (paths === pathParent.length) {
        const grow = <T extends Int32Array | Uint16Array>(a: T, make: (len: number) => T): T => {
          const b = make(a.length * 2);
          b.set(a);
          return b;
        };
        pathParent = grow(pathParent, (l) => new Int32Array(l));
        pathFrame = grow(pathFrame, (l) => new Int32Array(l));
        pathDepth = grow(pathDepth, (l) => new Uint16Array(l));
      }
      q = paths++;
      pathParent[q] = p;
      pathFrame[q] = frame;
      pathDepth[q] = pathDepth[p] + 1;
      pathByKey.set(key, q);
    }
    return q;
  };

  // Samples: one per (path, leaf row).
  const sampleByKey = new Map<number, number>();
  const samplePath: number[] = [];
  const sampleRow: number[] = [];
  let sampleCount: Float64Array = new Float64Array(1 << 12);
  let sampleBytes: Float64Array = new Float64Array(1 << 12);
  const pathOf = new Uint32Array(n);
  const size = graph.objectSize;
  let objects = 0;
  let bytes = 0;
  // Tiny blocks count as their sub-objects (each retaining its own bytes) and their rest, as goheap types counts them.
  const tiny = s.types.tinyObjects ?? { object: new Uint32Array(0), place: new Uint32Array(0), typing: new Uint32Array(0) };
  const hasTiny = tiny.object.length > 0;
  const histogramNames = hasTiny ? histogramRowNames(s.types) : [];
  const subRow = new Int32Array(histogramNames.length).fill(-1);
  const rowByName = new Map(rowNames.map((nm, r) => [nm, r]));
  const rowNamed = (nm: string): number => {
    let r = rowByName.get(nm);
    if (r === undefined) {
      r = rowNames.length;
      rowNames.push(nm);
      rowByName.set(nm, r);
    }
    return r;
  };
  const restRow = hasTiny ? rowNamed(TINY_REST_NAME) : -1;
  // The tiny blocks' typing id; tinyFirst(i): the first sub-object of block i, or -1.
  const objectType = s.types.objectType;
  const blockType = hasTiny ? objectType[tiny.object[0]] : -1;
  const tinyFirst = (i: number): number => {
    if (objectType[i] !== blockType) return -1;
    const a = tiny.object;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length && a[lo] === i ? lo : -1;
  };
  if (hasTiny) {
    for (let k = 0; k < tiny.object.length; k++) {
      const id = tiny.typing[k];
      if (subRow[id] < 0) subRow[id] = rowNamed(histogramNames[id]);
    }
  }
  const rowCount = rowNames.length;
  const addSample = (p: number, row: number, count: number, bytes: number): void => {
    const key = p * rowCount + row;
    let k = sampleByKey.get(key);
    if (k === undefined) {
      k = samplePath.length;
      sampleByKey.set(key, k);
      samplePath.push(p);
      sampleRow.push(row);
      if (k === sampleCount.length) {
        const grow = (a: Float64Array): Float64Array => {
          const b = new Float64Array(a.length * 2);
          b.set(a);
          return b;
        };
        sampleCount = grow(sampleCount);
        sampleBytes = grow(sampleBytes);
      }
    }
    sampleCount[k] += count;
    sampleBytes[k] += bytes;
  };
  const add = (i: number, p: number): void => {
    objects++;
    bytes += size[i];
    const t = tinyFirst(i);
    if (t < 0) {
      addSample(p, rowOf[i], 1, size[i]);
      return;
    }
    let used = 0;
    for (let k = t; k < tiny.object.length && tiny.object[k] === i; k++) {
      const sz = tiny.place[k] >>> 8;
      used += sz;
      addSample(p, subRow[tiny.typing[k]], 1, sz);
    }
    addSample(p, restRow, used >= size[i] ? 0 : 1, size[i] - used);
  };
  walkDominatorTree(s.dominators, (i) => {
    const d = parent[i];
    let p: number;
    if (d >= 0) p = extend(pathOf[d], frameOf(d, via[i]));
    else if (d === BY_ROOTS) p = extend(0, sharedFrameOf(i));
    else p = extend(0, rootFrames[dominatingRootNode(d)]);
    pathOf[i] = p;
    if ((objects & 0x3ffff) === 0) options.onProgress?.(objects, n);
    add(i, p);
  }, () => undefined);
  // Garbage (with `all`): under "(unreachable)", so that the profile holds every object.
  if (options.all) {
    const garbage = extend(0, frameNamed('(unreachable)'));
    for (let i = 0; i < n; i++) if (parent[i] === UNREACHABLE) add(i, garbage);
  }
  options.onProgress?.(n, n);

  // The profile: a function and a location per frame (ids = frame + 1); a leaf type is the frame of its name.
  const strings = new StringTable();
  const leafFrame = new Int32Array(rowCount).fill(-1);
  const locations: Location[] = [];
  const functions: PFunction[] = [];
  const samples: Sample[] = [];
  for (let k = 0; k < samplePath.length; k++) {
    const row = sampleRow[k];
    let leaf = leafFrame[row];
    if (leaf < 0) leaf = leafFrame[row] = frameNamed(rowNames[row]);
    const ids: number[] = [leaf + 1];
    for (let p = samplePath[k]; p !== 0; p = pathParent[p]) ids.push(pathFrame[p] + 1);
    samples.push(new Sample({ locationId: ids, value: [sampleCount[k], sampleBytes[k]] }));
  }
  for (let f = 0; f < frameNames.length; f++) {
    // No system name: pprof then takes the name as already demangled and shows it as is (it would otherwise strip
    // "<...>" and "[N]" from Go type names as if they were C++ templates).
    functions.push(new PFunction({ id: f + 1, name: strings.dedup(frameNames[f]), systemName: 0, filename: 0 }));
    locations.push(new Location({ id: f + 1, mappingId: 1, line: [new Line({ functionId: f + 1, line: 0 })] }));
  }
  const vt = (type: string, unit: string): ValueType => new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) });
  const profile = new Profile({
    sampleType: [vt('inuse_objects', 'count'), vt('inuse_space', 'bytes')],
    sample: samples,
    mapping: [programMapping(s, strings, false)],
    location: locations,
    function: functions,
    stringTable: strings,
    periodType: vt('space', 'bytes'),
    period: 1,
    defaultSampleType: strings.dedup('inuse_space'),
    comment: [
      strings.dedup(`goheap retention profile of ${s.dumpPath}: stacks are paths down the dominator tree (leaf: the object's type)`),
      strings.dedup(options.all ? 'every object of the dump; garbage under (unreachable)' : 'reachable objects only: a frame\'s cum is the bytes it retains; the total is the reachable heap'),
    ],
  });
  return { profile, stats: { samples: samples.length, frames: frameNames.length, stacks: paths - 1, objects, objectBytes: bytes } };
}
