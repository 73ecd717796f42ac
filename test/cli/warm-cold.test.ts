// Every command with --json, on every fixture dump, first with an empty index (cold) and then from the index the
// first run wrote (warm): the outputs must be byte-identical. The index is a cache, never a second answer. The warm
// runs read the index section by section (GOHEAP_INDEX_EAGER_BYTES=0: each array read when first used, as on a large
// dump), without the answers the cold run kept; the summary commands run a third time, answering from the derived
// indexes and the answers the second run kept.
// One Go version per era of what the index holds: 1.19 (the 1.18 pclntab, no malloc headers, classic maps), 1.22
// (the 1.20 pclntab, malloc headers), 1.26 (Swiss maps, the newest runtime). The versions between add nothing here:
// the index is written and read by the same code for every version, and test/session/session.test.ts checks a warm
// open against a cold one, answer by answer, on every version.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');
const VERSIONS = ['1.19', '1.22', '1.26'];

function run(cacheDir: string, args: string[], lazy = false): string {
  const env = { ...process.env, GOHEAP_CACHE_DIR: cacheDir, ...(lazy ? { GOHEAP_INDEX_EAGER_BYTES: '0' } : {}) };
  const r = spawnSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', env });
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** The commands run on one zoo dump: each with the binary, and the summary ones without it too. */
function commands(version: string, dump: string): string[][] {
  const bin = zooBinary(version);
  const f = zooFacts(version);
  const session = f.addresses.Sessions[0];
  const other = zooDump(version, dump === zooDump(version, 'heap1') ? 'heap2' : 'heap1');
  return [
    ['info', dump], ['info', dump, bin], ['types', dump], ['types', dump, bin], ['top', dump, bin], ['roots', dump, bin],
    ['suspects', dump, bin], ['path', dump, bin, session], ['object', dump, bin, session], ['object', dump, bin, f.addresses.ListHead],
    ['diff', other, dump, bin], ['goroutines', dump, bin], ['goroutines', dump, bin, '--all'], ['instances', dump, bin, 'main.Node'],
    ['allocs', dump, bin], ['object', dump, bin, 'main.ListHead'],
  ];
}

describe('cli: cold and warm runs print the same JSON', function () {
  this.timeout(600000);
  for (const version of VERSIONS) {
    // heap2 of every version (heap1 is the same program earlier; the diff command reads both).
    for (const which of ['heap2']) {
      it(`go${version} ${which}`, function () {
        const dump = zooDump(version, which);
        const cacheDir = scratchDir(`warm-cold-${version}-${which}`);
        for (const args of commands(version, dump)) {
          // Cold: the command's own first open of this dump (and binary) writes the index; warm: reads it.
          fs.rmSync(cacheDir, { recursive: true, force: true });
          const cold = run(cacheDir, args);
          expect(fs.readdirSync(cacheDir).length, args.join(' ')).to.be.above(0);
          // The answers the cold run kept (HeapSession.keptAnswer) are set aside first: this warm run computes its
          // answer from the index's arrays, as a warm run of another question would.
          for (const f of fs.readdirSync(cacheDir)) if (f.includes('.answer-')) fs.rmSync(path.join(cacheDir, f));
          const warm = run(cacheDir, args, true);
          expect(warm, args.join(' ')).to.equal(cold);
          if (['info', 'types', 'top', 'roots', 'suspects', 'goroutines'].includes(args[0])) {
            expect(run(cacheDir, args, true), `${args.join(' ')} (third run)`).to.equal(cold);
          }
        }
      });
    }
  }
});
