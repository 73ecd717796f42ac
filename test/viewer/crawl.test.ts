// Every link of the viewer leads to a page: a breadth-first crawl (bounded) from the overview over several
// fixtures (zoo on Go 1.19 and 1.26, leak, httpserver, generics), following every href of every HTML page and its JSON
// twin, and finding no 4xx or 5xx. Links reached from the client script (a retainer's referrers, a tree node's
// children) are JSON: their hrefs are followed too.
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, zooBinary, zooDump } from '../support/fixtures.js';
import { openViewer } from './viewer-support.js';
import { crawl } from './crawl-support.js';

export { crawl, pageLinks } from './crawl-support.js';

const fixture = (name: string, version: string, dump = 'heap1'): [string, string] => {
  const dir = path.join(ROOT, '.cache/fixtures', name, `go${version}`);
  return [path.join(dir, `${dump}.dump`), path.join(dir, name)];
};

const CASES: [string, string, string][] = [
  ['zoo 1.19', zooDump('1.19', 'heap2'), zooBinary('1.19')],
  ['zoo 1.26', zooDump('1.26', 'heap2'), zooBinary('1.26')],
  ['leak 1.26', ...fixture('leak', '1.26', 'heap2')],
  ['httpserver 1.22', ...fixture('httpserver', '1.22')],
  ['generics 1.19', ...fixture('generics', '1.19')],
];

describe('viewer crawl: every link leads to a page', function () {
  this.timeout(600000);
  for (const [name, dump, binary] of CASES) {
    it(`${name}: 300 pages breadth-first, no 4xx or 5xx`, async () => {
      const v = await openViewer(dump, binary);
      try {
        const { visited, failures } = await crawl(v, 300);
        expect(visited).to.equal(300);
        expect(failures, failures.slice(0, 30).join('\n')).to.deep.equal([]);
      } finally {
        await v.close();
      }
    });
  }
});
