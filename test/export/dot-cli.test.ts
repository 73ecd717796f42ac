// `dumptodot` and `goheap dot` as a user runs them: the package installed the way the README says (`npm install -g`
// of the checkout, here into a temporary prefix), every bin of package.json on PATH; DOT on stdout or in -o FILE,
// what was cut on stderr; bad input and bad arguments end as one line with exit status 1, leaving no file behind and
// never writing over the input.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { readSvg, renderWithDot } from './dot-svg.js';

describe('cli: dumptodot on PATH', function () {
  this.timeout(300000);
  const dir = scratchDir(`dot-cli-${process.pid}`);
  const prefix = path.join(dir, 'prefix');
  let env: NodeJS.ProcessEnv;
  const leftovers = (): string[] => fs.readdirSync(dir).filter((n) => n.includes('.goheap-'));

  before(() => {
    const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', ROOT], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    env = { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
  });

  const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', env, cwd: dir, maxBuffer: 1 << 28 });

  it('installs every bin of package.json, each of which answers --help', () => {
    const bins = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
    expect(bins).to.include.members(['goheap', 'dumptodot']);
    for (const bin of bins) {
      expect(fs.existsSync(path.join(prefix, 'bin', bin)), bin).to.equal(true);
      const r = run(bin, '--help');
      expect(r.status, `${bin}: ${r.stderr}`).to.equal(0);
      expect(r.stdout, bin).to.match(new RegExp(`^${bin}|Usage|usage`, 'm'));
    }
  });

  it('dumptodot DUMP BINARY > heap.dot: DOT on stdout that dot renders, what was cut on stderr', () => {
    const r = run('dumptodot', zooDump('1.26'), zooBinary('1.26'), '--max-nodes', '50');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.startsWith('digraph "heap" {\n')).to.equal(true);
    expect(r.stdout.endsWith('}\n')).to.equal(true);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).to.match(/^goheap: dot: folded [\d,]+ objects \([\d,]+ B\) into \d+ nodes of siblings of one type and \d+ chains$/);
    expect(lines[1]).to.match(/^goheap: dot: drew the top \d+ objects and \d+ root nodes of the dominator tree; collapsed/);
    expect(lines[2]).to.match(/^goheap: dot: garbage drawn as one node: [\d,]+ objects, [\d,]+ B$/);
    const file = path.join(dir, 'stdout.dot');
    fs.writeFileSync(file, r.stdout);
    const items = readSvg(renderWithDot(file));
    expect(items.some((x) => x.lines[0] === 'main.Big' && x.lines[1] === zooFacts('1.26').addresses.BigObj)).to.equal(true);
  });

  it('goheap dot DUMP -o FILE works without the binary (objects named by size class)', () => {
    const out = path.join(dir, 'untyped.dot');
    const r = run('goheap', 'dot', zooDump('1.26'), '-o', out, '--max-nodes', '100', '--quiet');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    const items = readSvg(renderWithDot(out));
    expect(items.some((x) => /^untyped/.test(x.lines[0] ?? ''))).to.equal(true);
    expect(items.some((x) => (x.lines[0] ?? '').startsWith('main.'))).to.equal(false);
    expect(leftovers()).to.deep.equal([]);
  });

  it('a dump cut short ends as one line naming the file and offset, exit 1, no output file', () => {
    const cut = path.join(dir, 'cut.dump');
    const whole = fs.readFileSync(zooDump('1.26'));
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = path.join(dir, 'never.dot');
    const r = run('dumptodot', cut, '-o', out, '--no-cache');
    expect(r.status).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^goheap: .*cut\.dump: offset \d+: /);
    expect(fs.existsSync(out)).to.equal(false);
    expect(leftovers()).to.deep.equal([]);
  });

  it('refuses to write over its input; bad arguments are one line each', () => {
    const dump = path.join(dir, 'copy.dump');
    fs.copyFileSync(zooDump('1.26'), dump);
    const before = fs.readFileSync(dump);
    const cases: [string[], RegExp][] = [
      [[dump, '-o', dump], /^goheap: .*copy\.dump: refusing to write over the input/],
      [[dump, zooBinary('1.26'), '-o', zooBinary('1.26')], /^goheap: .*zoo: refusing to write over the input/],
      [[dump, zooBinary('1.26'), '--focus', 'main.NoSuchGlobal', '-o', path.join(dir, 'x.dot')], /^goheap: .*no global named "main.NoSuchGlobal"/],
      [[dump, zooBinary('1.26'), '--focus', '0x10', '-o', path.join(dir, 'x.dot')], /^goheap: .*no heap object at 0x10$/],
      [[dump, '--all', '--focus', '0x10', '-o', path.join(dir, 'x.dot')], /^goheap: --all and --focus: choose one$/],
      [[dump, '--all', '--by-type', '--focus', '0x10', '-o', path.join(dir, 'x.dot')], /^goheap: --focus and --by-type: choose one$/],
      [[dump, '--max-nodes', 'many', '-o', path.join(dir, 'x.dot')], /^goheap: --max-nodes: expected a whole number >= 1/],
      [[dump, '-o', dir], /^goheap: .*: is a folder; name a file to write$/],
    ];
    for (const [args, re] of cases) {
      const r = run('dumptodot', ...args);
      expect(r.status, args.join(' ')).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.match(re);
    }
    expect(fs.readFileSync(dump).equals(before)).to.equal(true);
    expect(fs.existsSync(path.join(dir, 'x.dot'))).to.equal(false);
    expect(leftovers()).to.deep.equal([]);
  });
});
