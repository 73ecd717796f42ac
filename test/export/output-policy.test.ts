// The output policy of every exporter (lib/export/output.ts) and of the text commands' stdout, as a user meets it:
// the real CLI on real fixtures. An output that is forgotten (DUMP BIN) never replaces the executable; a full disk or
// a file-size limit is one line naming the user's path, exit 1, nothing left; a closed pipe is a quiet success;
// SIGINT/SIGTERM stop an export at once and leave nothing; leftovers of killed runs go; stdout that is an input is
// refused; a symbolic link is written through; numeric and choice options are checked with a message naming them.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';

const GOHEAP = path.join(ROOT, 'dist/cli/goheap.js');
const DUMP = zooDump('1.26', 'heap2');
const BIN = zooBinary('1.26');

const md5 = (f: string): string => createHash('md5').update(fs.readFileSync(f)).digest('hex');

describe('export: one output policy for every exporter and for stdout', function () {
  this.timeout(300000);
  const dir = scratchDir(`output-policy-${process.pid}`);
  const cache = path.join(dir, 'cache');
  const env = { ...process.env, GOHEAP_CACHE_DIR: cache };
  const goheap = (args: string[], opts: { cwd?: string } = {}) => spawnSync('node', [GOHEAP, ...args], { encoding: 'utf8', env, cwd: opts.cwd ?? dir });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('snapshot, pprof, dot and hprof with the executable as output (the output forgotten) never change it', () => {
    const bin = path.join(dir, 'zoo');
    fs.copyFileSync(BIN, bin);
    const before = md5(bin);
    for (const args of [['snapshot', DUMP, bin], ['pprof', DUMP, bin], ['hprof', DUMP, bin], ['dot', DUMP, '-o', bin]]) {
      const r = goheap(args);
      expect([args[0], r.status]).to.deep.equal([args[0], 1]);
      expect(r.stderr).to.match(new RegExp(`^goheap: ${bin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: exists and is not (an HPROF file|a DOT file|a heap snapshot|a gzipped pprof profile); refusing to replace it .*\\n$`));
      expect(md5(bin), args[0]).to.equal(before);
    }
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
    // An older output of the same format is replaced as before.
    const old = path.join(dir, 'old.pb.gz');
    expect(goheap(['pprof', DUMP, BIN, old, '--quiet']).status).to.equal(0);
    expect(goheap(['pprof', DUMP, BIN, old, '--quiet']).status).to.equal(0);
  });

  it('a file-size limit (EFBIG) or a full disk (ENOSPC): one line naming the output, exit 1, nothing left behind', () => {
    const out = path.join(dir, 'full');
    fs.mkdirSync(out);
    const cases: [string, string, number][] = [
      ['hprof', `hprof ${DUMP} ${BIN} ${out}/x.hprof`, 8],
      ['snapshot', `snapshot ${DUMP} ${BIN} ${out}/x.heapsnapshot`, 8],
      ['dot', `dot ${DUMP} ${BIN} --all -o ${out}/x.dot`, 8],
      ['pprof', `pprof ${DUMP} ${BIN} -o ${out}/x.pb.gz`, 2],
    ];
    for (const [name, cmd, kib] of cases) {
      const r = spawnSync('bash', ['-c', `ulimit -f ${kib}; exec node ${GOHEAP} ${cmd}`], { encoding: 'utf8', env });
      expect([name, r.status]).to.deep.equal([name, 1]);
      const file = cmd.split(' ').pop()!;
      expect(r.stderr).to.equal(`goheap: ${file}: file too large (EFBIG); nothing was written\n`);
      expect(fs.readdirSync(out), name).to.deep.equal([]);
    }
    // A real ENOSPC on a small tmpfs, when this machine lets us mount one.
    const mnt = path.join(dir, 'tmpfs');
    fs.mkdirSync(mnt);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) return;
    try {
      for (const [name, cmd] of cases) {
        const file = path.join(mnt, path.basename(cmd.split(' ').pop()!));
        const args = cmd.split(' ').slice(0, -1);
        const r = goheap([...args, file]);
        if (name === 'pprof') continue; // 6 KiB: fits
        expect([name, r.status, r.stderr]).to.deep.equal([name, 1, `goheap: ${file}: no space left on device (ENOSPC); nothing was written\n`]);
        expect(fs.readdirSync(mnt), name).to.deep.equal([]);
      }
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('every command piped into `head -c 10` exits 0 quietly; `> /dev/full` is one line, exit 1', () => {
    const commands = [
      `info ${DUMP} ${BIN}`, `types ${DUMP} ${BIN}`, `top ${DUMP} ${BIN}`, `roots ${DUMP} ${BIN}`, `suspects ${DUMP} ${BIN}`,
      `goroutines ${DUMP} ${BIN} --all`, `instances ${DUMP} ${BIN} main.Node -n 0`, `allocs ${DUMP} ${BIN}`, `types ${DUMP} ${BIN} --json`,
      `dot ${DUMP} ${BIN}`, `dot ${DUMP} ${BIN} --all`, `hprof ${DUMP} ${BIN} -`, `snapshot ${DUMP} ${BIN} -`, `pprof ${DUMP} ${BIN} -`,
    ];
    for (const c of commands) {
      const r = spawnSync('bash', ['-c', `node ${GOHEAP} ${c} 2>${dir}/err | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}`], { encoding: 'utf8', env });
      // No error: only `dot`'s own summary of what it cut may be there (when its output fit in the pipe before
      // `head` closed it, the export ended normally).
      const err = fs.readFileSync(`${dir}/err`, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('goheap: dot: ')).join('\n');
      expect([c, r.stdout.trim(), err]).to.deep.equal([c, '0', '']);
    }
    for (const c of [`types ${DUMP} ${BIN}`, `dot ${DUMP} ${BIN}`]) {
      const r = spawnSync('bash', ['-c', `exec node ${GOHEAP} ${c} > /dev/full`], { encoding: 'utf8', env });
      expect([c, r.status, r.stderr]).to.deep.equal([c, 1, 'goheap: stdout: no space left on device (ENOSPC); nothing was written\n']);
    }
  });

  it('SIGINT and SIGTERM during `dot --all` on the biggest fixture end it within a second, nothing left behind', async () => {
    const h = path.join(ROOT, '.cache/fixtures/httpserver/go1.26');
    const out = path.join(dir, 'sig');
    fs.mkdirSync(out);
    goheap(['info', `${h}/heap1.dump`, `${h}/httpserver`, '--quiet']); // the index, so the export starts at once
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      // The write takes tens of ms: on a busy machine the signal can come after the output is complete (exit 0 with
      // the whole file, which is right too). Then again, until a signal lands while the export writes.
      let landed = false;
      for (let attempt = 0; attempt < 5 && !landed; attempt++) {
        const c = spawn('node', [GOHEAP, 'dot', `${h}/heap1.dump`, `${h}/httpserver`, '--all', '-o', `${out}/all.dot`], { env, stdio: 'ignore' });
        let sent = 0;
        const poll = setInterval(() => {
          if (sent) return;
          for (const n of fs.readdirSync(out)) {
            // Once the export is writing (its temporary file has bytes).
            if (n.endsWith('.tmp') && fs.statSync(path.join(out, n)).size > 0) {
              sent = Date.now();
              c.kill(sig);
            }
          }
        }, 2);
        const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => c.on('exit', (a, b) => resolve([a, b])));
        clearInterval(poll);
        if (code === 0 && signal === null && fs.readdirSync(out).join() === 'all.dot') {
          expect(fs.readFileSync(`${out}/all.dot`, 'utf8').trimEnd().endsWith('}'), `${sig}: a complete output`).to.equal(true);
          fs.rmSync(`${out}/all.dot`);
          continue;
        }
        landed = true;
        expect(sent, `${sig}: the export never started writing`).to.be.greaterThan(0);
        expect([code, signal]).to.deep.equal([null, sig]);
        expect(Date.now() - sent).to.be.below(1000);
        expect(fs.readdirSync(out)).to.deep.equal([]);
      }
      expect(landed, `${sig}: in 5 runs, never sent while the export wrote`).to.equal(true);
    }
  });

  it('leftovers of killed runs are removed by the next run: beside the output and in the index cache', () => {
    const out = path.join(dir, 'left');
    fs.mkdirSync(out);
    // A pid that is not running: above the kernel's pid_max.
    const dead = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
    fs.writeFileSync(path.join(out, `.heap.dot.goheap-${dead}-0123abcd.tmp`), 'half');
    fs.writeFileSync(path.join(out, `.heap.dot.goheap-${process.pid}-0123abcd.tmp`), 'alive');
    expect(goheap(['dot', DUMP, BIN, '-o', path.join(out, 'heap.dot'), '--quiet']).status).to.equal(0);
    expect(fs.readdirSync(out).sort()).to.deep.equal([`.heap.dot.goheap-${process.pid}-0123abcd.tmp`, 'heap.dot']);
    const c2 = path.join(dir, 'cache2');
    fs.mkdirSync(c2);
    fs.writeFileSync(path.join(c2, `heap2.dump-0.graph.idx.${dead}.tmp`), 'half');
    const r = spawnSync('node', [GOHEAP, 'info', DUMP, BIN, '--quiet'], { encoding: 'utf8', env: { ...env, GOHEAP_CACHE_DIR: c2 } });
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readdirSync(c2).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('stdout that is the dump is refused; a symlinked output is written through; bad option values name the option', () => {
    const dump = path.join(dir, 'copy.dump');
    fs.copyFileSync(DUMP, dump);
    const before = md5(dump);
    const r = spawnSync('bash', ['-c', `node ${GOHEAP} dot ${dump} ${BIN} >> ${dump}`], { encoding: 'utf8', env });
    expect([r.status, r.stderr]).to.deep.equal([1, `goheap: stdout: is the input ${dump}; refusing to write over it\n`]);
    expect(md5(dump)).to.equal(before);
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync('real/t.dot', path.join(dir, 'link.dot'));
    expect(goheap(['dot', DUMP, BIN, '-o', 'link.dot', '--quiet']).status).to.equal(0);
    expect(fs.lstatSync(path.join(dir, 'link.dot')).isSymbolicLink()).to.equal(true);
    expect(fs.readFileSync(path.join(dir, 'real/t.dot'), 'utf8')).to.match(/^digraph /);
    const bad: [string[], string][] = [
      [['pprof', DUMP, BIN, '-o', 'x.pb.gz', '--mode', 'alloc', '--rate', '1e300'], 'goheap: --rate: expected a whole number from 0 to 1099511627776, got "1e300"\n'],
      [['pprof', DUMP, BIN, '-o', 'x.pb.gz', '--max-depth', '0'], 'goheap: --max-depth: expected a whole number from 1 to 65535, got "0"\n'],
      [['instances', DUMP, BIN, 'main.Node', '--sort', 'bogus'], 'goheap: --sort: expected one of retained, size, got "bogus"\n'],
      [['pprof', DUMP, BIN, '-o', 'x.pb.gz', '--mode', 'bogus'], 'goheap: --mode: expected one of retained, alloc, got "bogus"\n'],
    ];
    for (const [args, want] of bad) {
      const b = goheap(args);
      expect([b.status, b.stderr]).to.deep.equal([1, want]);
    }
    expect(fs.existsSync(path.join(dir, 'x.pb.gz'))).to.equal(false);
  });
});
