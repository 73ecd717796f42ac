// The committed fixtures as tests see them: unpacked under .cache/fixtures by `make unpack`, with the facts each
// Go program printed about its own heap.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Tests and the goheap processes they start keep persisted indexes in a scratch folder, not the user's cache.
process.env.GOHEAP_CACHE_DIR ??= path.join(ROOT, '.cache/test-index');
/**
 * That folder: the index of each fixture dump is written by the first test that opens it and read by the others, so
 * tests that only read share it (test/support/global-setup.ts empties .cache/test-index at the start of a full run).
 */
export const SHARED_INDEX: string = process.env.GOHEAP_CACHE_DIR;
export const GO_VERSIONS = ['1.19', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26'];
export const DUMPS = ['heap1', 'heap2'];

export interface ZooFacts {
  goVersion: string;
  goarch: string;
  ptrSize: number;
  sizes: Record<string, number>;
  counts: Record<string, number>;
  addresses: {
    ListHead: string; BigObj: string; GarbageHead: string; Sessions: string[]; Finalized: string[]; Queued: string[];
    Mediums: string[]; MarkerData: string; Pipe: string; ListHeadGlobal: string; LeakyCacheGlobal: string;
  };
  marker: string;
  recurseFunc: string;
}

export function zooDir(version: string): string {
  const dir = path.join(ROOT, '.cache/fixtures/zoo', `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) {
    throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack' (or 'make test')`);
  }
  return dir;
}

export function zooDump(version: string, dump = 'heap1'): string {
  return path.join(zooDir(version), `${dump}.dump`);
}

export function zooBinary(version: string): string {
  return path.join(zooDir(version), 'zoo');
}

export function zooFacts(version: string): ZooFacts {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/zoo', `go${version}`, 'facts.json'), 'utf8')) as ZooFacts;
}

/** Parses "0x..." as a number (addresses fit in 2^53). */
export function addr(hex: string): number {
  return Number.parseInt(hex, 16);
}

/** A scratch directory for this test run. */
export function scratchDir(name: string): string {
  const dir = path.join(ROOT, '.cache/test-scratch', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Go's malloc header word on 1.22+ for pointerful objects above 512 bytes. */
export function hasMallocHeaders(version: string): boolean {
  return Number(version.split('.')[1]) >= 22;
}
