// How a command starts: `make build` bundles the command lines (scripts/bundle-cli.mjs), so a warm command loads a
// handful of modules instead of goheap's and yargs' ~180 one by one; and the bundled command still finds goheap's own
// files (package.json, the workers a cold open starts, the viewer's assets) from the package root. Which files a run
// loads is told by a module loader hook of node's own (module.register), not by goheap.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

/** Runs `goheap ARGS` with a loader hook that lists every file: URL node loads; returns the run and those files. */
function goheapLoading(dir: string, cacheDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const list = path.join(dir, `loaded-${args[0]}.txt`);
  const hooks = path.join(dir, 'hooks.mjs');
  fs.writeFileSync(hooks, [
    "import { appendFileSync } from 'node:fs';",
    'export async function load(url, context, next) {',
    `  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(list)}, url + '\\n');`,
    '  return next(url, context);',
    '}',
  ].join('\n'));
  const register = path.join(dir, 'register.mjs');
  fs.writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  fs.rmSync(list, { force: true });
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, CLI, ...args], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, GOHEAP_CACHE_DIR: cacheDir },
  });
  if (r.error) throw r.error;
  const loaded = fs.existsSync(list) ? fs.readFileSync(list, 'utf8').trim().split('\n').map((u) => path.relative(ROOT, new URL(u).pathname)) : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

describe('command start (the bundled command line)', function () {
  this.timeout(300_000);
  const dir = scratchDir('cli-startup');
  const cacheDir = path.join(dir, 'index');
  const dump = zooDump('1.26');
  const binary = zooBinary('1.26');

  it('a cold open from the bundle starts its save worker and writes the index; the warm info equals it', () => {
    const cold = goheapLoading(dir, cacheDir, 'info', dump, binary, '--json');
    expect(cold.status, cold.stderr).to.equal(0);
    // The analysis index was written by a worker of tsc's output, found from the package root (not next to the
    // bundle's chunk, where it is not).
    expect(cold.loaded).to.include('dist/lib/session/save-worker.js');
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.idx')).length).to.be.greaterThan(1);
    const warm = goheapLoading(dir, cacheDir, 'info', dump, binary, '--json');
    expect(warm.status, warm.stderr).to.equal(0);
    expect(JSON.parse(warm.stdout)).to.deep.equal(JSON.parse(cold.stdout));
  });

  for (const command of ['info', 'types', 'suspects']) {
    it(`a warm ${command} loads the bundle's few modules: none of goheap's modules one by one, none of yargs'`, () => {
      goheapLoading(dir, cacheDir, command, dump, binary, '--json'); // keeps what the command keeps on its first run
      const r = goheapLoading(dir, cacheDir, command, dump, binary, '--json');
      expect(r.status, r.stderr).to.equal(0);
      expect(r.loaded[0]).to.equal('dist/cli/goheap.js');
      const outside = r.loaded.filter((f) => !f.startsWith('dist/cli/chunks/') && f !== 'dist/cli/goheap.js');
      expect(outside, 'files loaded besides the bundle').to.deep.equal([]);
      expect(r.loaded.length).to.be.at.most(10);
    });
  }

  it('--version reads package.json from the package root', () => {
    const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).to.equal(pkg.version);
    for (const other of ['dumptodot', 'dumptohprof']) {
      const o = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli', `${other}.js`), '--version'], { encoding: 'utf8' });
      expect(o.stdout.trim(), other).to.equal(pkg.version);
    }
  });
});
