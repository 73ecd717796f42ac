#!/usr/bin/env node
// Bundles the command lines (dist/cli/goheap.js, dumptodot.js, dumptohprof.js, as tsc wrote them) in place, with
// esbuild: each becomes one module plus shared chunks in dist/cli/chunks/, and each command's own code stays in a
// chunk of its own that only that command loads. Node resolves and instantiates every ES module of a program one by
// one, about half a millisecond each: a warm `goheap info` loaded ~180 of them (goheap's and yargs') and spent
// two thirds of its 0.3 s doing so. Bundled, it loads a handful.
//
// yargs and its helpers are bundled (every command loads them). The other runtime dependencies stay as they are
// installed: only the commands that use them load them, and some find their own files by path (fastify's logger,
// Graphviz's WebAssembly). The workers a cold open starts run tsc's output (dist/lib/session/*-worker.js, the loader's
// dist/lib/graph/load-worker.js, type recovery's dist/lib/typing/edge-words-worker.js), so
// modules find goheap's files from the package root (lib/package-files.ts), never relative to themselves.
// `make build` runs tsc, then this; dist/cli/*.js as tsc wrote them also run (slower to start).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BUNDLED = new Set(['yargs']);

const outdir = join(root, 'dist', 'cli');
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['goheap', 'dumptodot', 'dumptohprof'].map((n) => join(outdir, `${n}.js`)),
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((n) => !BUNDLED.has(n)),
  // tsc's source maps are read and carried through: stack traces (node --enable-source-maps) name the .ts lines.
  sourcemap: true,
  logLevel: 'warning',
});
