// Checks that an executable is the one that wrote a heap dump: the dump's Data and BSS segment records must have
// the addresses and sizes of the executable's .data and .bss sections. Types from another binary would be wrong.
import type { HeapGraph } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import { GoheapError } from '../errors.js';

/** The executable does not match the dump. Printed by the CLI as `goheap: BINARY: does not match DUMP (...)`. */
export class BinaryMismatchError extends GoheapError {
  constructor(
    readonly binaryPath: string,
    readonly dumpPath: string,
    readonly detail: string,
  ) {
    super(`${binaryPath}: does not match ${dumpPath} (${detail})`, binaryPath, undefined, `the executable that wrote ${dumpPath}`);
  }
}

/** Throws BinaryMismatchError unless the dump's data/bss segments equal the binary's .data/.bss sections. */
export function checkBinaryMatchesDump(graph: HeapGraph, program: GoProgram, binaryPath: string): void {
  const hex = (n: number): string => `0x${n.toString(16)}`;
  if (graph.params.ptrSize !== program.ptrSize) {
    throw new BinaryMismatchError(binaryPath, graph.path, `pointer size ${graph.params.ptrSize} in the dump, ${program.ptrSize} in the binary`);
  }
  for (const kind of ['data', 'bss'] as const) {
    const seg = graph.segments.find((s) => s.kind === kind);
    const sec = program.sections[kind];
    if (seg === undefined) continue;
    if (seg.address !== sec.addr || seg.size !== sec.size) {
      throw new BinaryMismatchError(binaryPath, graph.path,
        `${kind} segment at ${hex(seg.address)}, ${seg.size} bytes in the dump; .${kind} at ${hex(sec.addr)}, ${sec.size} bytes in the binary`);
    }
  }
}
