// Test helpers shared by test/elf, test/dwarf and test/gotypes: the zoo fixture paths for every Go
// version, parsers for `readelf -S -W` / `readelf -s -W` output (the independent oracle), and
// cross-compiled zoo binaries (ELF32 LE/BE, ELF64 BE) built once with the bundled Go toolchain.

import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (dist/test/elf -> ../../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GO_VERSIONS = ['1.19', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26'] as const;

export function zooDir(v: string): string {
  return path.join(ROOT, '.cache/fixtures/zoo', `go${v}`);
}
export function zooBinary(v: string): string {
  return path.join(zooDir(v), 'zoo');
}

export interface Facts {
  goVersion: string;
  goarch: string;
  ptrSize: number;
  sizes: Record<string, number>;
  addresses: Record<string, string | string[]>;
  recurseFunc: string;
}
export function zooFacts(v: string): Facts {
  return JSON.parse(fs.readFileSync(path.join(zooDir(v), 'facts.json'), 'utf8')) as Facts;
}

/** Runs a tool and returns its stdout (large buffer for dwarfdump output). */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: number;
  offset: number;
  size: number;
  flags: string;
}

/** Parses `readelf -S -W`. */
export function readelfSections(file: string): ReadelfSection[] {
  const out: ReadelfSection[] = [];
  for (const line of run('readelf', ['-S', '-W', file]).split('\n')) {
    const m = /^\s*\[\s*(\d+)\](.*)$/.exec(line);
    if (!m) continue;
    const r = /^(.*?)\s+([A-Z_0-9]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s*(\d+)\s+(\d+)\s+(\d+)$/.exec(m[2]);
    if (!r) continue;
    out.push({
      index: Number(m[1]),
      name: r[1].trim(),
      type: r[2],
      addr: parseInt(r[3], 16),
      offset: parseInt(r[4], 16),
      size: parseInt(r[5], 16),
      flags: r[7],
    });
  }
  return out;
}

export interface ReadelfSymbol {
  index: number;
  value: number;
  size: number;
  type: string;
  bind: string;
  name: string;
}

/** Parses the .symtab part of `readelf -s -W`. */
export function readelfSymbols(file: string): ReadelfSymbol[] {
  const out: ReadelfSymbol[] = [];
  let inSymtab = false;
  for (const line of run('readelf', ['-s', '-W', file]).split('\n')) {
    if (line.startsWith('Symbol table')) inSymtab = line.includes("'.symtab'");
    if (!inSymtab) continue;
    const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s?(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      index: Number(m[1]),
      value: parseInt(m[2], 16),
      size: m[3].startsWith('0x') ? parseInt(m[3], 16) : Number(m[3]),
      type: m[4],
      bind: m[5],
      name: m[8],
    });
  }
  return out;
}

/** The GOARCHes cross-built for ELF class/byte-order coverage. */
export const CROSS_ARCHES = ['386', 'mips', 's390x'] as const;

/**
 * Builds the zoo program for `arch` with the bundled Go 1.26 toolchain into .cache/cross-zoo/
 * (once; later runs reuse it). Resolves to the binary path, or undefined without a toolchain.
 */
export function crossZoo(arch: string): Promise<string | undefined> {
  const goroot = path.join(ROOT, '.toolchains/go1.26');
  const out = path.join(ROOT, '.cache/cross-zoo', arch, 'zoo');
  if (fs.existsSync(out)) return Promise.resolve(out);
  if (!fs.existsSync(path.join(goroot, 'bin/go'))) return Promise.resolve(undefined);
  const work = path.join(ROOT, '.cache/cross-zoo', arch, 'src');
  fs.mkdirSync(work, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'fixtures/zoo/main.go'), path.join(work, 'main.go'));
  fs.writeFileSync(path.join(work, 'go.mod'), 'module zoo\n\ngo 1.19\n');
  const env = {
    ...process.env,
    GOROOT: goroot,
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '',
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: arch,
    GOCACHE: path.join(ROOT, '.cache/cross-zoo/gocache'),
  };
  return new Promise((resolve, reject) => {
    execFile(path.join(goroot, 'bin/go'), ['build', '-o', out + '.tmp', '.'], { cwd: work, env }, (err) => {
      if (err) reject(err);
      else {
        fs.renameSync(out + '.tmp', out);
        resolve(out);
      }
    });
  });
}
