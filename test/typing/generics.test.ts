// Generic instantiations named as the user wrote them (fixtures/generics: 40 subscribers parked in goroutines
// running shape code, each holding its own Subscription[Event] and Counter[Event] that only its frame reaches, so
// the frames give shape types): `types` counts them under the names %T prints, no row but closures' carries a
// shape name, and `instances` and the viewer's /type/ take those names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../support/fixtures.js';
import { json } from '../cli/analysis-cli.js';
import { openViewer } from '../viewer/viewer-support.js';

const CACHE = path.join(ROOT, '.cache/test-index/generics');

for (const v of ['1.19', '1.22', '1.26']) {
  describe(`generics go${v}: shape-instantiated types named by their real instantiation`, function () {
    this.timeout(300000);
    const dir = path.join(ROOT, '.cache/fixtures/generics', `go${v}`);
    const dump = path.join(dir, 'heap1.dump');
    const bin = path.join(dir, 'generics');
    const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/generics', `go${v}`, 'facts.json'), 'utf8'));

    it('types counts every Subscription and Counter under the name %T prints; no shape name but in closures', () => {
      for (const byLength of [[], ['--by-length']]) {
        const rows: { name: string; count: number }[] = json(CACHE, 'types', dump, bin, '--limit', '0', ...byLength).types;
        expect(rows.find((r) => r.name === facts.subscription)?.count, facts.subscription).to.equal(facts.subscriptions);
        expect(rows.find((r) => r.name === facts.counter)?.count, facts.counter).to.equal(facts.subscriptions);
        expect(rows.filter((r) => r.name.includes('go.shape.') && !r.name.startsWith('closure ')).map((r) => r.name)).to.deep.equal([]);
      }
    });

    it('types at least 99% of the reachable bytes', () => {
      const info = json(CACHE, 'info', dump, bin);
      console.log(`      go${v}: typed ${(100 * info.typedBytes / info.reachableBytes).toFixed(2)}% of ${info.reachableBytes} reachable bytes`);
      expect(info.typedBytes / info.reachableBytes).to.be.at.least(0.99);
    });

    it('instances, object and the viewer take the names', async () => {
      const inst = json(CACHE, 'instances', dump, bin, facts.subscription, '--limit', '0');
      expect(inst.count).to.equal(facts.subscriptions);
      const obj = json(CACHE, 'object', dump, bin, inst.instances[0].address);
      expect(obj.type).to.equal(facts.subscription);
      const viewer = await openViewer(dump, bin);
      try {
        const r = await viewer.app.inject({ url: `/api/type/${encodeURIComponent(facts.counter)}`, headers: { host: 'localhost' } });
        expect(r.statusCode).to.equal(200);
        expect(JSON.parse(r.body).count).to.equal(facts.subscriptions);
      } finally {
        await viewer.close();
      }
    });
  });
}
