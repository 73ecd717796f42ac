// CLI hygiene, as a user meets it: `goheap` alone, --version, `goheap help CMD`; --limit/-n the same on every
// listing command (a whole number >= 0, 0 = all) and every numeric option checked with a one-line error; errors of
// the input (dump, executable, DWARF) as one line naming the file with exit status 1, by class; internal bugs keep
// exit status 2. The real CLI on real fixtures; DWARF damage located independently by readelf.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError, UsageError } from '../../cli/errors.js';
import { GoheapError } from '../../lib/errors.js';
import { DumpFileError, HeapDumpError } from '../../lib/dump/index.js';
import { DwarfData, DwarfError } from '../../lib/dwarf/index.js';
import { ElfError, ElfFile } from '../../lib/elf/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { IndexFileError } from '../../lib/store/index.js';
import { BinaryMismatchError } from '../../lib/typing/index.js';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');
/** Commands that must exist; the usage may list more (the full list is read from it). */
const KNOWN = ['info', 'types', 'object', 'top', 'roots', 'path', 'suspects', 'diff'];

function goheap(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, GOHEAP_CACHE_DIR: path.join(ROOT, '.cache/test-index/hygiene') },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const runs = new Map<string, { status: number | null; stdout: string; stderr: string }>();

/** goheap() for a run several tests of this file read (the usage, a command's help, a listing): it runs once. */
function goheapShared(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const key = JSON.stringify(args);
  if (!runs.has(key)) runs.set(key, goheap(...args));
  return runs.get(key)!;
}

function json(...args: string[]): any {
  const r = goheap(...args, '--json');
  expect(r.status, `goheap ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return JSON.parse(r.stdout);
}

function sharedJson(...args: string[]): any {
  const r = goheapShared(...args, '--json');
  expect(r.status, `goheap ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return JSON.parse(r.stdout);
}

/** A one-line error with exit status 1 and nothing on stdout. */
function expectOneLine(r: { status: number | null; stdout: string; stderr: string }, line: string | RegExp): void {
  expect(r.status, r.stderr).to.equal(1);
  expect(r.stdout).to.equal('');
  expect(r.stderr.split('\n'), r.stderr).to.have.length(2); // one line and its newline
  if (typeof line === 'string') expect(r.stderr).to.equal(`${line}\n`);
  else expect(r.stderr).to.match(line);
}

describe('cli: hygiene', function () {
  this.timeout(300_000);
  const dump = zooDump('1.26');
  const dump2 = zooDump('1.26', 'heap2');
  const bin = zooBinary('1.26');

  describe('usage, version, help', () => {
    let commands: string[] = [];

    it('goheap alone prints the usage with every command on stdout, exit 1', () => {
      const r = goheapShared();
      expect(r.status).to.equal(1);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/^goheap <command> DUMP \[BINARY\] \[options\]/);
      commands = [...r.stdout.matchAll(/^ {2}goheap (\w+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
      expect(commands).to.include.members(KNOWN);
      expect(r.stdout).to.include('goheap help [command]');
    });

    it('goheap --version prints the version of package.json', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const r = goheap('--version');
      expect(r.status).to.equal(0);
      expect(r.stdout).to.equal(`${pkg.version}\n`);
    });

    it('goheap help CMD prints what goheap CMD --help prints, for every command', () => {
      expect(commands).to.include.members(KNOWN);
      for (const c of commands) {
        const a = goheap('help', c);
        const b = goheapShared(c, '--help');
        expect(a.status, `${c}: ${a.stderr}`).to.equal(0);
        expect(a.stdout).to.equal(b.stdout);
        expect(a.stdout).to.match(new RegExp(`^goheap ${c} `));
      }
      const all = goheap('help');
      expect(all.status).to.equal(0);
      expect(all.stdout).to.equal(goheap('--help').stdout);
    });

    it('a missing argument says what the command takes; object without the binary says it needs one', () => {
      expectOneLine(goheap('object', dump, '0x1'), 'goheap: object needs the executable that wrote the dump: goheap object DUMP BINARY ADDRESS');
      expectOneLine(goheap('info'), 'goheap: info: expected <dump> [binary], got 0 arguments (goheap help info)');
      expectOneLine(goheap('diff', dump), 'goheap: diff: expected <base> <dump> [binary], got 1 argument (goheap help diff)');
      expectOneLine(goheap('rots', dump), 'goheap: no command "rots"; did you mean roots? (goheap --help lists the commands)');
    });

    it('goheap help with an unknown command says which commands exist', () => {
      expectOneLine(goheap('help', 'nope'), `goheap: help: no command "nope"; the commands are ${commands.join(', ')}`);
    });
  });

  describe('--limit / -n', () => {
    const listing: string[][] = [['top', dump], ['roots', dump], ['types', dump], ['diff', dump, dump2]];

    it('is refused the same way on every listing command when it is not a whole number >= 0', () => {
      // Every command whose help offers --limit, with arguments built from its usage line.
      const usage = goheapShared().stdout;
      const withLimit: string[][] = [];
      for (const m of usage.matchAll(/^ {2}goheap (\w+) ([^\n]*?) {2,}/gm)) {
        if (m[1] === 'help' || !goheapShared(m[1], '--help').stdout.includes('--limit')) continue;
        const args = [m[1]];
        for (const tok of m[2].split(' ')) {
          const name = tok.replace(/[<>[\].]/g, '');
          if (tok.startsWith('[') && name !== 'binary') continue;
          args.push(name === 'base' ? dump : name === 'dump' ? dump2 : name.startsWith('binary') ? bin : name === 'type' ? 'main.Session' : '0x1');
        }
        withLimit.push(args);
      }
      expect(withLimit.map((c) => c[0])).to.include.members(listing.map((c) => c[0]));
      for (const cmd of withLimit) {
        const bad = [['--limit', 'abc', '"abc"'], ['--limit', '-3', '"-3"'], ['-n', '1.5', '"1.5"']];
        if (cmd[0] === 'roots') bad.push(['--limit', '', '""'], ['-n', '1e400', '"1e400"'], ['-n', '0x10', '"0x10"']);
        for (const [flag, v, shown] of bad) {
          expectOneLine(goheap(...cmd, flag, v, '--no-cache'),
            `goheap: --limit: expected a whole number >= 0 (0: all), got ${shown}`);
        }
      }
    });

    it('0 means all rows everywhere: roots -n 0 and top -n 0 list every row, types -n 0 every type', () => {
      const rootsAll = sharedJson('roots', dump, '-n', '0').roots;
      expect(rootsAll.length).to.be.above(20); // more than the default page
      expect(json('roots', dump, '--limit', '1000000').roots).to.deep.equal(rootsAll);
      const topAll = sharedJson('top', dump, '-n', '0').objects;
      expect(topAll.length).to.be.above(20);
      expect(json('top', dump, '-n', '1000000').objects).to.deep.equal(topAll);
      const typesAll = json('types', dump, bin, '-n', '0').types;
      expect(json('types', dump, bin).types).to.deep.equal(typesAll); // types defaults to all
      const d = sharedJson('diff', dump, dump2, '-n', '0');
      expect(json('diff', dump, dump2, '-n', '1000000')).to.deep.equal(d);
    });

    it('N means the first N rows, with -n and --limit alike (types takes -n too)', () => {
      const typesAll = json('types', dump, bin, '--limit', '0').types;
      expect(typesAll.length).to.be.above(3);
      expect(json('types', dump, bin, '-n', '3').types).to.deep.equal(typesAll.slice(0, 3));
      expect(json('types', dump, bin, '--limit', '3').types).to.deep.equal(typesAll.slice(0, 3));
      const rootsAll = sharedJson('roots', dump, '-n', '0').roots;
      expect(json('roots', dump, '-n', '2').roots).to.deep.equal(rootsAll.slice(0, 2));
      const topAll = sharedJson('top', dump, '-n', '0').objects;
      expect(json('top', dump, '--limit', '5').objects).to.deep.equal(topAll.slice(0, 5));
      const d = sharedJson('diff', dump, dump2, '-n', '0');
      const d2 = json('diff', dump, dump2, '-n', '2');
      expect(d2.types).to.deep.equal(d.types.slice(0, 2));
      expect(d2.roots).to.deep.equal(d.roots.slice(0, 2));
    });
  });

  describe('other numeric options', () => {
    it('--threshold must be a number from 0 to 1', () => {
      for (const [v, shown] of [['-1', '"-1"'], ['1.5', '"1.5"'], ['abc', '"abc"'], ['', '""']]) {
        expectOneLine(goheap('suspects', dump, '--threshold', v), `goheap: --threshold: expected a number from 0 to 1, got ${shown}`);
      }
      const ok = goheap('suspects', dump, '--threshold', '0.5', '--json');
      expect(ok.status, ok.stderr).to.equal(0);
      expect(JSON.parse(ok.stdout).threshold).to.equal(0.5);
    });
  });

  describe('errors by class', () => {
    it('a DWARF error names the binary, the section and the offset readelf also reports, exit 1', () => {
      const dir = scratchDir('hygiene-dwarf');
      const plain = path.join(dir, 'zoo');
      expect(spawnSync('objcopy', ['--decompress-debug-sections', bin, plain]).status).to.equal(0);
      const elf = ElfFile.open(plain);
      const info = elf.section('.debug_info')!;
      const firstDie = new DwarfData((n) => elf.sectionData(n), true).units()[0].firstDie;
      elf.close();
      const bad = Buffer.from(fs.readFileSync(plain));
      bad[info.offset + firstDie] = 0x7f; // no abbreviation 127 in Go's table
      const damaged = path.join(dir, 'zoo-bad');
      fs.writeFileSync(damaged, bad, { mode: 0o755 });
      const re = spawnSync('readelf', ['--debug-dump=info', damaged], { encoding: 'utf8', maxBuffer: 256 << 20 });
      const m = /DIE at offset 0x([0-9a-f]+) refers to abbreviation number 127/.exec(re.stdout + re.stderr);
      expect(m, 'readelf finds the damage').to.not.equal(null);
      expect(Number.parseInt(m![1], 16)).to.equal(firstDie);
      expectOneLine(goheap('types', dump, damaged, '--no-cache'),
        `goheap: ${damaged}: .debug_info: offset 0x${firstDie.toString(16)}: unknown abbreviation code 127`);
    });

    it('an ELF cut short and another program\'s executable: one line naming the binary, exit 1', () => {
      const dir = scratchDir('hygiene-elf');
      const cut = path.join(dir, 'zoo-cut');
      fs.writeFileSync(cut, fs.readFileSync(bin).subarray(0, 40));
      expectOneLine(goheap('types', dump, cut, '--no-cache'), /^goheap: \S+zoo-cut: truncated ELF header \(need 64 bytes\) at offset 0x28\n$/);
      expectOneLine(goheap('types', dump, zooBinary('1.19'), '--no-cache'), new RegExp(`^goheap: ${zooBinary('1.19')}: does not match ${dump} \\(`));
      expectOneLine(goheap('types', dump, path.join(dir, 'missing'), '--no-cache'), `goheap: ${path.join(dir, 'missing')}: no such file`);
    });

    it('"file changed since it was loaded" is a HeapDumpError: one line, not an internal error', () => {
      const dir = scratchDir('hygiene-changed');
      const copy = path.join(dir, 'heap.dump');
      fs.copyFileSync(dump, copy);
      const g = loadHeapGraph(copy);
      const last = g.objectCount - 1;
      fs.truncateSync(copy, g.objectContentOffset[last]);
      let err: unknown;
      try {
        g.objectContent(last);
      } catch (e) {
        err = e;
      }
      g.close();
      expect(err).to.be.instanceOf(HeapDumpError);
      expect((err as HeapDumpError).message).to.equal(`${copy}: offset ${g.objectContentOffset[last]}: file changed since it was loaded`);
      expect(describeError(err)).to.deep.equal({ message: (err as Error).message, bug: false });
    });

    it('every input error class is a GoheapError (exit 1); anything else is a bug (exit 2, with its stack)', () => {
      const inputErrors = [new HeapDumpError('d', 1, 'x'), new DumpFileError('d', 'no such file'), new ElfError('b', 0, 'bad'),
        new DwarfError('.debug_info', 12, 'bad', 'b'), new IndexFileError('i', 0, 'x'), new BinaryMismatchError('b', 'd', 'x')];
      for (const e of inputErrors) {
        expect(e, e.name).to.be.instanceOf(GoheapError);
        expect(describeError(e), e.name).to.deep.equal({ message: e.message, bug: false });
      }
      expect(new DwarfError('.debug_info', 12, 'bad', 'b').message).to.equal('b: .debug_info: offset 0xc: bad');
      expect(describeError(new UsageError('u'))).to.deep.equal({ message: 'u', bug: false });
      const bug = describeError(new TypeError('x is undefined'));
      expect(bug.bug).to.equal(true);
      expect(bug.message).to.match(/^TypeError: x is undefined\n\s+at /);
      // An error class named like an input error is not one: the class decides, not the name.
      class ElfLikeError extends Error {
        override name = 'ElfParseError';
      }
      expect(describeError(new ElfLikeError('y')).bug).to.equal(true);
    });
  });
});
