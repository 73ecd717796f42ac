// What changed between two dumps of one program (`goheap diff`, the viewer's diff page with --baseline): per type
// (reachable objects unless `all`: garbage not yet freed is no growth), and per root node, goroutine groups
// matched by their stacks (not goroutine ids) with their goroutine counts; growth and shrinkage both, largest change
// first. Dumps of two different programs are refused (their type and itab records disagree); a base dump that looks
// newer than the other (the runtime's cumulative TotalAlloc is larger) gets a hint.
import { diffRootNodes, diffTypes, type RootDiffRow, type RootSideRow, type TypeDiffRow, type TypeRow } from '../analysis/index.js';
import { GoheapError } from '../errors.js';
import type { HeapSession } from '../session/index.js';
import { rootNodeGoroutines, rootNodeKey, sessionSharedGroups } from '../session/leak-queries.js';
import { firstRows } from './common.js';

export interface DiffAnswer {
  reachableBefore: number;
  reachableAfter: number;
  /** True when every object counts, garbage not yet freed included (--all). */
  all: boolean;
  /** Set when the base dump looks like the later one (were BASE and DUMP swapped?). */
  hint?: string;
  types: TypeDiffRow[];
  roots: RootDiffRow[];
}

/**
 * What identifies the program that wrote a dump: its data and bss segments (where the executable's .data and .bss
 * lie, and their sizes: what lib/typing's binary check compares with an executable) and the runtime type records
 * (address -> name) and itabs (address -> type address) it wrote. Two dumps of one build share all of them.
 */
export interface ProgramPrint {
  path: string;
  segments: { kind: string; address: number; size: number }[];
  typeNames: Map<number, string>;
  itabs: Map<number, number>;
}

/** The parts of a session a diff needs, so that the earlier dump's session can be closed first. */
export interface DiffSide extends ProgramPrint {
  reachable: number;
  types: TypeRow[];
  roots: RootSideRow[];
  /** MemStats' cumulative TotalAlloc, when the dump has MemStats. */
  totalAlloc?: number;
}

export function programPrint(s: HeapSession): ProgramPrint {
  const g = s.graph;
  return {
    path: s.dumpPath,
    segments: g.segments.filter((x) => x.kind === 'data' || x.kind === 'bss').map((x) => ({ kind: x.kind, address: x.address, size: x.size })),
    typeNames: new Map(g.types.map((t) => [t.address, t.name])), itabs: new Map(g.itabs.map((t) => [t.address, t.typeAddress])),
  };
}

export function diffSide(s: HeapSession): DiffSide {
  const roots = s.rootRows().map((r): RootSideRow => {
    const key = rootNodeKey(s, r.rootNode);
    return key === undefined ? { kind: r.kind, name: r.name, retained: r.retained }
      : { kind: r.kind, name: r.name, retained: r.retained, key, count: rootNodeGoroutines(s, r.rootNode) };
  });
  // Memory no root node alone retains (a broker's messages, reached from it and from its subscribers' goroutines):
  // one row per set of root nodes that reach it, as `roots` groups it, matched across the dumps by their names.
  const groups = sessionSharedGroups(s);
  const rn = s.rootNodes;
  for (let g = 0; g < groups.count; g++) {
    const nodes = groups.roots[g];
    const names = nodes.map((k) => rn.name[k]).sort();
    // By the roots' names (a goroutine group's stack may move between dumps; its name stays).
    const key = `shared ${names.join('\u0000')}`;
    const name = `← ${names.slice(0, 8).join(', ')}${names.length > 8 ? ` and ${names.length - 8} more` : ''}`;
    roots.push({ kind: 'shared', name, retained: groups.retained[g], key });
  }
  const ms = s.graph.stats().memstats;
  const total = ms ? ms.TotalAlloc : undefined;
  return {
    ...programPrint(s), reachable: s.reachableBytes, types: s.typeRows(), roots,
    ...(typeof total === 'number' ? { totalAlloc: total } : {}),
  };
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Why `after` is not a dump of the build that wrote `before`, in a few words, or undefined when it is: a data or bss
 * segment elsewhere or of another size; a type record at one address with two names; type names (one record in
 * each dump) mostly at other addresses; an itab at one address for two types; or two non-empty type sets with nothing in
 * common. One build puts each type at one address, so two dumps of it agree on every record they share.
 */
export function programMismatch(before: ProgramPrint, after: ProgramPrint, here = 'here', there = 'there'): string | undefined {
  for (const x of after.segments) {
    const y = before.segments.find((z) => z.kind === x.kind);
    if (y !== undefined && (y.address !== x.address || y.size !== x.size)) {
      return `the ${x.kind} segment is at ${hex(x.address)}, ${x.size} bytes ${here}; at ${hex(y.address)}, ${y.size} bytes ${there}`;
    }
  }
  let common = 0;
  for (const [a, name] of after.typeNames) {
    const b = before.typeNames.get(a);
    if (b === undefined) continue;
    common++;
    if (b !== name) return `type ${hex(a)} is ${name} ${here}, ${b} ${there}`;
  }
  // By name: a name one record carries in each dump sits at one address in one build.
  const single = (m: Map<number, string>): Map<string, number> => {
    const out = new Map<string, number>();
    const twice = new Set<string>();
    for (const [a, name] of m) {
      if (out.has(name)) twice.add(name);
      else out.set(name, a);
    }
    for (const name of twice) out.delete(name);
    return out;
  };
  // (Two local types of one name, one in each dump, would disagree in one build too: a majority decides.)
  const beforeByName = single(before.typeNames);
  let agree = 0;
  let first: string | undefined;
  let disagree = 0;
  for (const [name, a] of single(after.typeNames)) {
    const b = beforeByName.get(name);
    if (b === undefined) continue;
    if (b === a) agree++;
    else {
      disagree++;
      first ??= `type ${name} is at ${hex(a)} ${here}, at ${hex(b)} ${there}`;
    }
  }
  if (disagree > agree) return `${first} (${disagree} of ${disagree + agree} type names in both dumps are at other addresses)`;
  for (const [a, t] of after.itabs) {
    const b = before.itabs.get(a);
    if (b !== undefined && b !== t) return `itab ${hex(a)} is for type ${hex(t)} ${here}, ${hex(b)} ${there}`;
  }
  if (common === 0 && before.typeNames.size > 0 && after.typeNames.size > 0) return 'no type record in common';
  return undefined;
}

/** Refuses two dumps of different programs (programMismatch) with one line. */
export function checkSameProgram(before: ProgramPrint, after: ProgramPrint): void {
  const why = programMismatch(before, after);
  if (why !== undefined) {
    throw new GoheapError(`${after.path}: not a dump of the program that wrote ${before.path}: ${why}`, after.path, undefined, 'a dump of the same program');
  }
}

export function diffAnswer(before: DiffSide, after: DiffSide, limit: number, all = false): DiffAnswer {
  checkSameProgram(before, after);
  const out: DiffAnswer = {
    reachableBefore: before.reachable,
    reachableAfter: after.reachable,
    all,
    types: firstRows(diffTypes(before.types, after.types, all), limit),
    roots: firstRows(diffRootNodes(before.roots, after.roots), limit),
  };
  if (before.totalAlloc !== undefined && after.totalAlloc !== undefined && before.totalAlloc > after.totalAlloc) {
    out.hint = `${before.path} looks newer than ${after.path} (the runtime had allocated more when it was written): the base dump comes first`;
  }
  return out;
}
