// Request parameters, checked: addresses, paging, sort keys, dominator-tree nodes. A bad value is a 400 naming the
// parameter; a well-formed one that names nothing in the dump is a 404 (the route says so).
import type { HeapSession, TreeNode } from '../lib/session/index.js';
import { badRequest, notFound } from './errors.js';

type Query = Record<string, unknown>;

/** The query string as the route got it (fastify's parsed object). */
export function queryOf(req: { query: unknown }): Query {
  return (req.query ?? {}) as Query;
}

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw badRequest(`${name}: given more than once`);
  return String(v);
}

/** A string parameter (undefined when absent), at most 1000 characters. */
export function text(q: Query, name: string): string | undefined {
  const v = single(q, name);
  if (v !== undefined && v.length > 1000) throw badRequest(`${name}: longer than 1000 characters`);
  return v;
}

/** A whole number from `min` (0 unless given) to `max`, `def` when absent. */
export function wholeNumber(q: Query, name: string, def: number, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  const v = single(q, name);
  if (v === undefined || v === '') return def;
  if (!/^[0-9]{1,15}$/.test(v) || Number(v) > max || Number(v) < min) throw badRequest(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 40))}`);
  return Number(v);
}

/** offset and limit of a paged list (limit 1..maxLimit). */
export function paging(q: Query, defLimit = 50, maxLimit = 1000): { offset: number; limit: number } {
  const offset = wholeNumber(q, 'offset', 0);
  const limit = wholeNumber(q, 'limit', defLimit, maxLimit, 1);
  return { offset, limit };
}

/** One of `choices` (the first when absent). */
export function choice<T extends string>(q: Query, name: string, choices: readonly T[]): T {
  const v = single(q, name);
  if (v === undefined || v === '') return choices[0];
  if (!(choices as readonly string[]).includes(v)) throw badRequest(`${name}: expected one of ${choices.join(', ')}, got ${JSON.stringify(v.slice(0, 40))}`);
  return v as T;
}

/** Parses "0x1f00" or decimal; NaN when it is neither (or beyond 2^53). */
export function parseAddress(s: string): number {
  const t = s.trim().toLowerCase();
  let v = Number.NaN;
  if (/^0x[0-9a-f]{1,14}$/.test(t)) v = Number.parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,16}$/.test(t)) v = Number(t);
  return Number.isSafeInteger(v) ? v : Number.NaN;
}

/** The object containing the address in the path (any address inside it): 400 when malformed, 404 when in no object. */
export function objectAt(s: HeapSession, raw: string): number {
  const a = parseAddress(raw);
  if (Number.isNaN(a)) throw badRequest(`not an address: ${JSON.stringify(raw.slice(0, 40))} (use hex 0x... or decimal)`);
  const i = s.findObject(a);
  if (i < 0) throw notFound(`no heap object contains address 0x${a.toString(16)}`);
  return i;
}

/**
 * The instance at the address in the path: the tiny sub-object covering it inside a tiny block (a boxed value, as
 * `goheap object` answers), else the object containing it; 400 when malformed, 404 when in no object.
 */
export function instanceAt(s: HeapSession, raw: string): number {
  objectAt(s, raw); // 400 or 404
  return s.findInstance(parseAddress(raw));
}

/** A dominator-tree node as URLs name it: "roots" (the super-root), "root:K" (root node K), or an object's address. */
export function treeNode(s: HeapSession, raw: string | undefined): TreeNode {
  if (raw === undefined || raw === '' || raw === 'roots') return { kind: 'roots' };
  const m = /^root:([0-9]{1,9})$/.exec(raw);
  if (m) {
    const k = Number(m[1]);
    if (k >= s.rootNodes.count) throw notFound(`no root node ${k} (the dump has ${s.rootNodes.count})`);
    return { kind: 'root', rootNode: k };
  }
  return { kind: 'object', object: objectAt(s, raw) };
}

/** The URL name of a dominator-tree node (see treeNode). */
export function nodeId(s: HeapSession, n: TreeNode): string {
  if (n.kind === 'roots') return 'roots';
  if (n.kind === 'root') return `root:${n.rootNode}`;
  return `0x${s.address(n.object).toString(16)}`;
}
