// goheap's own files (package.json, the compiled workers, the viewer's assets), found from the package's root, which is
// the nearest folder above the running module with goheap's package.json. The running module is tsc's output
// (dist/lib/..., as tests and workers load it) or a chunk of the bundled command line (dist/cli/chunks/..., see
// scripts/bundle-cli.mjs), so no caller may reach a file by a path relative to its own module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder that holds goheap's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'goheap') return (root = dir);
    } catch {
      // No package.json here, or not JSON: look further up.
    }
    if (path.dirname(dir) === dir) throw new Error(`goheap's package.json is not in any folder above ${start}`);
  }
}

/** A file of the package by its path from the root: packageFile('dist/lib/session/open-worker.js'). */
export function packageFile(relative: string): string {
  return path.join(packageRoot(), relative);
}

/** The compiled module of a source file (tsc's output, which the workers run): compiledFile('lib/session/open-worker.js'). */
export function compiledFile(relative: string): string {
  return packageFile(path.join('dist', relative));
}

/** The version in goheap's package.json, or 'unknown' if it cannot be read. */
export function goheapVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
