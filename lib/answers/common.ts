// What every answer shares: addresses as hex strings, path hops as JSON, and sizes and counts as people read them
// (the CLI's text and the viewer's pages use the same).
import type { PathHop } from '../analysis/index.js';

/** An address as "0x..." (addresses fit in 2^53). */
export function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

export interface PathHopJson {
  kind: string;
  name: string;
  address: string;
  type: string | null;
  field: string | null;
  /** A long chain's hops in a row, this one their first (lib/analysis PathHop.repeat); absent for one hop. */
  repeat?: number;
}

export function pathJson(hops: readonly PathHop[]): PathHopJson[] {
  return hops.map((p) => ({
    kind: p.kind, name: p.name, address: hex(p.address), type: p.type ?? null, field: p.field ?? null, ...(p.repeat !== undefined ? { repeat: p.repeat } : {}),
  }));
}

/** The first `limit` rows; 0 means all. */
export function firstRows<T>(rows: readonly T[], limit: number): T[] {
  return limit > 0 ? rows.slice(0, limit) : [...rows];
}

/** Bytes as people read them: "512 B", "3.14 MiB", "109.6 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A count with thousands separators: "14,399,726". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
