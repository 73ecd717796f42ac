// VisualVM's heap library as an independent HPROF reader: test/java/HprofCheck.java compiled once per process against
// the library's jar (.toolchains/visualvm, scripts/install-visualvm.sh) and run on a file, its JSON answer parsed.
// Used by the HPROF tests (test/export/hprof.test.ts) and by the bench's VisualVM stage (bench/stages-hprof.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const VISUALVM_JAR = path.join(ROOT, '.toolchains/visualvm/org-graalvm-visualvm-lib-jfluid-heap.jar');
const CHECKER = path.join(ROOT, 'test/java/HprofCheck.java');

/** HprofCheck's classes, compiled at the first run of this process (a source-file launch would compile at every run). */
let checkerClasses: string | undefined;

process.on('exit', () => {
  if (checkerClasses !== undefined) fs.rmSync(checkerClasses, { recursive: true, force: true });
});

/**
 * HprofCheck's JSON answer on `hprof` (arguments after the file: TOP, and `summary` for the heap-wide figures and
 * threads only); `javaOptions` before the class (-Xmx...).
 */
export function hprofCheck<T>(hprof: string, args: string[], javaOptions: string[] = []): T {
  if (!fs.existsSync(VISUALVM_JAR)) throw new Error(`${VISUALVM_JAR} is missing: run scripts/install-visualvm.sh`);
  if (checkerClasses === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hprof-checker-'));
    const c = spawnSync('javac', ['-cp', VISUALVM_JAR, '-d', dir, CHECKER], { encoding: 'utf8' });
    if (c.error) throw c.error;
    if (c.status !== 0) throw new Error(`javac HprofCheck.java failed (${c.status}): ${c.stderr}`);
    checkerClasses = dir;
  }
  const r = spawnSync('java', [...javaOptions, '-cp', `${VISUALVM_JAR}${path.delimiter}${checkerClasses}`, 'HprofCheck', hprof, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`HprofCheck failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
