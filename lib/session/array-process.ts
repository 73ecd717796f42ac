// The processes whose work is building whole-heap typed arrays (a command's cold open, cli/cold-open.ts; the viewer's
// derived indexes, HeapSession.keepDerivedInWorker): their node options and C library settings, and the unfinished
// index files such a process leaves when it is killed.
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiledFile } from '../package-files.js';

/**
 * Node options for a process whose work is a cold open or the derived indexes (the CLI's cold open process, the
 * viewer's builder; the bench's cold open stage measures with them): semi-spaces of 2 MiB instead of 16. The open's data is typed arrays outside V8's heap, whose
 * own objects are a few tens of MB; the space kept for new ones added some 28 MiB at the open's peak (14 M objects:
 * 678 -> 650 MiB, 47.3 B/object, in the same time).
 */
export const COLD_OPEN_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * Environment of a process whose work is a cold open (or the viewer's derived indexes) of a dump of `dumpBytes` bytes, over its parent's.
 *
 * On a dump of HUGE_PAGES_FROM_BYTES or more, malloc asks for transparent huge pages (where the kernel gives them on
 * request, as Debian's does by default): the first write to a fresh page of a new array costs a fault per 4 KiB
 * otherwise, 2.9 s per GB of arrays on this project's virtual machine (0.1 s with huge pages), and a cold open fills
 * gigabytes of new arrays. 14 M objects (2 cores, alternating traced opens in the same hour): until the dominators are
 * done 10.8-14.8 s with 4 KiB pages, 8.2-11.7 s with huge pages, 408 K page faults down to 85 K; 72 M objects: 75 s
 * down to 54 s.
 *
 * glibc's malloc gives every block of MALLOC_MMAP_THRESHOLD_ or more its own mapping, returned to the system when
 * freed: 1 MiB here. By default the threshold follows the largest block freed (up to 32 MiB), so that once a large
 * array is freed, the open's next arrays of up to that size come from malloc's heap, where freed memory mostly stays
 * resident: the 14 M-object open's peak came out 651 to 686 MiB from one run to the next, 641-643 with a fixed 8 MiB.
 * With huge pages, memory freed in malloc's heap stays resident 2 MiB at a time: with 8 MiB, the arrays of 1 to 8 MiB
 * freed there left 70 MB more resident in some runs (14 M objects: peaks of 672-678 MiB in 3 runs out of 12, 604-617
 * in the others); with 1 MiB, 594-613 MiB in 5 runs out of 5.
 *
 * A user's own settings are kept; other C libraries ignore them.
 */
export function coldOpenEnvironment(env: NodeJS.ProcessEnv = process.env, dumpBytes = 0): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD), ...env };
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (dumpBytes >= HUGE_PAGES_FROM_BYTES && !tunables.includes('glibc.malloc.hugetlb')) {
    out.GLIBC_TUNABLES = tunables === '' ? HUGE_PAGES : `${tunables}:${HUGE_PAGES}`;
  }
  return out;
}

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';
/** glibc malloc's mmap threshold in a cold open's process (coldOpenEnvironment): 1 MiB. */
export const MMAP_THRESHOLD = 1 << 20;
/**
 * The dump size from which a cold open asks for huge pages (coldOpenEnvironment): 256 MiB, about 4.5 M objects, where
 * each of the open's large arrays is 17 MB or more, so that the last huge page of an array half written (a column
 * grown by blocks, say) adds little to its peak: a service's 447 MB dump of 5.9 M objects, the CLI's cold `info`
 * 10.4-10.5 s and 382 MB with 4 KiB pages, 8.2-9.6 s and 387-388 MB with huge pages.
 */
export const HUGE_PAGES_FROM_BYTES = 256 * 2 ** 20;

/** A process forked by forkArrayProcess, and the last bytes of its stderr (kept, not shown). */
export interface ArrayProcess {
  child: ChildProcess;
  /** The last STDERR_KEPT characters it wrote on its stderr (what it said before dying, such as V8's out of memory). */
  stderrTail(): string;
}

/** How much of an array process's stderr is kept. */
const STDERR_KEPT = 4096;

/**
 * Forks the compiled module `module` ('cli/cold-open-process.js') with `args`, as a process whose work is whole-heap
 * arrays for the dump at `dumpPath`: COLD_OPEN_NODE_OPTIONS, coldOpenEnvironment, an IPC channel with advanced
 * serialization, stdout ignored and stderr kept (stderrTail). `onStderr` also gets what it writes on stderr.
 */
export function forkArrayProcess(module: string, args: string[], dumpPath: string, onStderr?: (text: string) => void): ArrayProcess {
  const child = fork(compiledFile(module), args, {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', execArgv: [...process.execArgv, ...COLD_OPEN_NODE_OPTIONS],
    env: coldOpenEnvironment(process.env, fileBytes(dumpPath)),
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    tail = (tail + d).slice(-STDERR_KEPT);
    onStderr?.(d);
  });
  return { child, stderrTail: () => tail };
}

/** The size of `file`, or 0 when it cannot be read (the cold open's process says why). */
export function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Removes process `pid`'s unfinished index files (NAME.PID.tmp: lib/store, lib/session's parked arrays) in `dir`. */
export function removeOwnTemps(dir: string, pid: number): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const suffix = `.${pid}.tmp`;
  for (const n of names) {
    if (!n.endsWith(suffix)) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
    } catch {
      // gone meanwhile
    }
  }
}
