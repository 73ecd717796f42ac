// The DOT exporter on real dumps, read back through two independent Graphviz builds (Debian's dot and
// @hpcc-js/wasm-graphviz): every mode renders without an error or warning, and the names and numbers Graphviz drew
// equal the heap session's and, where the Go program printed them (facts.json), the program's own.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { type SvgItem, readSvg, renderWithDot, renderWithWasm } from './dot-svg.js';

const DUMPTODOT = path.join(ROOT, 'dist/cli/dumptodot.js');

/** Exact bytes as the labels show them, formatted independently of lib/export. */
function b(n: number): string {
  return `${n.toLocaleString('en-US')} B`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Runs dumptodot with -o `out`; returns its stderr. */
function dumptodot(out: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [DUMPTODOT, ...args, '-o', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return r.stderr;
}

function nodes(items: SvgItem[], re: RegExp): SvgItem[] {
  return items.filter((x) => x.kind === 'node' && re.test(x.title));
}

/** "1,234 objects" -> 1234. */
function objectsIn(line: string): number {
  const m = /^([\d,]+) objects?$/.exec(line);
  expect(m, line).to.not.equal(null);
  return Number(m![1].replace(/,/g, ''));
}

describe('export: DOT of the zoo (go1.26), rendered by dot and wasm Graphviz', function () {
  this.timeout(600000);
  const version = '1.26';
  const facts = zooFacts(version);
  const dir = scratchDir(`dot-zoo-${process.pid}`);
  let s: HeapSession;
  const svg: Record<string, SvgItem[]> = {};
  const files: Record<string, string> = {};

  before(async () => {
    s = await HeapSession.open(zooDump(version), { binary: zooBinary(version) });
    const modes: Record<string, string[]> = {
      tree: ['--max-nodes', '400'],
      types: ['--by-type'],
      focusBig: ['--focus', facts.addresses.BigObj],
      focusCache: ['--focus', 'main.LeakyCache', '--depth', '2'],
    };
    for (const [name, args] of Object.entries(modes)) {
      files[name] = path.join(dir, `${name}.dot`);
      dumptodot(files[name], zooDump(version), zooBinary(version), '--quiet', ...args);
      svg[name] = readSvg(renderWithDot(files[name]));
    }
  });

  after(() => s?.close());

  it('wasm Graphviz renders every mode too, with the same nodes and edges as dot', async () => {
    for (const [name, items] of Object.entries(svg)) {
      const other = readSvg(await renderWithWasm(fs.readFileSync(files[name], 'utf8')));
      expect(other.map((x) => `${x.kind} ${x.title} ${x.lines.join('|')}`).sort(), name)
        .to.deep.equal(items.map((x) => `${x.kind} ${x.title} ${x.lines.join('|')}`).sort());
    }
  });

  it('tree: each object is labelled with the session\'s type, address, size and retained size', () => {
    const objs = nodes(svg.tree, /^o\d+$/);
    expect(objs.length).to.be.greaterThan(300);
    for (const n of objs) {
      const i = Number(n.title.slice(1));
      expect(n.lines[0]).to.equal(s.typeName(i).length > 96 ? `${s.typeName(i).slice(0, 95)}…` : s.typeName(i));
      expect(n.lines[1]).to.equal(hex(s.address(i)));
      expect(n.lines[n.lines.length - 1]).to.equal(`${b(s.size(i))}, retains ${b(s.retained(i))}`);
    }
    // The largest retainers are drawn: the top 20 of the session are all there.
    const drawn = new Set(objs.map((n) => Number(n.title.slice(1))));
    for (const row of s.topObjects(20)) expect(drawn.has(row.object), row.type).to.equal(true);
  });

  it('tree: globals are root nodes with their retained sizes; the 40 KB main.Big hangs from main.BigObj', () => {
    const roots = nodes(svg.tree, /^r\d+$/);
    const byName = new Map(roots.map((n) => [n.lines[0], n]));
    for (const g of ['main.LeakyCache', 'main.BigObj', 'main.Mediums']) {
      const n = byName.get(`global ${g}`);
      expect(n, g).to.not.equal(undefined);
      const k = Number(n!.title.slice(1));
      expect(n!.lines[n!.lines.length - 1]).to.equal(`retains ${b(s.rootRetained(k))}`);
    }
    const big = nodes(svg.tree, /^o\d+$/).find((n) => n.lines[1] === facts.addresses.BigObj);
    expect(big, 'main.Big node').to.not.equal(undefined);
    expect(big!.lines[0]).to.equal('main.Big');
    const size = s.size(s.findObject(addr(facts.addresses.BigObj)));
    expect(size).to.be.within(facts.sizes.Big, facts.sizes.Big + 8192); // the program's 40000 bytes, in its size class
    expect(big!.lines[2]).to.equal(`${b(size)}, retains ${b(size)}`); // its slots point at list nodes others hold too
    const bigGlobal = byName.get('global main.BigObj')!;
    expect(svg.tree.some((x) => x.kind === 'edge' && x.title === `${bigGlobal.title}->${big!.title}`)).to.equal(true);
  });

  it('tree: drawn objects + collapsed subtrees + garbage = every object of the dump', () => {
    const drawn = nodes(svg.tree, /^o\d+$/).length;
    const collapsed = nodes(svg.tree, /^c_/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
    const garbage = nodes(svg.tree, /^garbage$/);
    expect(garbage).to.have.length(1);
    const garbageObjects = objectsIn(garbage[0].lines[1]);
    let unreachable = 0;
    for (let i = 0; i < s.objectCount; i++) if (!s.isReachable(i)) unreachable++;
    expect(garbageObjects).to.equal(unreachable);
    expect(garbageObjects).to.be.at.least(facts.counts.Garbage); // the program's dropped chain
    expect(drawn + collapsed + garbageObjects).to.equal(s.objectCount);
    // Collapsed bytes add up the same way.
    const bytesOf = (line: string): number => Number(/^([\d,]+) B/.exec(line)![1].replace(/,/g, ''));
    const collapsedBytes = nodes(svg.tree, /^c_/).map((n) => bytesOf(n.lines[2])).reduce((x, y) => x + y, 0);
    let drawnBytes = 0;
    for (const n of nodes(svg.tree, /^o\d+$/)) drawnBytes += s.size(Number(n.title.slice(1)));
    expect(drawnBytes + collapsedBytes + bytesOf(garbage[0].lines[2])).to.equal(s.graph.objectBytes);
  });

  it('by-type: the 1000-node list, the sessions and the Big object with the program\'s counts and sizes', () => {
    const types = nodes(svg.types, /^t\d+$/);
    const byType = new Map(types.map((n) => [n.lines[0], n]));
    const node = byType.get('main.Node')!;
    expect(node.lines[1]).to.equal(`${facts.counts.Node.toLocaleString('en-US')} objects`);
    expect(node.lines[2]).to.equal(b(facts.counts.Node * facts.sizes.Node));
    const session = byType.get('main.Session')!;
    expect(session.lines[1]).to.equal(`${facts.counts.Session1} objects`);
    expect(byType.get('main.Big')!.lines[1]).to.equal('1 object');
    // Every drawn type's count, bytes and retained bytes are the session's type rows.
    const rows = new Map(s.typeRows().map((r) => [r.type, r]));
    for (const n of types) {
      const r = rows.get(n.lines[0]);
      if (r === undefined) continue; // a name cut at 96 characters
      expect(n.lines[1].replace(/ \(.*\)$/, '')).to.equal(`${r.count.toLocaleString('en-US')} object${r.count === 1 ? '' : 's'}`);
      expect(n.lines[2]).to.equal(b(r.bytes));
      expect(n.lines[3]).to.equal(`retains ${b(r.retained)}`);
    }
    // The list's Next pointers: 999 between 1000 nodes.
    const next = svg.types.find((x) => x.kind === 'edge' && x.title === `${node.title}->${node.title}` && x.lines[0].startsWith('Next '));
    expect(next?.lines[0]).to.equal(`Next ×${facts.counts.Node - 1}`);
    // Big.Slots[] points at list nodes 5000 times.
    const big = byType.get('main.Big')!;
    const slots = svg.types.find((x) => x.kind === 'edge' && x.title === `${big.title}->${node.title}`);
    expect(slots?.lines[0]).to.equal('Slots[] ×5,000');
  });

  it('focus on main.Big: the object, its global, its first pointers and the rest counted', () => {
    const i = s.findObject(addr(facts.addresses.BigObj));
    const focus = nodes(svg.focusBig, new RegExp(`^o${i}$`))[0];
    expect(focus.lines[0]).to.equal('FOCUS');
    expect(focus.lines.slice(1)).to.deep.equal(['main.Big', facts.addresses.BigObj, `${b(s.size(i))}, retains ${b(s.retained(i))}`]);
    const pointers = s.graph.edgeStart[i + 1] - s.graph.edgeStart[i];
    const more = nodes(svg.focusBig, /^m_out_/);
    expect(more.map((n) => n.lines[0])).to.deep.equal([`+${(pointers - 25).toLocaleString('en-US')} more pointers from here`]);
    expect(nodes(svg.focusBig, /^r\d+$/).map((n) => n.lines[0])).to.include('global main.BigObj');
    // Edges from the Big object are labelled with its fields.
    const fields = svg.focusBig.filter((x) => x.kind === 'edge' && x.title.startsWith(`o${i}->o`)).map((x) => x.lines[0]);
    expect(fields).to.include('Slots[0]');
  });

  it('focus on the global main.LeakyCache: the map and what it holds, two pointers deep', () => {
    const root = nodes(svg.focusCache, /^r\d+$/).find((n) => n.lines[0] === 'FOCUS');
    expect(root?.lines[1]).to.equal('global main.LeakyCache');
    const types = nodes(svg.focusCache, /^o\d+$/).map((n) => n.lines[0]);
    // Named as `goheap types` names them (Go's spelling, the map's parts after it), not by the runtime's internals.
    expect(types).to.include('map[string]*main.Session');
    expect(types.some((t) => t === '[1]map[string]*main.Session directory' || t.endsWith('map[string]*main.Session buckets'))).to.equal(true);
  });

  it('--all: one node per object and one edge per pointer and root slot, labelled like the session', () => {
    const out = path.join(dir, 'all.dot');
    dumptodot(out, zooDump(version), zooBinary(version), '--all', '--quiet');
    const text = fs.readFileSync(out, 'utf8');
    const nodeLines = text.match(/^ {2}o\d+ \[/gm) ?? [];
    expect(nodeLines).to.have.length(s.objectCount);
    const edges = text.match(/^ {2}[or]\d+ -> o\d+/gm) ?? [];
    expect(edges).to.have.length(s.graph.edgeCount + s.graph.roots.count);
    const big = s.findObject(addr(facts.addresses.BigObj));
    expect(text).to.include(`  o${big} [label="main.Big\\n${facts.addresses.BigObj}\\n${b(s.size(big))}, retains ${b(s.retained(big))}"];`);
    const garbage = s.findObject(addr(facts.addresses.GarbageHead));
    expect(text).to.match(new RegExp(`^ {2}o${garbage} \\[label="${s.typeName(garbage).replace(/[()]/g, '\\$&')}\\\\n${facts.addresses.GarbageHead}\\\\n[\\d,]+ B, garbage", color=`, 'm'));
  });
});

describe('export: DOT of hostile names (fixtures/dotnames)', function () {
  this.timeout(600000);

  for (const version of ['1.19', '1.26']) {
    const dirOf = path.join(ROOT, '.cache/fixtures/dotnames', `go${version}`);
    const dump = path.join(dirOf, 'heap1.dump');
    const binary = path.join(dirOf, 'dotnames');
    const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/dotnames', `go${version}`, 'facts.json'), 'utf8')) as {
      boxType: string; keyedType: string; omegaType: string; hostile: string;
      addresses: Record<string, string>; counts: Record<string, number>; sizes: Record<string, number>;
    };
    const dir = scratchDir(`dot-names-${version}-${process.pid}`);

    it(`go${version}: every mode renders in both Graphvizes, and Go's own type names come out verbatim`, async () => {
      const modes: Record<string, string[]> = {
        tree: [], all: ['--all'], types: ['--by-type'], box: ['--focus', facts.addresses.Boxes],
        omega: ['--focus', facts.addresses.Omega], hostile: ['--focus', 'main.Hostile'], keyed: ['--focus', 'main.Keyed', '--depth', '2'],
      };
      const texts: Record<string, Set<string>> = {};
      for (const [name, args] of Object.entries(modes)) {
        const out = path.join(dir, `${name}.dot`);
        dumptodot(out, dump, binary, '--quiet', ...args);
        const fromDot = readSvg(renderWithDot(out));
        const fromWasm = readSvg(await renderWithWasm(fs.readFileSync(out, 'utf8')));
        expect(fromWasm.map((x) => x.lines.join('|')).sort(), name).to.deep.equal(fromDot.map((x) => x.lines.join('|')).sort());
        texts[name] = new Set(fromDot.flatMap((x) => x.lines));
      }
      expect(texts.types.has(facts.boxType), facts.boxType).to.equal(true);
      // The map's key type as Go prints it (old runtimes' maps are named hash<K,V> by goheap, new ones map[K]V as Go).
      const key = facts.keyedType.slice('map['.length, facts.keyedType.lastIndexOf(']*'));
      expect([...texts.types].some((t) => t.includes(key)), key).to.equal(true);
      expect(texts.box.has(facts.boxType)).to.equal(true);
      expect(texts.all.has(facts.boxType)).to.equal(true);
      expect(texts.omega.has(facts.omegaType)).to.equal(true);
      expect([...texts.keyed].some((t) => t.includes(key)), key).to.equal(true);
      // Field names outside ASCII on the Ωmega's pointers.
      expect(texts.omega.has('Ñame')).to.equal(true);
      expect(texts.omega.has('名前.array') || texts.omega.has('名前')).to.equal(true);
      // The hostile string's first 32 bytes, quoted Go-style (escapes shown, not interpreted).
      const first = Buffer.from(facts.hostile, 'utf8').subarray(0, 32).toString('latin1');
      const quoted = `"${first.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"…`;
      expect(texts.hostile.has(quoted), quoted).to.equal(true);
    });

    it(`go${version}: the forest is cut at --max-nodes, and what was cut adds up`, async () => {
      const out = path.join(dir, 'cut.dot');
      const stderr = dumptodot(out, dump, binary, '--max-nodes', '30');
      expect(stderr).to.match(/^goheap: dot: drew the top \d+ objects and \d+ root nodes of the dominator tree; collapsed [\d,]+ smaller subtrees \([\d,]+ objects, [\d,]+ B\) into \d+ nodes\n/);
      const items = readSvg(renderWithDot(out));
      const drawn = nodes(items, /^o\d+$/).length;
      expect(drawn + nodes(items, /^r\d+$/).length).to.equal(30);
      const collapsed = nodes(items, /^c_/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
      const garbage = nodes(items, /^garbage$/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
      const s = await HeapSession.open(dump, { binary });
      expect(drawn + collapsed + garbage).to.equal(s.objectCount);
      s.close();
      // main.Forest's trees: 4 x 156 TreeNodes, each tree dominated by its root node.
      const forest = nodes(items, /^r\d+$/).find((n) => n.lines[0] === 'global main.Forest');
      expect(forest, 'main.Forest is among the biggest roots').to.not.equal(undefined);
    });
  }
});

describe('export: DOT strings (dotString) read back by both Graphvizes', () => {
  // Each string is a node label; what Graphviz draws must be the string itself (control characters shown as \xNN,
  // a lone surrogate as U+FFFD), never an escape Graphviz interprets (\N is the node's name, \G the graph's, \l a
  // left-justified line end) nor the end of the quoted string.
  const hostile = [
    'main.T[struct { A int "json:\\"a\\\\b\\"" }]', 'ends with a backslash\\', '\\', '\\\\', '"', '""', '\\"',
    '\\N \\G \\E \\T \\H \\L \\l \\r \\n', '<html>&amp;</html>', '{record|<port> x}', 'chan<- <-chan func(map[string][]*int)',
    'tab\there', 'nul\u0000byte', 'bell\u0007 del\u007f', 'ünïcödé Ωmega 名前 𝄞', 'lone \ud800 surrogate', '  spaces  ', '',
  ];
  const expected = (x: string): string => x
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

  it('every hostile label comes back as itself from dot and from wasm Graphviz', async () => {
    const { dotString, graphHeaderForTest } = await import('./dot-strings.js');
    const src = `${graphHeaderForTest()}${hostile.map((x, k) => `  n${k} [label=${dotString(x)}];\n`).join('')}  n0 -> n1 [label=${dotString(hostile[0])}];\n}\n`;
    const file = path.join(scratchDir(`dot-strings-${process.pid}`), 'strings.dot');
    fs.writeFileSync(file, src);
    for (const items of [readSvg(renderWithDot(file)), readSvg(await renderWithWasm(src))]) {
      for (let k = 0; k < hostile.length; k++) {
        const n = items.find((x) => x.kind === 'node' && x.title === `n${k}`);
        // Graphviz drops a label's leading and trailing blanks and draws an empty label as no text at all.
        expect((n?.lines ?? []).join('\n').trim(), JSON.stringify(hostile[k])).to.equal(expected(hostile[k]).trim());
      }
      expect(items.find((x) => x.kind === 'edge')?.lines).to.deep.equal([hostile[0]]);
    }
  });

  it('a line break in a label is a line break', async () => {
    const { dotString, graphHeaderForTest } = await import('./dot-strings.js');
    const src = `${graphHeaderForTest()}  a [label=${dotString('first "line"\nsecond\\line')}];\n}\n`;
    const items = readSvg(await renderWithWasm(src));
    expect(items[0].lines).to.deep.equal(['first "line"', 'second\\line']);
  });
});

describe('export: DOT of the zoo on every Go version', function () {
  this.timeout(600000);
  for (const version of GO_VERSIONS) {
    it(`go${version}: tree and type graph render in dot; counts add up; the list and the sessions have the program's counts`, async () => {
      const facts = zooFacts(version);
      const dir = scratchDir(`dot-zoo-${version}-${process.pid}`);
      const s = await HeapSession.open(zooDump(version), { binary: zooBinary(version) });
      try {
        const tree = path.join(dir, 'tree.dot');
        dumptodot(tree, zooDump(version), zooBinary(version), '--max-nodes', '150', '--quiet');
        const items = readSvg(renderWithDot(tree));
        const drawn = nodes(items, /^o\d+$/);
        const collapsed = nodes(items, /^c_/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
        const garbage = nodes(items, /^garbage$/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
        expect(drawn.length + collapsed + garbage).to.equal(s.objectCount);
        for (const n of drawn) {
          const i = Number(n.title.slice(1));
          expect(n.lines[n.lines.length - 1]).to.equal(`${b(s.size(i))}, retains ${b(s.retained(i))}`);
        }
        const types = path.join(dir, 'types.dot');
        dumptodot(types, zooDump(version), zooBinary(version), '--by-type', '--quiet');
        const byType = new Map(nodes(readSvg(renderWithDot(types)), /^t\d+$/).map((n) => [n.lines[0], n]));
        expect(byType.get('main.Node')?.lines.slice(1, 3)).to.deep.equal([`${facts.counts.Node.toLocaleString('en-US')} objects`, b(facts.counts.Node * facts.sizes.Node)]);
        expect(byType.get('main.Session')?.lines[1]).to.equal(`${facts.counts.Session1} objects`);
      } finally {
        s.close();
      }
    });
  }
});
