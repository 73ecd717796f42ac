// Temporary files of killed runs: an export writes `.NAME.goheap-PID-RAND.tmp` beside its output and the index
// writes `NAME.idx.PID.tmp` in the cache; a process killed by SIGKILL (or a power cut) leaves them behind. The next
// run that writes into the same folder removes those whose process is gone.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether process `pid` exists (on this machine; a process of another user counts as alive). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the files of `dir` whose name matches `pattern` (its first group: the writer's pid) and whose writer is
 * gone. Best effort: a folder that cannot be listed, a file already removed are fine.
 */
export function removeDeadTemps(dir: string, pattern: RegExp): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      const p = path.join(dir, name);
      if (!fs.lstatSync(p).isFile()) continue;
      fs.unlinkSync(p);
      removed++;
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
