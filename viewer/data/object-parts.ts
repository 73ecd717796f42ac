// The parts of an object's page beyond the CLI's `object` answer: its outgoing references, its retainers as rows
// of an expandable tree (each with what the next level needs: distance, retained, whether it has referrers), its
// dominator chain and dominated objects, and a hex view.
import * as fs from 'node:fs';
import type { HeapSession, Dominator } from '../../lib/session/index.js';
import { HeapDumpError } from '../../lib/dump/index.js';

function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

export interface OutgoingRef {
  field: string;
  offset: number;
  address: string;
  type: string;
  size: number;
  retained: number;
  /** The pointer points inside the target rather than at its start. */
  interior: boolean;
}

/** The objects object i points at, in slot order (at most `limit`), and how many there are. */
export function outgoing(s: HeapSession, i: number, limit = 200): { total: number; refs: OutgoingRef[] } {
  const g = s.graph;
  if (i >= s.objectCount) return { total: 0, refs: [] }; // a tiny sub-object: pointer-free
  const { first: start, end } = g.edgesOf(i);
  const refs: OutgoingRef[] = [];
  for (let e = start; e < end && refs.length < limit; e++) {
    const off = g.edgeOffsetAt(e);
    const t = s.pointerTarget(i, off, g.edgeTargetAt(e)); // into a tiny block: the sub-object it lands in
    refs.push({ field: s.types.fieldName(i, off) ?? `+0x${off.toString(16)}`, offset: off, address: hex(s.address(t)), type: s.typeName(t),
      size: s.size(t), retained: s.retained(t), interior: g.edgeIsInteriorAt(e) });
  }
  return { total: end - start, refs };
}

export type RetainerRow =
  | { kind: 'object'; address: string; type: string; field: string; size: number; retained: number; distance: number; referrers: number }
  | { kind: 'root'; rootKind: string; name: string; slot: string; function: string | null; variable: string | null };

/** Object i's referrers as retainer-tree rows: objects first (nearest to a root first), then roots; at most `limit`. */
export function retainers(s: HeapSession, i: number, limit = 100): { total: number; rows: RetainerRow[] } {
  const refs = s.referrers(i);
  const rows: RetainerRow[] = refs.map((r) => (r.kind === 'object'
    ? { kind: 'object' as const, address: hex(s.address(r.object)), type: s.typeName(r.object), field: r.field, size: s.size(r.object),
      retained: s.retained(r.object), distance: s.distance(r.object), referrers: s.objectReferrerCount(r.object) }
    : { kind: 'root' as const, rootKind: r.rootKind, name: r.name, slot: r.slot, function: r.function ?? null, variable: r.variable ?? null }));
  // Like Chrome's Retainers panel: the referrers closest to a root first (unreachable ones last), roots at the top.
  const rank = (r: RetainerRow): number => (r.kind === 'root' ? -1 : r.distance < 0 ? Number.MAX_SAFE_INTEGER : r.distance);
  rows.sort((a, b) => rank(a) - rank(b));
  return { total: rows.length, rows: rows.slice(0, limit) };
}

export interface ChainLink {
  kind: string;
  name: string;
  address: string | null;
  retained: number;
}

/** A dominator as a link of the chain: an object (its type), a root node, or several roots together. */
export function chainLink(s: HeapSession, d: Dominator): ChainLink {
  if (d.kind === 'object') return { kind: 'object', name: s.typeName(d.object), address: hex(s.address(d.object)), retained: s.retained(d.object) };
  if (d.kind === 'root') return { kind: s.rootNodes.kind[d.rootNode], name: s.rootNodes.name[d.rootNode], address: null, retained: s.rootRetained(d.rootNode) };
  if (d.kind === 'roots') return { kind: 'roots', name: 'several roots', address: null, retained: s.reachableBytes };
  return { kind: 'none', name: 'none', address: null, retained: 0 };
}

/**
 * The first `limit` bytes of object i as hex (two digits a byte), and the object's size. Only those bytes are read
 * from the dump (a large object is not read whole), from the file the session loaded (same kind and size).
 */
export function hexBytes(s: HeapSession, i: number, limit = 1024): { shown: number; size: number; hex: string } {
  const g = s.graph;
  if (i >= s.objectCount) {
    // A tiny sub-object: its bytes in its block.
    const b = g.objectContent(s.blockOf(i));
    const at = s.address(i) - g.addressOf(s.blockOf(i));
    const size = s.size(i);
    return { shown: size, size, hex: Buffer.from(b.buffer, b.byteOffset + at, size).toString('hex') };
  }
  const size = g.sizeOf(i);
  const n = Math.min(limit, size);
  if (n <= 64) {
    const b = g.objectContent(i);
    return { shown: n, size, hex: Buffer.from(b.buffer, b.byteOffset, n).toString('hex') };
  }
  // One object's offset (not objectContentOffset: that lays out every object's, 575 MB on a 70 M-object dump).
  const at = g.contentOffsetOf(i);
  const fd = fs.openSync(g.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size !== g.fileSize) throw new HeapDumpError(g.path, at, 'file changed since it was loaded');
    const b = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const k = fs.readSync(fd, b, done, n - done, at + done);
      if (k <= 0) throw new HeapDumpError(g.path, at + done, 'file changed since it was loaded');
      done += k;
    }
    return { shown: n, size, hex: b.toString('hex') };
  } finally {
    fs.closeSync(fd);
  }
}
