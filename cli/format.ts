// Formatting helpers shared by the CLI commands: byte sizes, counts, key-value blocks.

// Sizes and counts read the same in the CLI and the viewer: one definition, in lib/answers.
export { bytes, count } from '../lib/answers/index.js';

/** Left-aligned label column, values after it. */
export function keyValues(rows: [string, string][]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
