// fixtures/bigarray (Go 1.26): objects whose types hold big inline arrays. main.Ifaces (2,048 interfaces) is 32 KiB
// exactly: a large object (a small one with a malloc header would be asked for at most 32 KiB - 8 bytes), which
// carries no header, so its type is not in its first word and pointers to it point at its first byte. It is typed
// from main.BigIface, with its fields at their own offsets, and the Sq values it holds are counted as the program
// counts them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json } from '../cli/analysis-cli.js';

describe('bigarray go1.26: a 32 KiB large object (no malloc header) typed from its pointer', function () {
  const dir = path.join(ROOT, '.cache/fixtures/bigarray/go1.26');
  const dump = path.join(dir, 'heap1.dump');
  const bin = path.join(dir, 'bigarray');
  const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/bigarray/go1.26/facts.json'), 'utf8'));
  let cache: string;
  before(function () {
    cache = scratchDir('bigarray-typing');
  });

  it('main.Ifaces at the address the program printed, Items at offset 0; every Sq it holds counted; >= 99% typed', function () {
    const o = json(cache, 'object', dump, bin, facts.addresses.BigIface);
    expect(o).to.include({ type: 'main.Ifaces', size: 32768 });
    const items = o.fields.find((x: { name: string }) => x.name === 'Items');
    expect(items).to.include({ offset: 0, type: `[${facts.counts.Items}]main.Shape` });
    const types = json(cache, 'types', dump, bin, '--limit', '0');
    expect(types.types.find((r: { name: string }) => r.name === 'main.Sq')?.count).to.equal(facts.counts.ItemsSet);
    const info = json(cache, 'info', dump, bin);
    console.log(`      go1.26: typed ${(100 * info.typedBytes / info.reachableBytes).toFixed(2)}% of ${info.reachableBytes} reachable bytes`);
    expect(info.typedBytes / info.reachableBytes).to.be.at.least(0.99);
  });
});
