// What every answer shares: addresses as hex strings, and path hops as JSON.
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
}

export function pathJson(hops: readonly PathHop[]): PathHopJson[] {
  return hops.map((p) => ({ kind: p.kind, name: p.name, address: hex(p.address), type: p.type ?? null, field: p.field ?? null }));
}

/** The first `limit` rows; 0 means all. */
export function firstRows<T>(rows: readonly T[], limit: number): T[] {
  return limit > 0 ? rows.slice(0, limit) : [...rows];
}
