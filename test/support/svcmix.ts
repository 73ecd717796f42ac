// fixtures/svcmix (unpacked under .cache/fixtures/svcmix): paths and the facts the program printed about its heap.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures.js';

export const SVCMIX_VERSIONS = ['1.22', '1.26'];

export interface Stat { count: number; bytes: number }
export interface BlockedGroup { function: string; reason: string; count: number; holds: string; bodySize: number; heldBytes: number }
export interface SvcmixDumpFacts {
  types: Record<string, Stat>;
  goroutines: BlockedGroup[];
  maps: Record<string, number>;
  alone: Record<'cacheItems' | 'messages' | 'sessions', Stat>;
  messages: { count: number; subscribers: number; payload: number };
}
export interface SvcmixFacts {
  goVersion: string;
  heap1: SvcmixDumpFacts;
  heap2: SvcmixDumpFacts;
  timers: { newTimer: number; newTicker: number; afterFunc: number; timerSize: number; tickerSize: number };
  static: Record<string, { type: string; size: number }>;
  sizes: Record<string, number>;
  sharedBy: Record<string, string[]>;
}

export function svcmixDir(version: string): string {
  const dir = path.join(ROOT, '.cache/fixtures/svcmix', `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
  return dir;
}
export const svcmixDump = (v: string, d: string): string => path.join(svcmixDir(v), `${d}.dump`);
export const svcmixBinary = (v: string): string => path.join(svcmixDir(v), 'svcmix');
export const svcmixFacts = (v: string): SvcmixFacts =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/svcmix', `go${v}`, 'facts.json'), 'utf8')) as SvcmixFacts;
