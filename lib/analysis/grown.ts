// Growing a typed array: the analyses' work stacks (depth-first searches of the graph and of the dominator tree, path
// compression) start small and double as deep as a heap proves, instead of taking a word per node up front.

/** `a`'s elements at the start of a new array of the same type and `length` elements (twice a's by default). */
export function grown<T extends Uint32Array | Int32Array>(a: T, length = 2 * a.length): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
