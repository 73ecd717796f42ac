// The default DOT picture as a person gets it: `dumptodot DUMP BIN > heap.dot && dot -Tpng` with Debian's Graphviz on
// real fixtures renders at 100% (cairo scales a bitmap over 32,767 px a side down and says so on stderr: it must
// not), the PNG is the layout's bounding box at 96 dpi, and the root nodes are the first rank, the biggest first.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { ROOT, scratchDir, zooBinary, zooDump, SHARED_INDEX } from '../support/fixtures.js';

const DUMPTODOT = path.join(ROOT, 'dist/cli/dumptodot.js');

describe('export/dot: the default picture renders at 100% with the biggest root first', function () {
  this.timeout(300000);
  const dir = scratchDir(`dot-picture-${process.pid}`);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const h = path.join(ROOT, '.cache/fixtures/httpserver/go1.26');
  const cases: [string, string, string][] = [
    ['zoo go1.19', zooDump('1.19', 'heap2'), zooBinary('1.19')],
    ['zoo go1.26', zooDump('1.26', 'heap2'), zooBinary('1.26')],
    ['httpserver go1.26', path.join(h, 'heap1.dump'), path.join(h, 'httpserver')],
    ['dotnames go1.26', path.join(ROOT, '.cache/fixtures/dotnames/go1.26/heap1.dump'), path.join(ROOT, '.cache/fixtures/dotnames/go1.26/dotnames')],
  ];
  for (const [name, dump, binary] of cases) {
    it(`${name}: dot -Tpng at scale 1, PNG = bounding box at 96 dpi, root nodes in the first rank biggest first`, async () => {
      const file = path.join(dir, `${name.replace(/ /g, '-')}.dot`);
      const r = spawnSync('node', [DUMPTODOT, dump, binary, '-o', file, '--quiet', '--no-cache'], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      const png = spawnSync('dot', ['-Tpng', file, '-o', `${file}.png`], { encoding: 'utf8' });
      expect([png.status, png.stderr]).to.deep.equal([0, '']);
      const head = fs.readFileSync(`${file}.png`).subarray(16, 24);
      const [w, hgt] = [head.readUInt32BE(0), head.readUInt32BE(4)];
      const laid = spawnSync('dot', ['-Tdot', file], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
      const bb = /\bbb="([\d.]+),([\d.]+),([\d.]+),([\d.]+)"/.exec(laid)!.slice(1).map(Number);
      // Graphviz pads the drawing by 4 points a side; 96 px per 72 points.
      expect([w, hgt]).to.deep.equal([Math.round(((bb[2] + 8) * 96) / 72), Math.round(((bb[3] + 8) * 96) / 72)]);
      expect(Math.max(w, hgt)).to.be.below(32767);
      const pos = new Map<string, [number, number]>();
      for (const m of laid.matchAll(/\n\s+(\w+)\s+\[[^\]]*?\bpos="([\d.]+),([\d.]+)"/g)) pos.set(m[1], [Number(m[2]), Number(m[3])]);
      // The root nodes are declared first, smallest first (see lib/export/dot.ts): biggest first here.
      const order = [...fs.readFileSync(file, 'utf8').matchAll(/^ {2}(r\d+);$/gm)].map((m) => m[1]).reverse();
      expect(order.length).to.be.greaterThan(2);
      const minX = Math.min(...[...pos.values()].map((p) => p[0]));
      // Every root node in the first (leftmost) rank, top to bottom from the biggest.
      for (const id of order) expect(pos.get(id)![0], id).to.equal(minX);
      const ys = order.map((id) => pos.get(id)![1]);
      expect(ys).to.deep.equal([...ys].sort((a, b) => b - a));
      // The first is the root node that retains the most (goheap's own answer).
      const s = await HeapSession.open(dump, { binary, cacheDir: SHARED_INDEX });
      try {
        const roots = s.dominated({ kind: 'roots' }, 0, 1e9).items.filter((n) => n.kind === 'root');
        expect(order[0]).to.equal(`r${(roots[0] as { rootNode: number }).rootNode}`);
      } finally {
        s.close();
      }
    });
  }
});
