// Generic instantiations named as the user wrote them. A generic function is compiled once per GC shape, so the
// types its frames give (DWARF variables of shape code) are shape types: `main.Subscription[go.shape.struct {
// Topic string; ... }]` (with `_0`, the type parameter's index, on Go 1.19). The binary's DWARF also has the real
// instantiations ordinary code uses (`main.Subscription[main.Event]`), see docs: go-runtime-internals §6. Pairing
// each shape-instantiated type with the real instantiations of the same generic type (same name outside the
// brackets, same number of type arguments, same size) tells which real type argument each shape stands for; when a
// shape stands for exactly one, every name containing it is rewritten (`[]go.shape.struct {...}` is `[]main.Event`,
// `chan go.shape...` is `chan main.Event`). A shape that several real arguments share stays as it is (fallback).
import type { GoProgram } from '../gotypes/index.js';

const SHAPE = 'go.shape.';

/** Splits `Base[A, B]` at its last top-level bracket pair: the base and the top-level arguments, or undefined. */
export function typeArguments(name: string): { base: string; args: string[] } | undefined {
  if (!name.endsWith(']')) return undefined;
  // Find the '[' matching the final ']'.
  let depth = 0;
  let open = -1;
  for (let k = name.length - 1; k >= 0; k--) {
    const c = name[k];
    if (c === ']' || c === ')' || c === '}') depth++;
    else if (c === '[' || c === '(' || c === '{') {
      depth--;
      if (depth === 0) {
        open = k;
        break;
      }
    }
  }
  // A leading array or slice bracket ("[3]T", "[]T") is no type argument list.
  if (open <= 0 || !/[A-Za-z0-9_]/.test(name[open - 1])) return undefined;
  const inner = name.slice(open + 1, -1);
  const args: string[] = [];
  let start = 0;
  depth = 0;
  for (let k = 0; k < inner.length; k++) {
    const c = inner[k];
    if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, k).trim());
      start = k + 1;
    }
  }
  args.push(inner.slice(start).trim());
  return { base: name.slice(0, open), args };
}

/** The rewriting of shape names for `program`: shape argument -> the one real argument it stands for. */
export function shapeSubstitutions(program: GoProgram): Map<string, string> {
  const real = new Map<string, { size: number; args: string[] }[]>();
  const shaped: { base: string; size: number; args: string[] }[] = [];
  for (const t of program.types) {
    if (!t.name.includes('[')) continue;
    const p = typeArguments(t.name);
    if (p === undefined) continue;
    if (t.name.includes(SHAPE)) shaped.push({ base: p.base, size: t.size, args: p.args });
    else {
      let l = real.get(p.base);
      if (l === undefined) real.set(p.base, (l = []));
      l.push({ size: t.size, args: p.args });
    }
  }
  const candidates = new Map<string, Set<string>>();
  for (const s of shaped) {
    for (const r of real.get(s.base) ?? []) {
      if (r.size !== s.size || r.args.length !== s.args.length) continue;
      for (let k = 0; k < s.args.length; k++) {
        if (!s.args[k].startsWith(SHAPE)) continue;
        let c = candidates.get(s.args[k]);
        if (c === undefined) candidates.set(s.args[k], (c = new Set()));
        c.add(r.args[k]);
      }
    }
  }
  const out = new Map<string, string>();
  for (const [shape, reals] of candidates) if (reals.size === 1) out.set(shape, [...reals][0]);
  return out;
}

/** `name` with every shape argument that `subs` knows replaced by its real type (longest shapes first). */
export function realName(name: string, subs: Map<string, string>, keys: string[]): string {
  if (!name.includes(SHAPE)) return name;
  let out = name;
  for (const shape of keys) {
    let at = out.indexOf(shape);
    while (at >= 0) {
      const after = out[at + shape.length];
      if (after === undefined || !/[A-Za-z0-9_.]/.test(after)) {
        out = out.slice(0, at) + subs.get(shape)! + out.slice(at + shape.length);
        at = out.indexOf(shape, at + subs.get(shape)!.length);
      } else at = out.indexOf(shape, at + 1);
    }
  }
  return out;
}

/** A function renaming shape-instantiated names for `program` (the identity when nothing needs renaming). */
export function genericNamer(program: GoProgram): (name: string) => string {
  const subs = shapeSubstitutions(program);
  if (subs.size === 0) return (n) => n;
  const keys = [...subs.keys()].sort((a, b) => b.length - a.length);
  return (n) => realName(n, subs, keys);
}
