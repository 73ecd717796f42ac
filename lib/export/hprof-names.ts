// HPROF names for Go things: class names for Go types (mangled where a Java reader would misparse them), the
// package and member halves of a qualified Go name (globals become static fields of a class per package, functions
// become methods of it).
//
// Mangling, so that VisualVM and Eclipse MAT show a Go name readably and never decode it as something else:
// - Java readers turn every '/' of a class name into '.', so `net/http.Request` would read `net.http.Request`:
//   '/' is written as U+2215 DIVISION SLASH ('∕'), which looks the same: `net∕http.Request`.
// - A name starting with '[' is decoded as a JVM array signature ("[B" is byte[]): Go's leading array and slice
//   brackets move to the end, in order: `[5000]*main.Node` is `*main.Node[5000]`, `[4][8]int` is `int[4][8]`,
//   `[]string` is `string[]`.
// Nothing else changes: `map[string]*main.Session`, `func(int) string`, `struct { A int }` stay as Go writes them.

/** The HPROF class name of a Go type or typing name (see the file's header). */
export function hprofClassName(goName: string): string {
  let name = goName;
  let suffix = '';
  while (name.startsWith('[')) {
    const close = name.indexOf(']');
    if (close < 0) break;
    suffix += name.slice(0, close + 1);
    name = name.slice(close + 1);
  }
  if (suffix !== '') name = name === '' ? `?${suffix}` : name + suffix;
  return name.replaceAll('/', '\u2215');
}

/**
 * Splits a qualified Go name into its package path and the rest: "main.Cache" -> ["main", "Cache"],
 * "net/http.(*conn).serve" -> ["net/http", "(*conn).serve"], "github.com/a/b.V" -> ["github.com/a/b", "V"].
 * A name without a package ("x") has the package "".
 */
export function splitQualified(name: string): [string, string] {
  const slash = name.lastIndexOf('/', firstParenOrBracket(name));
  const dot = name.indexOf('.', slash + 1);
  if (dot <= 0) return ['', name];
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * The package class and static field name of a global: splitQualified, except that a value the linker allocated for
 * a pointer global ("*main.Cache", lib/gotypes/static-data.ts) is a field of its package's class too: ["main", "*Cache"].
 */
export function globalStaticName(name: string): [string, string] {
  if (!name.startsWith('*')) return splitQualified(name);
  const [pkg, member] = splitQualified(name.slice(1));
  return [pkg, `*${member}`];
}

/** Index of the first '(' or '[' in `s` (where a method receiver or type arguments start), or its length. */
function firstParenOrBracket(s: string): number {
  let k = s.length;
  const p = s.indexOf('(');
  if (p >= 0) k = p;
  const b = s.indexOf('[');
  if (b >= 0 && b < k) k = b;
  return k;
}
