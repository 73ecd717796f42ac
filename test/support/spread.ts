// fixtures/spread (unpacked under .cache/fixtures/spread): paths and the facts the program printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures.js';

export const SPREAD_VERSIONS = ['1.19', '1.22', '1.26'];

interface Stat { count: number; bytes: number }
type Live = Record<'subscriptions' | 'profiles' | 'handlers' | 'subscriptionsAlone' | 'entries' | 'values' | 'entriesAlone' | 'jobs' | 'payloads' | 'jobsAlone' | 'scratch', Stat>;
export interface SpreadFacts { heap1: Live; heap2: Live; sizes: Record<string, number> }

export function spreadDir(version: string): string {
  const dir = path.join(ROOT, '.cache/fixtures/spread', `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
  return dir;
}
export const spreadDump = (v: string, d: string): string => path.join(spreadDir(v), `${d}.dump`);
export const spreadBinary = (v: string): string => path.join(spreadDir(v), 'spread');
export const spreadFacts = (v: string): SpreadFacts => JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/spread', `go${v}`, 'facts.json'), 'utf8')) as SpreadFacts;

