// `dumptohprof` as a user runs it: installed on PATH the way the README says (`npm install -g` of the checkout, here
// into a temporary prefix), usage DUMP [BINARY] heap.hprof; it never writes over its input and leaves no temporary
// file behind; bad input ends as one line with exit status 1.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';
import { readHprof } from './hprof-reader.js';

describe('cli: dumptohprof on PATH', function () {
  this.timeout(180000);
  const dir = scratchDir('hprof-cli');
  const prefix = path.join(dir, 'prefix');
  let env: NodeJS.ProcessEnv;

  before(() => {
    const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', ROOT], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    env = { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
  });

  const run = (...args: string[]) => spawnSync('dumptohprof', args, { encoding: 'utf8', env, cwd: dir });

  it('writes DUMP BINARY heap.hprof that VisualVM-style readers parse, with the Go types as classes', () => {
    const out = path.join(dir, 'heap.hprof');
    const r = run(zooDump('1.26'), zooBinary('1.26'), out, '--quiet');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    const f = readHprof(out);
    expect(f.idSize).to.equal(8);
    const names = new Set([...f.classes.values()].map((c) => c.name));
    for (const n of ['main.Node', 'main.Session', 'main.Big', 'java.lang.Object', 'java.lang.ref.Reference', 'main']) expect(names.has(n), n).to.equal(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
  });

  it('works without the binary (objects named by size class) and through `goheap hprof`', () => {
    const out = path.join(dir, 'untyped.hprof');
    const r = spawnSync('goheap', ['hprof', zooDump('1.26'), out, '--quiet'], { encoding: 'utf8', env, cwd: dir });
    expect(r.status, r.stderr).to.equal(0);
    const f = readHprof(out);
    const names = [...f.classes.values()].map((c) => c.name);
    expect(names.some((n) => n.startsWith('untyped (size class 32'))).to.equal(true);
    expect(names.some((n) => n.startsWith('main.'))).to.equal(false);
  });

  it('refuses to write over its input, says so in one line, leaves the dump as it was', () => {
    const dump = path.join(dir, 'copy.dump');
    fs.copyFileSync(zooDump('1.26'), dump);
    const before = fs.readFileSync(dump);
    for (const args of [[dump, dump], [dump, zooBinary('1.26'), dump]]) {
      const r = run(...args);
      expect(r.status).to.equal(1);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(/^goheap: .*copy\.dump: refusing to write over the input/);
    }
    expect(fs.readFileSync(dump).equals(before)).to.equal(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
  });

  it('never replaces a file that is not HPROF (DUMP BINARY with the output forgotten); "-" is stdout', () => {
    const bin = path.join(dir, 'mybinary');
    fs.copyFileSync(zooBinary('1.26'), bin);
    const before = fs.readFileSync(bin);
    const r = run(zooDump('1.26'), bin);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*mybinary: exists and is not an HPROF file; refusing to replace it/);
    expect(fs.readFileSync(bin).equals(before)).to.equal(true);
    // An older HPROF is replaced.
    const out = path.join(dir, 'again.hprof');
    expect(run(zooDump('1.26'), bin, out, '-q').status).to.equal(0);
    expect(run(zooDump('1.26'), bin, out, '-q').status).to.equal(0);
    // "-": stdout, the binary kept as the binary.
    const piped = spawnSync('dumptohprof', [zooDump('1.26'), bin, '-'], { env, cwd: dir, maxBuffer: 1 << 28 });
    expect(piped.status).to.equal(0);
    expect(piped.stdout.toString('latin1', 0, 18)).to.equal('JAVA PROFILE 1.0.2');
    expect(piped.stdout.length).to.equal(fs.statSync(out).size);
    expect(fs.readFileSync(bin).equals(before)).to.equal(true);
  });

  it('bad input: a file that is not a dump, too many names: one line, exit 1, no output file', () => {
    const notDump = path.join(dir, 'not.dump');
    fs.writeFileSync(notDump, 'hello, this is not a heap dump\n');
    const out = path.join(dir, 'bad.hprof');
    const r = run(notDump, out);
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^goheap: .*not\.dump: offset \d+: /);
    expect(fs.existsSync(out)).to.equal(false);
    const u = run(zooDump('1.26'), zooBinary('1.26'), out, 'extra');
    expect(u.status).to.equal(1);
    expect(u.stderr).to.match(/^goheap: expected DUMP \[BINARY\] OUTPUT/);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
  });
});
