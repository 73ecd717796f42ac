// `goheap info` as a user runs it: a child process, JSON keys and values, and one-line errors with exit status 1.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GO_VERSIONS, ROOT, scratchDir, zooDump, zooFacts } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

export function goheap(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const REQUIRED_KEYS = ['format', 'goVersion', 'arch', 'ptrSize', 'objects', 'objectBytes', 'edges', 'reachableObjects',
  'reachableBytes', 'unreachableObjects', 'unreachableBytes', 'goroutines', 'frames', 'threads', 'finalizers',
  'queuedFinalizers', 'defers', 'panics', 'itabs', 'memProfBuckets', 'allocSamples', 'memstats'];

describe('cli: goheap info', function () {
  for (const version of GO_VERSIONS) {
    it(`go${version}: --json has every key, with the program's Go version and counts`, function () {
      const r = goheap('info', zooDump(version), '--json');
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      const j = JSON.parse(r.stdout);
      for (const k of REQUIRED_KEYS) expect(j, k).to.have.property(k);
      const f = zooFacts(version);
      expect(j.format).to.equal('go1.7 heap dump');
      expect(j.goVersion).to.equal(f.goVersion);
      expect(j.arch).to.equal(f.goarch);
      expect(j.ptrSize).to.equal(f.ptrSize);
      expect(j.frames).to.be.at.least(f.counts.Parked * (f.counts.Depth + 1));
      expect(j.unreachableObjects).to.be.at.least(f.counts.Garbage);
      expect(j.queuedFinalizers).to.be.at.least(f.counts.Doomed);
      expect(j.panics).to.equal(1);
      expect(j.memstats).to.have.property('HeapAlloc');
      expect(j.memstats.PauseNs).to.have.length(256);
      expect(typeof j.memstats.LastGC === 'string' || typeof j.memstats.LastGC === 'number').to.equal(true);
    });
  }

  it('prints a readable summary without --json', function () {
    const r = goheap('info', zooDump('1.26'));
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/Go version\s+go1\.26\.\d+/);
    expect(r.stdout).to.match(/unreachable\s+[\d,]+ objects/);
  });

  it('keeps stderr quiet when it is not a terminal, and with --quiet', function () {
    expect(goheap('info', zooDump('1.26')).stderr).to.equal('');
    expect(goheap('info', zooDump('1.26'), '--quiet').stderr).to.equal('');
  });

  it('fails with one line naming the file and offset, exit 1, no stack trace', function () {
    const dir = scratchDir('cli-errors');
    const good = fs.readFileSync(zooDump('1.21'));
    const cut = path.join(dir, 'cut.dump');
    fs.writeFileSync(cut, good.subarray(0, 123457));
    const text = path.join(dir, 'text.dump');
    fs.writeFileSync(text, 'not a dump\n');
    const old = path.join(dir, 'old.dump');
    fs.writeFileSync(old, Buffer.concat([Buffer.from('go1.4 heap dump\n'), good.subarray(16, 100)]));
    const cases: [string[], RegExp][] = [
      [['info', path.join(dir, 'missing.dump')], /^goheap: .*missing\.dump: no such file\n$/],
      [['info', dir], /^goheap: .*cli-errors: not a regular file \(a directory\)\n$/],
      [['info', cut], /^goheap: .*cut\.dump: offset \d+: .*(end of file|runs past the end).*\n$/],
      [['info', text], /^goheap: .*text\.dump: offset 0: the 16-byte header .*\n$/],
      [['info', old], /^goheap: .*old\.dump: offset 0: .*unsupported dump version go1\.4\n$/],
      [['info', cut, '--json'], /^goheap: .*cut\.dump: offset \d+: /],
    ];
    for (const [args, re] of cases) {
      const r = goheap(...args);
      expect(r.status, args.join(' ')).to.equal(1);
      expect(r.stderr, args.join(' ')).to.match(re);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stderr).to.not.match(/\n\s+at /);
      expect(r.stdout).to.equal('');
    }
    expect(fs.readFileSync(cut).length).to.equal(123457);
  });

  it('rejects unknown commands and options as usage errors', function () {
    const r = goheap('frobnicate');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: /);
    const o = goheap('info', zooDump('1.26'), '--bogus-flag');
    expect(o.status).to.equal(1);
    expect(o.stderr).to.match(/^goheap: .*bogus-flag/i);
  });
});

describe('cli: progress on a terminal', function () {
  // util-linux `script` gives the command a pseudo-terminal; its output is what the terminal showed.
  function inTerminal(args: string[]): string {
    const cmd = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', `${cmd} > /dev/null`, '/dev/null'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  }

  it('shows progress on stderr when it is a terminal, and nothing with --quiet or --json', function () {
    // A window-sized step of progress is 64 MB: a fixture never reaches it, so only the final lines show.
    const shown = inTerminal(['info', zooDump('1.26'), '--no-cache']);
    expect(shown).to.match(/goheap: reading records 100%/);
    expect(shown).to.match(/goheap: resolving roots/);
    expect(shown.endsWith('\r\x1b[K')).to.equal(true);
    expect(inTerminal(['info', zooDump('1.26'), '--no-cache', '--quiet'])).to.not.include('goheap:');
    expect(inTerminal(['info', zooDump('1.26'), '--no-cache', '--json'])).to.not.include('goheap:');
  });
});
