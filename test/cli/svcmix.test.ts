// fixtures/svcmix: a program shaped like a service (handlers blocked in a send and in a select holding their
// requests, a 5,000-entry cache map, timers, a generic LRU and set, users shared by two indexes, a pub/sub broker
// whose undrained subscriber channels leak every message), tried command by command as a new user would, each
// answer checked against what the program printed about itself: type counts and bytes, what each blocked group
// holds, map sizes, timers, the spread leak among the suspects; and the globals that point at values the linker
// allocated statically (`var Sessions = NewLRU(...)`), an address of such a value, a time.Timer asked for on Go
// 1.23+, and Ctrl-C during an export.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { hprofCheck } from '../support/visualvm.js';
import { SVCMIX_VERSIONS, svcmixBinary, svcmixDump, svcmixFacts } from '../support/svcmix.js';
import { json, run, sharedJson } from './analysis-cli.js';

const cache = scratchDir('cli-svcmix');
const minor = (v: string): number => Number(v.split('.')[1]);

describe('cli: a service-shaped program (fixtures/svcmix)', function () {
  for (const version of SVCMIX_VERSIONS) {
    const bin = svcmixBinary(version);
    const facts = svcmixFacts(version);
    for (const dump of ['heap1', 'heap2'] as const) {
      const f = facts[dump];
      const file = svcmixDump(version, dump);

      it(`go${version} ${dump}: types gives every type's count and bytes as the program counted them`, function () {
        const j = sharedJson(cache, 'types', file, bin, '--limit', '0');
        for (const [name, s] of Object.entries(f.types)) {
          const row = j.types.find((t: { name: string }) => t.name === name);
          expect(row, name).to.not.equal(undefined);
          expect({ name, count: row.count, bytes: row.bytes }).to.deep.equal({ name, count: s.count, bytes: s.bytes });
        }
        // What each structure alone keeps alive: a message with its payload, a cache item with its value.
        expect(j.types.find((t: { name: string }) => t.name === 'main.Message').retainedBytes).to.equal(f.alone.messages.bytes);
        expect(j.types.find((t: { name: string }) => t.name === 'main.CacheItem').retainedBytes).to.equal(f.alone.cacheItems.bytes);
      });

      it(`go${version} ${dump}: the blocked groups hold their requests live, each retaining what the program said`, function () {
        const j = sharedJson(cache, 'goroutines', file, bin, '--all', '--limit', '0');
        for (const g of f.goroutines) {
          const group = j.groups.find((x: { name: string }) => x.name === g.function);
          expect(group, g.function).to.include({ count: g.count, waitReason: g.reason, status: 'waiting' });
          if (g.heldBytes > 0) expect(group.retained, g.function).to.equal(g.heldBytes);
          // Every goroutine's frame of that function holds one live object of the type it holds.
          const held = new Set<string>();
          for (const gr of group.goroutines) {
            const frame = gr.frames.find((x: { function: string }) => x.function === g.function);
            const local = frame.locals.find((l: { type: string }) => l.type === g.holds);
            expect(local, `${g.function}: a local of type ${g.holds}`).to.not.equal(undefined);
            expect(local.pointers).to.have.length(1);
            expect(local.pointers[0].type).to.equal(g.holds.slice(1));
            held.add(local.pointers[0].target);
          }
          expect(held.size, g.function).to.equal(g.count);
        }
        // The handlers' receiver is main.Srv's value, which the linker allocated: named as the global it is.
        const srv = json(cache, 'object', file, bin, 'main.Srv').pointsAt.address;
        for (const fn of ['main.(*Server).handleSend', 'main.(*Server).handleSelect']) {
          const frame = j.groups.find((x: { name: string }) => x.name === fn).goroutines[0].frames.find((x: { function: string }) => x.function === fn);
          expect(frame.locals.find((l: { name: string }) => l.name === 's')).to.include({ type: '*main.Server', value: `${srv} (&*main.Srv)` });
        }
        const req = j.groups.find((x: { name: string }) => x.name === 'main.(*Server).handleSelect').goroutines[0].frames
          .find((x: { function: string }) => x.function === 'main.(*Server).handleSelect').locals.find((l: { name: string }) => l.name === 'req');
        const o = json(cache, 'object', file, bin, req.pointers[0].target);
        expect(o).to.include({ type: 'main.Request', reachable: true, size: facts.sizes.Request, dominator: 'main.(*Server).handleSelect' });
        expect(o.retained).to.equal(facts.sizes.Request + f.goroutines[1].bodySize);
      });

      it(`go${version} ${dump}: the messages every subscriber's channel holds are the first aggregate suspect, with the program's count`, function () {
        // At 5%: on heap1 they keep about 10% of the heap, on either side of the default threshold by version.
        const j = sharedJson(cache, 'suspects', file, bin, '--threshold', '0.05');
        const m = j.suspects.find((x: { kind: string; name: string }) => x.kind === 'aggregate' && x.name === 'main.Message');
        expect(m, JSON.stringify(j.suspects.map((x: { summary: string }) => x.summary))).to.not.equal(undefined);
        expect(m).to.include({ count: f.messages.count, runtime: false });
        // The broker is a value the linker allocated (facts "static"): its root is the global "*main.Broker".
        expect(m.roots).to.deep.equal(facts.sharedBy['main.Message'].map((n) => (n in facts.static ? `*${n}` : n)).sort());
        expect(m.parts[0]).to.include({ type: 'main.Message', count: f.messages.count, bytes: f.types['main.Message'].bytes, retained: f.alone.messages.bytes });
        expect(m.composition.find((p: { type: string }) => p.type === `[${f.messages.payload}]uint8`)).to.include({ count: f.messages.count, bytes: f.messages.count * f.messages.payload });
        expect(m.accumulation.children).to.equal(f.messages.count);
        // No suspect is an aggregate of runtime or garbage objects ahead of it.
        for (const x of j.suspects.slice(0, j.suspects.indexOf(m))) expect(x.runtime, x.summary).to.equal(false);
      });

      it(`go${version} ${dump}: no two suspects count the same bytes: the requests' bodies are the requests' suspect's alone`, function () {
        const j = sharedJson(cache, 'suspects', file, bin);
        const program = j.suspects.filter((x: { runtime: boolean }) => !x.runtime);
        expect(program.reduce((n: number, x: { retained: number }) => n + x.retained, 0)).to.be.at.most(j.reachableBytes);
        // Each request (in either group of handlers) keeps its body; no suspect counts the bodies apart from them.
        expect(j.suspects.filter((x: { kind: string; name: string }) => x.kind === 'type' && x.name === '[]uint8')).to.deep.equal([]);
        const held = f.goroutines[0].heldBytes + f.goroutines[1].heldBytes;
        const req = j.suspects.find((x: { kind: string; name: string }) => x.kind === 'type' && x.name === 'main.Request');
        // A type suspect when the requests keep 10% of the heap (heap1); below the threshold on heap2.
        if (held >= 0.1 * j.reachableBytes) expect(req).to.include({ count: f.types['main.Request'].count, parents: 2, retained: held });
        else expect(req).to.equal(undefined);
      });

      it(`go${version} ${dump}: roots shows the users shared by the two indexes, and the maps decode to the program's sizes`, function () {
        const j = sharedJson(cache, 'roots', file, bin, '--limit', '0');
        const shared = j.roots.filter((r: { kind: string; types?: { type: string }[] }) => r.kind === 'shared' && r.types?.some((t) => t.type === 'main.User'));
        let users = 0;
        for (const r of shared) {
          expect(r.roots, r.name).to.include.members(facts.sharedBy['main.User']);
          users += r.types.find((t: { type: string }) => t.type === 'main.User').count;
        }
        expect(users).to.equal(f.types['main.User'].count);
        for (const [name, len] of Object.entries(f.maps)) {
          if (!/^main\.(Cache|UsersByID|UsersByEmail|Banned)$/.test(name)) continue;
          const o = json(cache, 'object', file, bin, name);
          expect(o.fields[0].value, name).to.match(new RegExp(`^map\\[${len}\\] \\{`));
        }
        const lru = json(cache, 'object', file, bin, '*main.Sessions');
        expect(lru.fields.find((x: { name: string }) => x.name === 'items').value).to.match(new RegExp(`^map\\[${f.maps['main.Sessions.items']}\\] \\{`));
      });

      if (minor(version) >= 24) {
        it(`go${version} ${dump}: the cache's Swiss tables hold the program's entries, each groups array as long as its table's capacity says`, function () {
          // Each table's groups array holds capacity / 8 groups (a power of two), fewer than its 18 KiB size class
          // would fit (135): named [128]..., not after the size class.
          const tables = json(cache, 'instances', file, bin, 'map[int64]*main.CacheItem table', '--limit', '0').instances;
          expect(tables.length).to.be.above(1);
          let used = 0;
          for (const t of tables) {
            const o = json(cache, 'object', file, bin, t.address);
            const field = (name: string): string => o.fields.find((x: { name: string }) => x.name === name).value;
            used += Number(field('used'));
            const groups = Number(field('capacity')) / 8;
            expect(groups & (groups - 1), `${t.address}: a power of two`).to.equal(0);
            const target = o.fields.find((x: { name: string }) => x.name === 'groups.data').target;
            expect(json(cache, 'object', file, bin, target).type, t.address).to.equal(`[${groups}]map[int64]*main.CacheItem buckets`);
          }
          expect(used).to.equal(f.maps['main.Cache']);
        });
      }
    }

    it(`go${version}: diff puts the messages' growth first among the roots, as memory the broker and its subscribers share`, function () {
      const [f1, f2] = [facts.heap1, facts.heap2];
      const j = json(cache, 'diff', svcmixDump(version, 'heap1'), svcmixDump(version, 'heap2'), bin, '--limit', '0');
      const t = j.types.find((x: { type: string }) => x.type === 'main.Message');
      expect(t).to.include({ countBefore: f1.types['main.Message'].count, countAfter: f2.types['main.Message'].count, bytesDelta: f2.types['main.Message'].bytes - f1.types['main.Message'].bytes });
      const grew = j.roots[0];
      const broker = facts.sharedBy['main.Message'].map((n) => (n in facts.static ? `*${n}` : n)).sort();
      expect(grew).to.include({ kind: 'shared', name: `← ${broker.join(', ')}`, retainedDelta: f2.alone.messages.bytes - f1.alone.messages.bytes });
      const text = run(cache, 'diff', svcmixDump(version, 'heap1'), svcmixDump(version, 'heap2'), bin);
      const kib = ((f2.alone.messages.bytes - f1.alone.messages.bytes) / 1024).toFixed(1).replace('.', '\\.');
      expect(text.stdout).to.match(new RegExp(`\\n\\s*\\+${kib} KiB .* shared ← \\*main\\.Broker, main\\.\\(\\*Subscriber\\)\\.run\\n`));
    });

    it(`go${version}: timers are typed: time.Timer and time.Ticker before Go 1.23, runtime.timeTimer after, and asking for time.Timer says so`, function () {
      const t = facts.timers;
      const j = sharedJson(cache, 'types', svcmixDump(version, 'heap1'), bin, '--limit', '0');
      const row = (n: string) => j.types.find((x: { name: string }) => x.name === n);
      if (minor(version) < 23) {
        expect(row('time.Timer')).to.include({ count: t.newTimer + t.afterFunc, bytes: (t.newTimer + t.afterFunc) * t.timerSize });
        expect(row('time.Ticker')).to.include({ count: t.newTicker, bytes: t.newTicker * t.tickerSize });
        expect(row('runtime.timeTimer')).to.equal(undefined);
      } else {
        expect(row('time.Timer')).to.equal(undefined);
        expect(row('runtime.timeTimer').count).to.equal(t.newTimer + t.newTicker + t.afterFunc);
        for (const name of ['time.Timer', 'time.Ticker']) {
          const r = run(cache, 'instances', svcmixDump(version, 'heap1'), bin, name);
          expect(r.status).to.equal(1);
          expect(r.stderr.trim().split('\n')).to.have.length(1);
          expect(r.stderr).to.include(`no objects of type "${name}": the runtime allocates ${name} objects as runtime.timeTimer (${t.newTimer + t.newTicker + t.afterFunc} runtime.timeTimer objects in this dump`);
        }
      }
      // One channel per NewTimer and NewTicker (AfterFunc has none).
      expect(row('chan time.Time').count).to.equal(t.newTimer + t.newTicker);
    });

    it(`go${version}: a global pointing at a statically allocated value says what that value retains; its address answers as that global`, function () {
      const file = svcmixDump(version, 'heap1');
      const roots = sharedJson(cache, 'roots', file, bin, '--limit', '0');
      for (const [name, s] of Object.entries(facts.static)) {
        const o = json(cache, 'object', file, bin, name);
        // The variable holds no heap pointer itself: what it reaches goes through the value it points at.
        expect(o).to.include({ global: name, retained: 0, reachableBytes: 0 });
        const root = roots.roots.find((r: { name: string }) => r.name === `*${name}`);
        expect(o.pointsAt).to.deep.include({ global: `*${name}`, type: s.type, retained: root?.retained ?? 0 });
        if (root) expect(o.pointsAt.reachableBytes).to.equal(root.reachable);
        // Its address (as `object` prints the variable's value) and any address inside it: that value, as a global.
        const inside = `0x${(Number.parseInt(o.pointsAt.address, 16) + 8).toString(16)}`;
        for (const a of [o.pointsAt.address, inside]) {
          const p = json(cache, 'object', file, bin, a);
          expect(p).to.include({ global: `*${name}`, type: s.type, size: s.size, address: o.pointsAt.address });
        }
        const path1 = run(cache, 'path', file, bin, o.pointsAt.address);
        expect(path1.status).to.equal(1);
        expect(path1.stderr).to.equal(`goheap: ${file}: no heap object at ${o.pointsAt.address}: it is in global *${name}, a root itself (goheap object DUMP BINARY '*${name}' shows what it holds)\n`);
      }
      // The LRU's value retains every session with its entry and data (and the map's groups or buckets).
      const s = json(cache, 'object', file, bin, 'main.Sessions');
      expect(s.pointsAt.retained).to.be.at.least(facts.heap1.alone.sessions.bytes);
      const text = run(cache, 'object', file, bin, 'main.Sessions');
      expect(text.stdout).to.match(/^points at {2}\*main\.Sessions \(0x[0-9a-f]+, main\.LRU\[int64,\*main\.Session\], allocated statically\): retains [\d.]+ KiB, reaches [\d.]+ KiB$/m);
    });
  }

  it('dumptohprof: VisualVM\'s heap library reads every type with the program\'s count and bytes, and a thread per goroutine', function () {
    const out = scratchDir('cli-svcmix-hprof');
    for (const version of SVCMIX_VERSIONS) {
      const f = svcmixFacts(version).heap2;
      const hprof = path.join(out, `go${version}.hprof`);
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/dumptohprof.js'), svcmixDump(version, 'heap2'), svcmixBinary(version), hprof, '--quiet'],
        { encoding: 'utf8', env: { ...process.env, GOHEAP_CACHE_DIR: cache } });
      expect(r.status, r.stderr).to.equal(0);
      const v = hprofCheck<{ classes: { name: string; count: number; bytes: number; statics: { name: string }[] }[]; threads: { name: string }[] }>(hprof, ['40']);
      // The values the linker allocated for pointer globals are static fields of package main, named with their star.
      const statics = v.classes.find((x) => x.name === 'main')?.statics.map((x) => x.name) ?? [];
      for (const g of ['*Broker', '*Sessions']) expect(statics.filter((x) => x === g || x.startsWith(`${g}.`)), g).to.not.deep.equal([]);
      expect(v.classes.filter((x) => x.statics.length > 0 && x.name.startsWith('*')).map((x) => x.name)).to.deep.equal([]);
      for (const [name, s] of Object.entries(f.types)) {
        const c = v.classes.find((x) => x.name === name);
        expect({ name, count: c?.count, bytes: c?.bytes }).to.deep.equal({ name, count: s.count, bytes: s.bytes });
      }
      for (const g of f.goroutines) {
        expect(v.threads.filter((t) => t.name.endsWith(` ${g.function} [${g.reason}]`)), g.function).to.have.length(g.count);
      }
    }
  });

  it('another heap tool\'s name for a command (referrers, heapsnapshot) says which command answers it, in one line', function () {
    const dump = svcmixDump('1.26', 'heap1');
    const bin = svcmixBinary('1.26');
    const cases: [string, RegExp][] = [
      ['referrers', /^goheap: no command "referrers"; an object's referrers are listed by `goheap object DUMP BINARY ADDRESS`/],
      ['heapsnapshot', /^goheap: no command "heapsnapshot"; the Chrome heap snapshot export is `goheap snapshot DUMP \[BINARY\] heap\.heapsnapshot`/],
    ];
    for (const [word, line] of cases) {
      const r = run(cache, word, dump, bin, '0x1');
      expect(r.status).to.equal(1);
      expect(r.stderr.split('\n').filter(Boolean)).to.have.length(1);
      expect(r.stderr).to.match(line);
      expect(r.stderr).to.include('(commands: info, types, object,');
    }
  });

  it('Ctrl-C during an export ends it with one line naming the output, and leaves nothing behind', async function () {
    const out = scratchDir('cli-svcmix-sigint');
    // The biggest fixture's dump (as test/export/output-policy.test.ts takes): svcmix's DOT is written so fast that
    // the export could end between seeing its temporary file and the signal arriving.
    const dump = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/heap1.dump');
    const bin = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/httpserver');
    run(cache, 'info', dump, bin, '--quiet'); // the index, so the export starts at once
    const target = path.join(out, 'all.dot');
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), 'dot', dump, bin, '--all', '-o', target],
      { env: { ...process.env, GOHEAP_CACHE_DIR: cache }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    let sent = false;
    const poll = setInterval(() => {
      if (sent) return;
      for (const n of fs.readdirSync(out)) {
        if (n.endsWith('.tmp') && fs.statSync(path.join(out, n)).size > 0) {
          sent = true;
          c.kill('SIGINT');
        }
      }
    }, 2);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => c.on('close', (a, b) => resolve([a, b])));
    clearInterval(poll);
    expect(sent, 'the export never started writing').to.equal(true);
    expect([code, signal]).to.deep.equal([null, 'SIGINT']);
    expect(stderr.split('\n').filter((l) => l.includes('interrupted'))).to.deep.equal([`goheap: ${target}: interrupted by SIGINT; nothing was written`]);
    expect(fs.readdirSync(out)).to.deep.equal([]);
  });
});
