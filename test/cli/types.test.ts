// `goheap types` and `goheap info` with a binary, as a user runs them: a child process, JSON and table output,
// one-line errors for a mismatched or non-ELF binary.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GO_VERSIONS, ROOT, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

function goheap(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: goheap types', function () {
  this.timeout(60000);
  for (const version of GO_VERSIONS) {
    it(`go${version}: --json histogram has the program's own type counts, sorted by bytes`, function () {
      const r = goheap('types', zooDump(version, 'heap2'), zooBinary(version), '--json');
      expect(r.status, r.stderr).to.equal(0);
      const j = JSON.parse(r.stdout);
      const f = zooFacts(version);
      const byName = new Map<string, { count: number; bytes: number }>(j.types.map((t: { name: string; count: number; bytes: number }) => [t.name, t]));
      expect(byName.get('main.Node')?.count).to.equal(f.counts.Node);
      expect(byName.get('main.Session')?.count).to.equal(f.counts.Session2);
      expect(byName.get('main.Big')?.count).to.equal(f.counts.Big);
      for (let k = 1; k < j.types.length; k++) expect(j.types[k - 1].bytes).to.be.at.least(j.types[k].bytes);
      for (const key of ['typedObjects', 'typedBytes', 'reachableBytes', 'reachableObjects']) expect(j, key).to.have.property(key);
      expect(j.typedBytes).to.be.greaterThan(0);
    });
  }

  it('--limit and the aligned table', function () {
    const r = goheap('types', zooDump('1.26'), zooBinary('1.26'), '--limit', '5');
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^\s*BYTES\s+OBJECTS\s+RETAINED\s+TYPE$/);
    expect(lines).to.have.length(1 + 5 + 2);
    const col = lines[0].indexOf('TYPE');
    for (const l of lines.slice(1, 6)) expect(l[col - 1]).to.equal(' ');
    expect(lines[7]).to.match(/^typed: /);
  });

  it('without a binary: untyped names by size class', function () {
    const r = goheap('types', zooDump('1.22'), '--json');
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout);
    expect(j.typedObjects).to.equal(0);
    for (const t of j.types) expect(t.name).to.match(/^untyped \(size class \d+\)$/);
    // Reachable objects by default (issue 14: garbage not yet freed is no part of the histogram); --all counts all.
    expect(j.types.reduce((s: number, t: { count: number }) => s + t.count, 0)).to.equal(j.reachableObjects);
    const all = JSON.parse(goheap('types', zooDump('1.22'), '--json', '--all').stdout);
    expect(all.types.reduce((s: number, t: { count: number }) => s + t.count, 0)).to.equal(all.objects);
  });

  it('a binary of another Go version: BinaryMismatchError, one line, exit 1', function () {
    const r = goheap('types', zooDump('1.26'), zooBinary('1.21'));
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal(`goheap: ${zooBinary('1.21')}: does not match ${zooDump('1.26')} (${r.stderr.split('(').slice(1).join('(').trim().slice(0, -1)})\n`);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^goheap: .*zoo: does not match .*heap1\.dump \(data segment at 0x[0-9a-f]+/);
  });

  it('a non-ELF binary: one-line ElfError, exit 1', function () {
    const dir = scratchDir('types-cli');
    const bogus = path.join(dir, 'not-elf');
    fs.writeFileSync(bogus, 'this is not an executable\n');
    const r = goheap('types', zooDump('1.26'), bogus);
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^goheap: .*not-elf/);
  });

  it('info with a binary adds typedObjects and typedBytes', function () {
    const r = goheap('info', zooDump('1.24'), zooBinary('1.24'), '--json');
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout);
    expect(j.typedObjects).to.be.greaterThan(0.9 * j.reachableObjects);
    expect(j.typedBytes).to.be.greaterThan(0.9 * j.reachableBytes);
    const plain = JSON.parse(goheap('info', zooDump('1.24'), '--json').stdout);
    expect(plain).not.to.have.property('typedObjects');
  });
});
