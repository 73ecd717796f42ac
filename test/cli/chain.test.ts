// A heap whose memory accumulates in a chain (fixtures/chain: a global linked list of 20,000 nodes, each keeping the
// next): `suspects` says so, with the number of links the program made and its first link; `path` to the last link
// shows the links between as one hop standing for as many as the program put there, on a few lines; `dumptodot
// --focus` labels the pointer after it with the links it stands for, and Graphviz lays the picture out.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED_INDEX } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

const dir = path.join(ROOT, '.cache/fixtures/chain/go1.26');
const dump = path.join(dir, 'heap1.dump');
const binary = path.join(dir, 'chain');
const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/chain/go1.26/facts.json'), 'utf8')) as {
  links: number; nodeBytes: number; headAddress: string; lastAddress: string;
};

describe('cli: a chain (a linked list of 20,000 nodes)', function () {
  this.timeout(120000);
  const cache = SHARED_INDEX;

  it('suspects: main.head accumulates in a chain of as many main.Node as the program linked, from its first', function () {
    const j = json(cache, 'suspects', dump, binary);
    const s = j.suspects.find((x: { name: string }) => x.name === 'main.head');
    expect(s, JSON.stringify(j.suspects.map((x: { summary: string }) => x.summary))).to.not.equal(undefined);
    expect(s.accumulation).to.include({ type: 'main.Node', address: facts.headAddress, chain: facts.links, children: facts.links });
    expect(s.accumulation.childGroups).to.deep.equal([{ type: 'main.Node', count: facts.links, retained: s.accumulation.retained }]);
    // Each link is its size class' 48 bytes: the chain retains them all.
    expect(s.accumulation.retained).to.equal(facts.links * 48);
    expect(facts.nodeBytes).to.be.within(33, 48);
    expect(s.summary).to.contain(`accumulates in a chain of ${facts.links.toLocaleString('en-US')} main.Node`);
    expect(s.path.map((p: { name: string }) => p.name)).to.deep.equal(['main.head', 'main.Node']);
    const text = run(cache, 'suspects', dump, binary).stdout;
    expect(text).to.contain(`accumulates in a chain of ${facts.links} main.Node, each keeping the next, from ${facts.headAddress}`);
  });

  it('path: the links between the first few and the last are one hop, standing for as many as there are', function () {
    const j = json(cache, 'path', dump, binary, facts.lastAddress);
    const hops = j.path as { kind: string; name: string; address: string; field: string | null; repeat?: number }[];
    expect(hops[0]).to.include({ kind: 'global', name: 'main.head' });
    expect(hops[1]).to.include({ address: facts.headAddress, type: 'main.Node' });
    expect(hops[hops.length - 1]).to.include({ address: facts.lastAddress, type: 'main.Node', field: 'Next' });
    // Every link is on the path, shown or stood for: the root, then links - 1 pointers after the first.
    const links = hops.slice(1).reduce((n, h) => n + (h.repeat ?? 1), 0);
    expect(links).to.equal(facts.links);
    const chain = hops.filter((h) => h.repeat !== undefined);
    expect(chain).to.have.length(1);
    expect(chain[0]).to.include({ type: 'main.Node', field: 'Next' });
    expect(hops.length).to.be.below(40);
    const text = run(cache, 'path', dump, binary, facts.lastAddress);
    expect(text.status).to.equal(0);
    expect(text.stdout).to.contain(`.Next → ${chain[0].repeat!.toLocaleString('en-US')} x main.Node from ${chain[0].address}`);
    expect(text.stdout.split('\n').length).to.be.below(45);
  });

  it('dumptodot --focus on the last link: the pointer after the elided links says how many, and dot lays it out', function () {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/dumptodot.js'), dump, binary, '--focus', facts.lastAddress], {
      encoding: 'utf8', env: { ...process.env, GOHEAP_CACHE_DIR: cache },
    });
    expect(r.status, r.stderr).to.equal(0);
    const p = json(cache, 'path', dump, binary, facts.lastAddress).path as { repeat?: number }[];
    const elided = p.find((h) => h.repeat !== undefined)!.repeat! - 1;
    expect(r.stdout).to.contain(`label="Next (through ${elided.toLocaleString('en-US')} more)"`);
    const dot = spawnSync('dot', ['-Tsvg'], { input: r.stdout, encoding: 'utf8' });
    expect(dot.status, dot.stderr).to.equal(0);
    expect(dot.stdout).to.contain('<svg');
  });
});
