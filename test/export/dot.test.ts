// The DOT exporter on real dumps, read back through two independent Graphviz builds (Debian's dot and
// @hpcc-js/wasm-graphviz): every mode renders without an error or warning, and the names and numbers Graphviz drew
// equal the heap session's and, where the Go program printed them (facts.json), the program's own.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { SPREAD_VERSIONS, spreadBinary, spreadDump, spreadFacts } from '../support/spread.js';
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

/** Folded nodes (fg: siblings of one type, "500 × main.Session"; fc: chains, "main.Node × 998 via Next"). */
function folds(items: SvgItem[]): { title: string; kind: 'group' | 'chain'; type: string; count: number; bytes: number; retain: number; lines: string[] }[] {
  return nodes(items, /^f[gc]\d+$/).map((n) => {
    const group = n.title.startsWith('fg');
    const m = group ? /^([\d,]+) × (.*)$/.exec(n.lines[0]) : /^(.*) × ([\d,]+) via .*$/.exec(n.lines[0]);
    expect(m, n.lines[0]).to.not.equal(null);
    const own = /^([\d,]+) B(?: \([\d.]+ [KMG]iB\))?, retain ([\d,]+) B(?: \([\d.]+ [KMG]iB\))?$/.exec(n.lines[n.lines.length - 1]);
    expect(own, n.lines.join('|')).to.not.equal(null);
    const num = (x: string): number => Number(x.replace(/,/g, ''));
    return { title: n.title, kind: group ? 'group' : 'chain', type: group ? m![2] : m![1], count: num(group ? m![1] : m![2]), bytes: num(own![1]), retain: num(own![2]), lines: n.lines };
  });
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
      typesAll: ['--by-type', '--all'],
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
    expect(objs.length).to.be.greaterThan(30);
    for (const n of objs) {
      const i = Number(n.title.slice(1));
      expect(n.lines[0]).to.equal(s.typeName(i).length > 96 ? `${s.typeName(i).slice(0, 95)}…` : s.typeName(i));
      expect(n.lines[1]).to.equal(hex(s.address(i)));
      expect(n.lines[n.lines.length - 1]).to.equal(`${b(s.size(i))}, retains ${b(s.retained(i))}`);
    }
    // The largest retainers are drawn: the top 20 of the session are all there, on their own or in a node that
    // folds siblings of their type.
    const drawn = new Set(objs.map((n) => Number(n.title.slice(1))));
    const folded = new Set(folds(svg.tree).map((f) => f.type));
    for (const row of s.topObjects(20)) expect(drawn.has(row.object) || folded.has(s.typeName(row.object)), row.type).to.equal(true);
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

  it('tree: drawn objects + folded objects + collapsed subtrees + garbage = every object of the dump', () => {
    const drawn = nodes(svg.tree, /^o\d+$/).length + folds(svg.tree).reduce((x, f) => x + f.count, 0);
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
    for (const f of folds(svg.tree)) drawnBytes += f.bytes;
    expect(drawnBytes + collapsedBytes + bytesOf(garbage[0].lines[2])).to.equal(s.graph.objectBytes);
  });

  it('tree: siblings of one type are one node: the program\'s 500 sessions, 1,000 list nodes and 10 Mediums, with one edge each', () => {
    const f = folds(svg.tree);
    const group = (type: string) => f.filter((x) => x.kind === 'group' && x.type === type);
    // LeakyCache's sessions hang from the map's storage; Session.Peer links them, a line of the node's label.
    const sessions = group('main.Session');
    expect(sessions.map((x) => [x.count, x.bytes])).to.deep.equal([[facts.counts.Session1, facts.counts.Session1 * facts.sizes.Session]]);
    expect(sessions[0].lines[1]).to.equal(`between them: Peer ×${facts.counts.Session1 - 1}`);
    const into = (title: string) => svg.tree.filter((x) => x.kind === 'edge' && x.title.endsWith(`->${title}`) && !x.title.startsWith(`${title}->`));
    expect(into(sessions[0].title)).to.have.length(1);
    // Their Data arrays: one node under the sessions' node, the program's bytes each.
    const data = group(`[${facts.counts.SessionData}]uint8`);
    // (Each 100-byte array in its size class, as the session sizes it.)
    let dataSize = 0;
    for (let i = 0; i < s.objectCount && dataSize === 0; i++) if (s.typeName(i) === data[0].type) dataSize = s.size(i);
    expect(dataSize).to.be.within(facts.counts.SessionData, facts.counts.SessionData + 16);
    expect(data.map((x) => [x.count, x.bytes])).to.deep.equal([[facts.counts.Session1, facts.counts.Session1 * dataSize]]);
    expect(svg.tree.some((x) => x.kind === 'edge' && x.title === `${sessions[0].title}->${data[0].title}` && x.lines[0] === `Data ×${facts.counts.Session1}`)).to.equal(true);
    // The list: every node is held by ListHead's chain and by Big.Slots, so all hang from the roots side by side.
    const list = group('main.Node');
    expect(list.map((x) => [x.count, x.bytes])).to.deep.equal([[facts.counts.Node, facts.counts.Node * facts.sizes.Node]]);
    expect(list[0].lines[1]).to.equal(`between them: Next ×${(facts.counts.Node - 1).toLocaleString('en-US')}`);
    expect(group('main.Medium').map((x) => x.count)).to.deep.equal([facts.counts.Medium]);
    // Each fold's figures are the session's: its members' sizes and retained sizes add up to the label.
    for (const x of f) expect(x.retain).to.be.at.least(x.bytes);
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
    // Every drawn type's count, bytes and retained bytes are the session's type rows: reachable objects only, as
    // `goheap types` counts them; with --all every object, and the reachable ones said apart.
    const rows = new Map(s.typeRows().map((r) => [r.type, r]));
    for (const n of types) {
      const r = rows.get(n.lines[0]);
      if (r === undefined) continue; // a name cut at 96 characters
      expect(n.lines[1]).to.equal(`${r.reachableCount.toLocaleString('en-US')} object${r.reachableCount === 1 ? '' : 's'}`);
      expect(n.lines[2]).to.equal(b(r.reachableBytes));
      expect(n.lines[3]).to.equal(`retains ${b(r.retained)}`);
    }
    const allTypes = nodes(svg.typesAll, /^t\d+$/);
    for (const n of allTypes) {
      const r = rows.get(n.lines[0]);
      if (r === undefined) continue;
      const reachable = r.reachableCount < r.count ? ` (${r.reachableCount.toLocaleString('en-US')} reachable)` : '';
      expect(n.lines[1]).to.equal(`${r.count.toLocaleString('en-US')} object${r.count === 1 ? '' : 's'}${reachable}`);
      expect(n.lines[2]).to.equal(b(r.bytes));
    }
    // What --all adds is the garbage: every unreachable object of the dump (the program's dropped chain among them).
    const figures = (ns: SvgItem[]) => ns.map((n) => /^([\d,]+) objects?(?: \(([\d,]+) reachable\))?$/.exec(n.lines[1])!)
      .map((m) => [Number(m[1].replace(/,/g, '')), Number((m[2] ?? m[1]).replace(/,/g, ''))]);
    let unreachable = 0;
    for (let i = 0; i < s.objectCount; i++) if (!s.isReachable(i)) unreachable++;
    expect(unreachable).to.be.at.least(facts.counts.Garbage);
    expect(figures(allTypes).reduce((x, [c, r]) => x + c - r, 0)).to.equal(unreachable);
    expect(figures(types).reduce((x, [c, r]) => x + c - r, 0)).to.equal(0);
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
      expect(stderr).to.match(/^goheap: dot: folded [\d,]+ objects \([\d,]+ B\) into \d+ nodes of siblings of one type and \d+ chains\ngoheap: dot: drew the top \d+ objects and \d+ root nodes of the dominator tree; collapsed [\d,]+ smaller subtrees \([\d,]+ objects, [\d,]+ B\) into \d+ nodes\n/);
      const items = readSvg(renderWithDot(out));
      const drawn = nodes(items, /^o\d+$/).length + folds(items).reduce((x, f) => x + f.count, 0);
      expect(nodes(items, /^o\d+$/).length + nodes(items, /^r\d+$/).length + folds(items).length).to.equal(30);
      const collapsed = nodes(items, /^c_/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
      const garbage = nodes(items, /^garbage$/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
      const s = await HeapSession.open(dump, { binary });
      expect(drawn + collapsed + garbage).to.equal(s.objectCount);
      s.close();
      // main.Forest's trees: 4 x 156 TreeNodes, each tree dominated by its root node.
      const forest = nodes(items, /^r\d+$/).find((n) => n.lines[0] === 'global main.Forest');
      expect(forest, 'main.Forest is among the biggest roots').to.not.equal(undefined);
    });

    it(`go${version}: the Boxes list is one chain node between its head and its tail; the forest one node per level`, async () => {
      const out = path.join(dir, 'folds.dot');
      dumptodot(out, dump, binary, '--quiet');
      const items = readSvg(renderWithDot(out));
      const f = folds(items);
      // The list of facts.counts.Box boxes hangs from main.Boxes: its head (the global's box), the chain, its tail.
      const chains = f.filter((x) => x.kind === 'chain' && x.type === facts.boxType);
      expect(chains.map((x) => [x.type, x.count, x.bytes])).to.deep.equal([[facts.boxType, facts.counts.Box - 2, (facts.counts.Box - 2) * facts.sizes.Box]]);
      const chain = chains[0];
      expect(chain.lines[0]).to.equal(`${facts.boxType} × ${facts.counts.Box - 2} via Next`);
      expect(chain.lines[1]).to.equal(`${facts.counts.Box - 1} hops from head to tail`);
      const edges = items.filter((x) => x.kind === 'edge');
      const headEdge = edges.find((x) => x.title.endsWith(`->${chain.title}`) && x.title.startsWith('o'));
      const tailEdge = edges.find((x) => x.title.startsWith(`${chain.title}->o`) && x.lines[0] === 'Next');
      expect(headEdge?.lines[0]).to.equal('Next');
      const s = await HeapSession.open(dump, { binary });
      try {
        const head = Number(headEdge!.title.split('->')[0].slice(1));
        const tail = Number(tailEdge!.title.split('->')[1].slice(1));
        expect(s.address(head)).to.equal(addr(facts.addresses.Boxes));
        expect([s.typeName(head), s.typeName(tail)]).to.deep.equal([facts.boxType, facts.boxType]);
        // The tail is the last box: it points at no box.
        const end = s.graph.edgeStart[tail + 1];
        for (let e = s.graph.edgeStart[tail]; e < end; e++) expect(s.typeName(s.graph.edgeTarget[e])).to.not.equal(facts.boxType);
        // The chain retains what the boxes between head and tail retain, the tail's subtree left out.
        const first = s.dominated({ kind: 'object', object: head }, 0, 1).items[0] as { object: number };
        expect(chain.retain).to.equal(s.retained(first.object) - s.retained(tail));
      } finally {
        s.close();
      }
      // The forest: the trees' nodes level by level, 4, 20, 100, 500 (facts: 4 trees of 156); each level reaches the
      // next through its Children arrays, so no level chain folds them.
      const levels = f.filter((x) => x.kind === 'group' && x.type === 'main.TreeNode').map((x) => x.count);
      const perLevel = [1, 5, 25, 125].map((n) => n * facts.counts.Trees);
      expect(levels).to.deep.equal(perLevel);
      expect(levels.reduce((x, y) => x + y, 0)).to.equal(facts.counts.TreeNode);
      expect(f.filter((x) => x.type === 'main.TreeNode').map((x) => x.bytes)).to.deep.equal(perLevel.map((n) => n * facts.sizes.TreeNode));
    });
  }
});

describe('export: DOT default picture of fixtures/spread: each structure one folded node, the program\'s counts and bytes', function () {
  this.timeout(300000);
  for (const version of SPREAD_VERSIONS) {
    it(`go${version}: 1,500 subscriptions, 3,000 cache entries, 300 jobs: one node each, with what they retain together`, () => {
      const f = spreadFacts(version).heap2;
      const out = path.join(scratchDir(`dot-spread-${version}-${process.pid}`), 'spread.dot');
      dumptodot(out, spreadDump(version, 'heap2'), spreadBinary(version), '--quiet');
      const items = readSvg(renderWithDot(out));
      const groups = folds(items).filter((x) => x.kind === 'group');
      const one = (match: (type: string) => boolean) => {
        const found = groups.filter((x) => match(x.type));
        expect(found, groups.map((x) => x.type).join(', ')).to.have.length(1);
        return found[0];
      };
      // Each subscription is reachable from main.Events and from its goroutine; each entry from two maps; each job
      // from the registry and its goroutine: no root dominates one, so they hang from the roots side by side.
      const subs = one((t) => t.startsWith('main.Subscription['));
      expect([subs.count, subs.bytes, subs.retain]).to.deep.equal([f.subscriptions.count, f.subscriptions.bytes, f.subscriptionsAlone.bytes]);
      const entries = one((t) => t === 'main.Entry');
      expect([entries.count, entries.bytes, entries.retain]).to.deep.equal([f.entries.count, f.entries.bytes, f.entriesAlone.bytes]);
      const jobs = one((t) => t === 'main.Job');
      expect([jobs.count, jobs.bytes, jobs.retain]).to.deep.equal([f.jobs.count, f.jobs.bytes, f.jobsAlone.bytes]);
      const profiles = one((t) => t === 'main.Profile');
      expect([profiles.count, profiles.bytes]).to.deep.equal([f.profiles.count, f.profiles.bytes]);
      // A few hundred nodes at most, whatever the heap holds.
      expect(items.filter((x) => x.kind === 'node').length).to.be.below(300);
    });
  }
});

describe('export: DOT default picture of fixtures/leak: the shared expression tree level by level, the leaked requests as one node', function () {
  this.timeout(300000);
  for (const version of ['1.19', '1.22', '1.26']) {
    it(`go${version}: the tree's levels under its root (2; 4 ... 2,048 as one chain; 4,096); 300 main.Request with their payloads`, () => {
      const dirOf = path.join(ROOT, '.cache/fixtures/leak', `go${version}`);
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/leak', `go${version}`, 'facts.json'), 'utf8')) as {
        exprNodes: number; treeBytes: number; leaked: { heap2: number }; sizes: { Expr: number; Request: number; Payload: number };
      };
      const out = path.join(scratchDir(`dot-leak-${version}-${process.pid}`), 'leak.dot');
      dumptodot(out, path.join(dirOf, 'heap2.dump'), path.join(dirOf, 'leak'), '--quiet');
      const items = readSvg(renderWithDot(out));
      const groups = folds(items).filter((x) => x.kind === 'group');
      // The complete tree of facts.exprNodes nodes: its root on its own, then one node per level.
      // 2 under the root, the levels of 4 ... 2,048 folded into one chain node, the 4,096 leaves.
      const levels = folds(items).filter((x) => x.type === 'main.Expr');
      const depth = Math.log2(facts.exprNodes + 1);
      const middle = facts.exprNodes - 1 - 2 - 2 ** (depth - 1);
      expect(levels.map((x) => [x.kind, x.count, x.bytes])).to.deep.equal([['group', 2, 2 * facts.sizes.Expr], ['chain', middle, middle * facts.sizes.Expr],
        ['group', 2 ** (depth - 1), 2 ** (depth - 1) * facts.sizes.Expr]]);
      expect(levels[1].lines.slice(0, 2)).to.deep.equal([`main.Expr × ${middle.toLocaleString('en-US')} via Left, Right`, `${depth - 3} levels folded, ${depth - 2} hops to the last`]);
      expect(levels[0].retain + facts.sizes.Expr).to.equal(facts.treeBytes);
      const root = nodes(items, /^o\d+$/).filter((n) => n.lines[0] === 'main.Expr');
      expect(root).to.have.length(1);
      expect(root[0].lines[root[0].lines.length - 1]).to.equal(`${b(facts.sizes.Expr)}, retains ${b(facts.treeBytes)}`);
      // The parked handlers are one root node (identical stacks); the requests they hold, one node under it.
      const requests = groups.filter((x) => x.type === 'main.Request');
      expect(requests.map((x) => [x.count, x.bytes, x.retain])).to.deep.equal([[facts.leaked.heap2, facts.leaked.heap2 * facts.sizes.Request,
        facts.leaked.heap2 * (facts.sizes.Request + facts.sizes.Payload)]]);
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
        const folded = folds(items).reduce((x, f) => x + f.count, 0);
        const collapsed = nodes(items, /^c_/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
        const garbage = nodes(items, /^garbage$/).map((n) => objectsIn(n.lines[1])).reduce((x, y) => x + y, 0);
        expect(drawn.length + folded + collapsed + garbage).to.equal(s.objectCount);
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
