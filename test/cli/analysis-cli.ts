// Running goheap's analysis commands as child processes, with the index in a scratch cache folder.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

export function run(cacheDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: { ...process.env, GOHEAP_CACHE_DIR: cacheDir }, maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json(cacheDir: string, ...args: string[]): any {
  const r = run(cacheDir, ...args, '--json');
  if (r.status !== 0) throw new Error(`goheap ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const answers = new Map<string, unknown>();

/**
 * json() for a question several tests of a file ask of the same dump and index (a read-only command): the command
 * runs once, each caller gets its own copy of the answer.
 */
export function sharedJson(cacheDir: string, ...args: string[]): any {
  const key = JSON.stringify([cacheDir, args]);
  if (!answers.has(key)) answers.set(key, json(cacheDir, ...args));
  return structuredClone(answers.get(key));
}
