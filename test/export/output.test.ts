// The exporters' shared OutputSink: bytes come out exactly as written (text and binary mixed, far beyond its buffer),
// the final name appears only on success (temporary name + rename), a failure leaves no file, inputs are never
// written over (same path, symlink, hard link), devices are written in place, and "-" streams to stdout with
// backpressure (checked through a real pipe to a slow reader).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputError, OutputSink, writeOutput } from '../../lib/export/output.js';
import { ROOT, scratchDir, zooDump } from '../support/fixtures.js';

describe('export: OutputSink', () => {
  const dir = scratchDir('output-sink');
  const leftovers = (): string[] => fs.readdirSync(dir).filter((n) => n.includes('.goheap-'));

  it('writes text and bytes in order, byte for byte, across many buffer flushes, then renames into place', async () => {
    const out = path.join(dir, 'mixed.bin');
    const expected: Buffer[] = [];
    const sink = OutputSink.open(out, { bufferSize: 4096 });
    expect(fs.existsSync(out)).to.equal(false);
    for (let k = 0; k < 3000; k++) {
      const text = `line ${k} ünïcödé ${'x'.repeat(k % 97)} 𝄞\n`;
      const bytes = Uint8Array.from({ length: (k * 7) % 300 }, (_, j) => (j * k) & 255);
      const big = k % 500 === 0 ? Buffer.alloc(10000, k & 255) : Buffer.alloc(0);
      for (const c of [text, bytes, big]) {
        const p = sink.write(c);
        if (p) await p;
        expected.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c));
      }
      expect(fs.existsSync(out)).to.equal(false);
    }
    await sink.finish();
    const want = Buffer.concat(expected);
    expect(sink.bytesWritten).to.equal(want.length);
    expect(fs.readFileSync(out).equals(want)).to.equal(true);
    expect(leftovers()).to.deep.equal([]);
  });

  it('on failure removes the temporary file and leaves an older file of the same name as it was', async () => {
    const out = path.join(dir, 'kept.txt');
    fs.writeFileSync(out, 'older good output\n');
    let thrown: unknown;
    try {
      await writeOutput(out, {}, async (sink) => {
        sink.write('x'.repeat(3 << 20));
        expect(leftovers()).to.have.length(1);
        throw new Error('export failed half way');
      });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).message).to.equal('export failed half way');
    expect(fs.readFileSync(out, 'utf8')).to.equal('older good output\n');
    expect(leftovers()).to.deep.equal([]);
  });

  it('refuses to write over an input: the same path, a symlink to it, a hard link to it', () => {
    const input = path.join(dir, 'input.dump');
    fs.copyFileSync(zooDump('1.26'), input);
    const before = fs.readFileSync(input);
    fs.symlinkSync(input, path.join(dir, 'link.dump'));
    fs.linkSync(input, path.join(dir, 'hard.dump'));
    for (const name of ['input.dump', 'link.dump', 'hard.dump']) {
      const p = path.join(dir, name);
      expect(() => OutputSink.open(p, { inputs: [input, undefined] }), name).to.throw(OutputError, /refusing to write over the input/);
    }
    expect(fs.readFileSync(input).equals(before)).to.equal(true);
    expect(() => OutputSink.open(dir)).to.throw(OutputError, /is a folder/);
    expect(leftovers()).to.deep.equal([]);
  });

  it('writes a device in place (never renames over /dev/null)', async () => {
    await writeOutput('/dev/null', { inputs: [] }, async (sink) => {
      sink.write('nothing to see\n');
    });
    expect(fs.statSync('/dev/null').isCharacterDevice()).to.equal(true);
  });

  it('"-" streams to stdout through a pipe, with backpressure, byte for byte', function () {
    this.timeout(60000);
    // A child writes 64 MiB through the sink to a pipe read by a slow consumer; memory must stay bounded.
    const script = `
      import { OutputSink } from ${JSON.stringify(path.join(ROOT, 'dist/lib/export/output.js'))};
      const sink = OutputSink.open('-');
      const line = 'y'.repeat(1023) + '\\n';
      let peak = 0;
      for (let k = 0; k < 65536; k++) {
        const p = sink.write(line);
        if (p) await p;
        if ((k & 1023) === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      await sink.finish();
      process.stderr.write(String(peak));
    `;
    const r = spawnSync('bash', ['-c', `node --input-type=module -e "$0" | (sleep 1; sha256sum)`, script], { encoding: 'utf8', maxBuffer: 1 << 20 });
    expect(r.status, r.stderr).to.equal(0);
    const want = createHash('sha256').update(Buffer.from(`${'y'.repeat(1023)}\n`.repeat(65536))).digest('hex');
    expect(r.stdout.split(' ')[0]).to.equal(want);
    // 64 MiB went through; the writer's resident memory stayed far below it plus the runtime's own.
    expect(Number(r.stderr)).to.be.below(200 << 20);
  });
});
