// Tiny allocator blocks' sub-objects in the DOT pictures, on the realtypes fixture (1-, 2-, 4- and 8-byte values
// boxed in the interfaces of main.Shapes, several to a 16-byte block), read back through Debian's dot: `--by-type`
// draws main.Flag/Half/Dot/Num with the program's counts and bytes and the interfaces' pointers to them, every type
// node counts as `goheap types --all` does; a tiny block's node says what it holds, by type and count.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { ROOT, scratchDir, SHARED_INDEX } from '../support/fixtures.js';
import { type SvgItem, readSvg, renderWithDot } from './dot-svg.js';

const DUMPTODOT = path.join(ROOT, 'dist/cli/dumptodot.js');
const BOXED = ['main.Flag', 'main.Half', 'main.Dot', 'main.Num'];

function b(n: number): string {
  return `${n.toLocaleString('en-US')} B`;
}

function dumptodot(out: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, [DUMPTODOT, ...args, '-o', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
}

function nodes(items: SvgItem[], re: RegExp): SvgItem[] {
  return items.filter((x) => x.kind === 'node' && re.test(x.title));
}

for (const version of ['1.19', '1.26']) {
  describe(`export: DOT of tiny sub-objects (realtypes go${version}), rendered by dot`, function () {
    this.timeout(600000);
    const fx = path.join(ROOT, '.cache/fixtures/realtypes', `go${version}`);
    const dump = path.join(fx, 'heap1.dump');
    const bin = path.join(fx, 'realtypes');
    const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/realtypes', `go${version}`, 'facts.json'), 'utf8'));
    const dir = scratchDir(`dot-tiny-${version}-${process.pid}`);
    let s: HeapSession;
    before(async () => { s = await HeapSession.open(dump, { binary: bin, cacheDir: SHARED_INDEX }); });
    after(() => s?.close());

    it('--by-type: the boxed values are type nodes with the program\'s counts, pointed at by main.Shapes\' interfaces; every node counts as types does', () => {
      const out = path.join(dir, 'types.dot');
      dumptodot(out, dump, bin, '--by-type', '--max-nodes', '1000', '--quiet');
      const items = readSvg(renderWithDot(out));
      const byType = new Map(nodes(items, /^t\d+$/).map((n) => [n.lines[0], n]));
      for (const name of BOXED) {
        const n = byType.get(name);
        expect(n, name).to.not.equal(undefined);
        expect([name, ...n!.lines.slice(1, 3)]).to.deep.equal([name, `${facts.counts[name].toLocaleString('en-US')} objects`, b(facts.counts[name] * facts.sizes[name])]);
        // The interfaces of main.Shapes' backing array point at them, one pointer per value.
        const into = items.filter((x) => x.kind === 'edge' && x.title.endsWith(`->${n!.title}`));
        const from = into.map((x) => x.title.split('->')[0]);
        const sources = from.map((t) => nodes(items, new RegExp(`^${t}$`))[0]?.lines[0]);
        expect(sources, name).to.deep.equal(['[]main.Shape']);
        expect(into[0].lines.join(' '), name).to.match(new RegExp(`×${facts.counts[name].toLocaleString('en-US')}$`));
      }
      // Every type node: the row of goheap types (reachable objects; tiny blocks' sub-objects and rest included).
      const rows = new Map(s.typeRows().map((r) => [r.type, r]));
      for (const [name, n] of byType) {
        const r = rows.get(name);
        expect(r, name).to.not.equal(undefined);
        const c = r!.reachableCount;
        expect([name, n.lines[1].replace(/ \(.*\)$/, '')]).to.deep.equal([name, `${c.toLocaleString('en-US')} object${c === 1 ? '' : 's'}`]);
      }
    });

    it('--all: each tiny block with sub-objects says what it holds; the Nums held add up to the program\'s count', () => {
      const out = path.join(dir, 'all.dot');
      dumptodot(out, dump, bin, '--all', '--quiet');
      const text = fs.readFileSync(out, 'utf8');
      const holds = [...text.matchAll(/^ {2}o(\d+) \[label="tiny block\\nholds ([^"\\]*)\\n/gm)];
      const blocks = new Set<number>();
      for (let k = 0; k < s.subObjects.count; k++) blocks.add(s.blockOf(s.objectCount + k));
      expect(holds.map((m) => Number(m[1])).sort((x, y) => x - y)).to.deep.equal([...blocks].sort((x, y) => x - y));
      const held = new Map<string, number>();
      for (const m of holds) {
        for (const part of m[2].split(', ')) {
          const [c, ...t] = part.split(' ');
          held.set(t.join(' '), (held.get(t.join(' ')) ?? 0) + Number(c));
        }
      }
      // Every boxed value is in a block (the program keeps them all: reachable or not, --all draws every object).
      for (const name of BOXED) expect([name, held.get(name)]).to.deep.equal([name, facts.counts[name]]);
    });

    it('--focus on a boxed Num: its tiny block\'s node says what it holds, by type and count', () => {
      const num = s.instances('main.Num', { limit: 1 })!.items[0];
      const block = s.blockOf(num);
      const out = path.join(dir, 'focus.dot');
      dumptodot(out, dump, bin, '--focus', `0x${s.address(num).toString(16)}`, '--quiet');
      const n = nodes(readSvg(renderWithDot(out)), new RegExp(`^o${block}$`))[0];
      expect(n, 'the block node').to.not.equal(undefined);
      const held = new Map<string, number>();
      for (const k of s.subObjectsOf(block)) held.set(s.typeName(k), (held.get(s.typeName(k)) ?? 0) + 1);
      expect(held.get('main.Num')).to.be.at.least(1);
      const line = n.lines.find((l) => l.startsWith('holds '));
      expect(line).to.equal(`holds ${[...held].map(([t, c]) => `${c} ${t}`).join(', ')}`);
    });
  });
}
