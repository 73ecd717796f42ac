// `--all`: every object of the dump as a node and every pointer as an edge, streamed in file order straight to the
// sink (never the whole DOT in memory): the root nodes first (globals, goroutines with their frames, finalizers) with
// an edge per root slot, then per object its node (type, address, size, retained size; garbage greyed) followed by its
// pointers labelled with their fields. Quoted type and field strings are cached per type id and (type, offset).
import type { HeapSession } from '../session/index.js';
import type { OutputSink } from './output.js';
import { GARBAGE, attrList, bytes, dotString, hex } from './dot-syntax.js';
import { FieldNames, goroutineOfRootNode, rootAttrs, rootSlotLabel, tinyContents } from './dot-labels.js';

export interface AllSummary {
  objects: number;
  rootNodes: number;
  edges: number;
  rootEdges: number;
}

/** Streams every object and pointer of the session's heap as DOT after `header`; see the file's header. */
export async function writeAllObjects(s: HeapSession, sink: OutputSink, header: string,
  progress?: (done: number, total: number) => void): Promise<AllSummary> {
  let p = sink.write(header);
  if (p) await p;
  const graph = s.graph;
  const rn = s.rootNodes;
  const goroutines = goroutineOfRootNode(s);
  for (let k = 0; k < rn.count; k++) {
    p = sink.write(`  r${k}${attrList(rootAttrs(s, k, goroutines[k]))};\n`);
    if (p) await p;
  }
  const roots = graph.roots;
  for (let r = 0; r < roots.count; r++) {
    p = sink.write(`  r${rn.rootNode[r]} -> o${roots.target[r]}${attrList({ label: rootSlotLabel(s, r) })};\n`);
    if (p) await p;
  }

  // Quoted pieces, cached: type names by type id (untyped: by size), field labels by (type, offset).
  const types = s.types;
  const objectType = types.objectType;
  const typeText: (string | undefined)[] = new Array(types.typeNames.length);
  const untypedText = new Map<number, string>();
  const fields = new FieldNames(s, dotString);
  const garbage = attrList(GARBAGE).slice(2, -1);
  const size = graph.objectSize;
  const address = graph.objectAddress;
  const reachable = graph.reachable;
  const edgeStart = graph.edgeStart;
  const edgeTarget = graph.edgeTarget;
  const n = graph.objectCount;
  // Tiny blocks with sub-objects (sorted by block): their labels say what they hold, by type and count.
  const tinyObject = types.tinyObjects?.object ?? new Uint32Array(0);
  let tk = 0;
  let batch = '';
  for (let i = 0; i < n; i++) {
    const t = objectType[i];
    while (tk < tinyObject.length && tinyObject[tk] < i) tk++;
    let typeQ: string | undefined;
    if (t !== 0) {
      typeQ = typeText[t];
      if (typeQ === undefined) typeQ = typeText[t] = inner(s.typeName(i));
    } else {
      typeQ = untypedText.get(size[i]);
      if (typeQ === undefined) {
        typeQ = inner(s.typeName(i));
        untypedText.set(size[i], typeQ);
      }
    }
    if (tk < tinyObject.length && tinyObject[tk] === i) typeQ = `${typeQ}\\n${inner(tinyContents(s, i).join(''))}`;
    let line = reachable[i] !== 0
      ? `  o${i} [label="${typeQ}\\n${hex(address[i])}\\n${bytes(size[i])}, retains ${bytes(s.retained(i))}"];\n`
      : `  o${i} [label="${typeQ}\\n${hex(address[i])}\\n${bytes(size[i])}, garbage", ${garbage}];\n`;
    const end = edgeStart[i + 1];
    for (let e = edgeStart[i]; e < end; e++) line += `  o${i} -> o${edgeTarget[e]} [label=${fields.name(i, graph.edgeOffset(e))}];\n`;
    // Objects' lines go to the sink in batches of about 64 K characters.
    batch += line;
    if (batch.length >= 65536) {
      p = sink.write(batch);
      batch = '';
      if (p) await p;
    }
    if (progress !== undefined && (i & 0xffff) === 0) progress(i, n);
  }
  p = sink.write(`${batch}}\n`);
  if (p) await p;
  return { objects: n, rootNodes: rn.count, edges: graph.edgeCount, rootEdges: roots.count };
}

/** The inside of a DOT quoted string (dotString without its quotes). */
function inner(s: string): string {
  return dotString(s).slice(1, -1);
}
