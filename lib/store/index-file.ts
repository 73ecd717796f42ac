// The on-disk format of a persisted index: typed arrays stored raw, everything else as JSON.
//
// Layout (little-endian):
//   0  "GOHEAPIX"            magic, 8 bytes
//   8  u32 format version    FORMAT_VERSION; any other value is stale
//  12  u32 header length H   bytes of the JSON header
//  16  u32 header checksum   hashBytes() of the header bytes
//  20  u32 0                 reserved
//  24  header                JSON: { meta, blockBytes, arrays: [{ name, type, offset, length, checksum, blocks? }] }
//      then each array's bytes at its offset (8-byte aligned), checksum = hashBytes() of those bytes. An array longer
//      than one block of blockBytes (BLOCK_BYTES, 16 KiB) is checked block by block instead: its entry says
//      `blocks: true`, its checksum is that of its block table, and the table (hashBytes() of each block, a
//      Uint32Array) follows all the arrays as an array of its own named "<name>#blocks". So one element can be read,
//      and checked, without reading the rest of its array (IndexSections.column).
// The file is written beside its final name and renamed into place, so a reader never sees half a file.
// openIndexFile reads the preamble and header only; each array (a section, by name) is read when first asked for,
// by positional reads straight into its typed array, and checked against its checksum then (readIndexFile reads
// and checks the whole file at once), or a block at a time by position (column()), each block checked. Reading opens without blocking and accepts only a regular file (a directory or FIFO at the name is a stale index, not a
// hang or a crash); the cache folder is created one level at a time (makeDirectories).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoheapError } from '../errors.js';
import { fileKind } from './cache.js';
import { removeDeadTemps } from '../temp-files.js';
import { type Column, columnOf } from '../graph/column.js';

export { type Column, columnOf };

export const FORMAT_VERSION = 13; // 3: one root node per goroutine group; 4: tiny-block typings, static pointees as globals;
// 5: stack-object roots in the analysis, frame function names as Go prints them ([...] for generic shapes);
// 6: frame variables in DWARF pieces seed types, 32 KiB large objects without a malloc header (object types and
// the typed share change); 7: the root nodes' retained sizes in the analysis' meta; 8: no per-object addresses
// and sizes (the runs give them), content offsets in 32 bits; 9: Swiss groups arrays as long as the table's lengthMask;
// 10: channels reached through the runtime typed by their elemtype, timers through a channel or the P's timer heap;
// 11: arrays longer than a block checked block by block (block tables), so that an element is read without its array;
// 12: a slice local whose frame holds only its pointer (capacity word 0) types its array over the whole object;
// goroutine groups (root nodes) named past the standard library's waits (sync's, time.Sleep); 13: the shortest-path
// tree as each node's parent edge only (a node's parent is that edge's source: no pathParent section)
const MAGIC = 'GOHEAPIX';
const PREAMBLE = 24;

/** Bytes per checked block of a long array (a multiple of 8): what reading one element of it costs. */
export const BLOCK_BYTES = 16 << 10;

/** BLOCK_BYTES, or GOHEAP_INDEX_BLOCK_BYTES when set to a positive multiple of 8 (tests: small blocks, many of them). */
function blockBytesDefault(): number {
  const v = Number(process.env.GOHEAP_INDEX_BLOCK_BYTES);
  return Number.isInteger(v) && v > 0 && v % 8 === 0 ? v : BLOCK_BYTES;
}

/** The name of array `name`'s block table. No array of a caller is named with a '#'. */
function blockTableName(name: string): string {
  return `${name}#blocks`;
}

export type StoredArray = Float64Array | Uint32Array | Int32Array | Uint8Array;
const ARRAY_TYPES = { Float64Array, Uint32Array, Int32Array, Uint8Array } as const;
export type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface ArrayEntry {
  name: string;
  type: ArrayTypeName;
  offset: number;
  length: number;
  checksum: number;
  /** True when the array is checked block by block: checksum is its block table's. */
  blocks?: boolean;
}

/** An index file's JSON header. */
interface Header {
  meta: unknown;
  blockBytes?: number;
  arrays: ArrayEntry[];
}

/** Thrown when an index file is missing, truncated, of another version, or fails a checksum. */
export class IndexFileError extends GoheapError {
  declare readonly offset: number;

  constructor(file: string, offset: number, expected: string) {
    super(`${file}: offset ${offset}: expected ${expected}`, file, offset, expected);
  }
}

/** A 32-bit hash of bytes, word at a time (FNV-1a style mixing over 32-bit words, then the tail bytes). */
export function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  const words = b.byteLength >>> 2;
  if ((b.byteOffset & 3) === 0) {
    const w = new Int32Array(b.buffer, b.byteOffset, words);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i], 0x01000193);
  } else {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ v.getInt32(4 * i, true), 0x01000193);
  }
  for (let i = words << 2; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

function bytesOf(a: StoredArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * An array that writeIndexFile reads a chunk at a time from elsewhere than memory (a file it waits in:
 * lib/session/parked-arrays.ts), so that writing it never holds it whole.
 */
export interface ArraySource {
  readonly type: ArrayTypeName;
  readonly length: number;
  /** Reads the array's bytes [at, at + into.length) into `into`. */
  read(into: Uint8Array, at: number): void;
}

/** Bytes an array source is read in at a time: 1 MiB, rounded to whole blocks. */
const SOURCE_CHUNK = 1 << 20;

function byteLengthOf(a: StoredArray | ArraySource): number {
  return ArrayBuffer.isView(a) ? a.byteLength : a.length * ARRAY_TYPES[a.type].BYTES_PER_ELEMENT;
}

/** Calls `use` with the bytes of `a` in order, `chunk` bytes at a time at most (the last chunk may be shorter). */
function eachChunk(a: StoredArray | ArraySource, chunk: number, use: (bytes: Uint8Array, at: number) => void): void {
  const total = byteLengthOf(a);
  if (ArrayBuffer.isView(a)) {
    use(bytesOf(a), 0);
    return;
  }
  const buffer = new Uint8Array(Math.min(chunk, total));
  for (let at = 0; at < total; at += chunk) {
    const bytes = buffer.subarray(0, Math.min(chunk, total - at));
    a.read(bytes, at);
    use(bytes, at);
  }
}

/** Writes `meta` and `arrays` to `file` (atomically: a temporary file renamed into place). */
export function writeIndexFile(file: string, meta: unknown, given: Record<string, StoredArray | ArraySource>, blockBytes = blockBytesDefault()): void {
  if (blockBytes <= 0 || blockBytes % 8 !== 0) throw new RangeError(`block size ${blockBytes}: expected a positive multiple of 8`);
  const entries: ArrayEntry[] = [];
  const arrays: Record<string, StoredArray | ArraySource> = { ...given };
  const tables: ArrayEntry[] = [];
  // A source is read in whole blocks, so that each block's checksum comes from one chunk.
  const chunk = Math.max(1, Math.floor(SOURCE_CHUNK / blockBytes)) * blockBytes;
  for (const [name, a] of Object.entries(given)) {
    if (name.includes('#')) throw new RangeError(`array name ${name}: '#' is reserved for block tables`);
    const type = ArrayBuffer.isView(a) ? a.constructor.name as ArrayTypeName : a.type;
    const byteLength = byteLengthOf(a);
    if (byteLength > blockBytes) {
      const table = new Uint32Array(Math.ceil(byteLength / blockBytes));
      eachChunk(a, chunk, (bytes, at) => table.set(blockChecksums(bytes, blockBytes), at / blockBytes));
      const checksum = hashBytes(bytesOf(table));
      entries.push({ name, type, offset: 0, length: a.length, checksum, blocks: true });
      arrays[blockTableName(name)] = table;
      tables.push({ name: blockTableName(name), type: 'Uint32Array', offset: 0, length: table.length, checksum });
    } else {
      let checksum = hashBytes(new Uint8Array(0)); // an empty source calls back with no chunk
      eachChunk(a, byteLength, (bytes) => { checksum = hashBytes(bytes); });
      entries.push({ name, type, offset: 0, length: a.length, checksum });
    }
  }
  entries.push(...tables);
  // Offsets depend on the header's length, which depends on the offsets: lay out with room for the digits.
  let header = '';
  for (let pass = 0; pass < 3; pass++) {
    const json = JSON.stringify({ meta, blockBytes, arrays: entries });
    let at = align8(PREAMBLE + Buffer.byteLength(json) + 64);
    for (const e of entries) {
      e.offset = at;
      at = align8(at + e.length * ARRAY_TYPES[e.type].BYTES_PER_ELEMENT);
    }
    header = JSON.stringify({ meta, blockBytes, arrays: entries });
  }
  const headerBytes = Buffer.from(header, 'utf8');
  if (PREAMBLE + headerBytes.length > entries[0]?.offset) throw new Error('index header layout failed');
  const pre = Buffer.alloc(PREAMBLE);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(FORMAT_VERSION, 8);
  pre.writeUInt32LE(headerBytes.length, 12);
  pre.writeUInt32LE(hashBytes(headerBytes), 16);
  makeDirectories(path.dirname(file));
  // Leftovers of runs that were killed while writing an index here.
  removeDeadTemps(path.dirname(file), /^.+\.(\d+)\.tmp$/);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openNew(tmp);
  // Closed once only: in a process with threads (background-save.ts), a second close could close another thread's
  // file that got the same number meanwhile.
  let open = true;
  try {
    writeAll(fd, pre, 0);
    writeAll(fd, headerBytes, PREAMBLE);
    for (const e of entries) eachChunk(arrays[e.name], chunk, (bytes, at) => writeAll(fd, bytes, e.offset + at));
    const end = entries.length > 0 ? align8(entries[entries.length - 1].offset + byteLengthOf(arrays[entries[entries.length - 1].name])) : PREAMBLE + headerBytes.length;
    fs.ftruncateSync(fd, end);
    open = false;
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (open) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing more to do with it
      }
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** hashBytes() of each `blockBytes` block of `b` (the last one possibly shorter). */
function blockChecksums(b: Uint8Array, blockBytes: number): Uint32Array {
  const n = Math.ceil(b.length / blockBytes);
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) out[k] = hashBytes(b.subarray(k * blockBytes, Math.min(b.length, (k + 1) * blockBytes)));
  return out;
}

/** The first block of `b` (blocks of `blockBytes`, numbered from `first`) whose hash is not its entry in `table`, or -1. */
function badBlock(b: Uint8Array, table: Uint32Array, first: number, blockBytes: number): number {
  for (let k = 0; k * blockBytes < b.length; k++) {
    if (hashBytes(b.subarray(k * blockBytes, Math.min(b.length, (k + 1) * blockBytes))) !== table[first + k]) return first + k;
  }
  return -1;
}

/** Creates a new file for writing, never following a link or opening a FIFO left at that name. */
function openNew(file: string): number {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  try {
    return fs.openSync(file, flags, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    fs.rmSync(file, { force: true }); // a temporary file left by a process of the same pid that died
    return fs.openSync(file, flags, 0o644);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (mkdir -p). Not fs.mkdirSync(dir, {recursive: true}):
 * in Node 20 that call loops forever where mkdir answers ENOENT although the parent exists (under /proc).
 * Each level is tried at most twice, so it always returns or throws promptly.
 */
export function makeDirectories(dir: string): void {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (fs.statSync(abs).isDirectory()) return;
      throw e;
    }
    if (code !== 'ENOENT') throw e;
  }
  const parent = path.dirname(abs);
  if (parent === abs) throw Object.assign(new Error(`cannot create ${abs}`), { code: 'ENOENT' });
  makeDirectories(parent);
  try {
    fs.mkdirSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(abs).isDirectory()) return; // made meanwhile
    throw e;
  }
}

function writeAll(fd: number, b: Uint8Array, position: number): void {
  let done = 0;
  while (done < b.length) {
    const chunk = Math.min(b.length - done, 1 << 30);
    done += fs.writeSync(fd, b, done, chunk, position + done);
  }
}

function align8(x: number): number {
  return Math.ceil(x / 8) * 8;
}

/** Reads an index file written by writeIndexFile; throws IndexFileError when it is not whole and unchanged. */
export function readIndexFile(file: string): { meta: unknown; arrays: Record<string, StoredArray> } {
  const fd = openIndex(file);
  try {
    return readWholeIndex(fd, fs.fstatSync(fd), file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens an index file for reading; IndexFileError "an index file" when it is missing (the normal first open:
 * callers recognize that case, and say so if writing it fails too), another expectation when it cannot be read.
 */
function openIndex(file: string): number {
  try {
    // O_NONBLOCK: a FIFO at this name opens at once instead of waiting for a writer, and is refused by checkPreamble.
    return fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new IndexFileError(file, 0, missing ? 'an index file' : `an index file that can be read (${code ?? (e as Error).message})`);
  }
}

/** Checks that `fd` is a regular file starting with a current preamble; returns its header's length and checksum. */
function checkPreamble(fd: number, st: fs.Stats, file: string): { headerLength: number; headerChecksum: number } {
  if (!st.isFile()) throw new IndexFileError(file, 0, `a regular file, found ${fileKind(st)}`);
  const size = st.size;
  const pre = Buffer.alloc(PREAMBLE);
  if (size < PREAMBLE || fs.readSync(fd, pre, 0, PREAMBLE, 0) !== PREAMBLE) throw new IndexFileError(file, 0, 'a preamble');
  if (pre.toString('latin1', 0, 8) !== MAGIC) throw new IndexFileError(file, 0, `magic ${MAGIC}`);
  if (pre.readUInt32LE(8) !== FORMAT_VERSION) throw new IndexFileError(file, 8, `format version ${FORMAT_VERSION}`);
  const h = pre.readUInt32LE(12);
  if (PREAMBLE + h > size) throw new IndexFileError(file, 12, 'a header inside the file');
  if (pre.readUInt32LE(20) !== 0) throw new IndexFileError(file, 20, 'reserved word 0');
  return { headerLength: h, headerChecksum: pre.readUInt32LE(16) };
}

/** The JSON header in `bytes`, checked against its checksum and its block tables' layout. */
function parseHeader(bytes: Uint8Array, checksum: number, file: string): Header {
  if (hashBytes(bytes) !== checksum) throw new IndexFileError(file, PREAMBLE, 'a header matching its checksum');
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) as Header;
  } catch {
    throw new IndexFileError(file, PREAMBLE, 'a JSON header');
  }
  const blockBytes = header.blockBytes ?? BLOCK_BYTES;
  if (!Array.isArray(header.arrays) || !Number.isInteger(blockBytes) || blockBytes <= 0 || blockBytes % 8 !== 0) {
    throw new IndexFileError(file, PREAMBLE, 'a header with arrays and a block size');
  }
  const byName = new Map(header.arrays.map((e) => [e.name, e]));
  for (const e of header.arrays) {
    if (!e.blocks) continue;
    const t = byName.get(blockTableName(e.name));
    const bytesOfArray = e.length * (ARRAY_TYPES[e.type]?.BYTES_PER_ELEMENT ?? 1);
    if (t === undefined || t.type !== 'Uint32Array' || t.length !== Math.ceil(bytesOfArray / blockBytes) || t.checksum !== e.checksum) {
      throw new IndexFileError(file, PREAMBLE, `a block table for array ${e.name}`);
    }
  }
  return header;
}

/** The offset in `file` of the first damaged byte range of array `e` (its bytes `b`), or -1 when it is whole. */
function damageOf(e: ArrayEntry, b: Uint8Array, table: () => Uint32Array, blockBytes: number): number {
  if (!e.blocks) return hashBytes(b) === e.checksum ? -1 : e.offset;
  const k = badBlock(b, table(), 0, blockBytes);
  return k < 0 ? -1 : e.offset + k * blockBytes;
}

/** The whole index file at `fd`, read at once and every byte checked. */
function readWholeIndex(fd: number, st: fs.Stats, file: string): { meta: unknown; arrays: Record<string, StoredArray> } {
  const { headerLength: h, headerChecksum } = checkPreamble(fd, st, file);
  const size = st.size;
  const buf = new Uint8Array(size);
  readAll(fd, buf, file);
  const header = parseHeader(buf.subarray(PREAMBLE, PREAMBLE + h), headerChecksum, file);
  const blockBytes = header.blockBytes ?? BLOCK_BYTES;
  const all: Record<string, StoredArray> = {};
  // Padding between the header and the arrays, and between arrays, must be zero: no byte of the file goes unchecked.
  let end = PREAMBLE + h;
  for (const e of header.arrays) {
    for (let k = end; k < Math.min(e.offset, size); k++) if (buf[k] !== 0) throw new IndexFileError(file, k, 'zero padding');
    end = e.offset + e.length * (ARRAY_TYPES[e.type]?.BYTES_PER_ELEMENT ?? 1);
    const T = ARRAY_TYPES[e.type];
    if (!T || e.offset % 8 !== 0 || e.offset + e.length * T.BYTES_PER_ELEMENT > size) {
      throw new IndexFileError(file, e.offset, `array ${e.name} inside the file`);
    }
    all[e.name] = new T(buf.buffer, e.offset, e.length);
  }
  if (end !== size && align8(end) !== size) throw new IndexFileError(file, end, `the end of the file at ${end}`);
  for (let k = end; k < size; k++) if (buf[k] !== 0) throw new IndexFileError(file, k, 'zero padding');
  const arrays: Record<string, StoredArray> = {};
  for (const e of header.arrays) {
    const bad = damageOf(e, bytesOf(all[e.name]), () => all[blockTableName(e.name)] as Uint32Array, blockBytes);
    if (bad >= 0) throw new IndexFileError(file, bad, `array ${e.name} matching its checksum`);
    if (!e.name.includes('#')) arrays[e.name] = all[e.name];
  }
  return { meta: header.meta, arrays };
}

function readAll(fd: number, buf: Uint8Array, file: string, position = 0): void {
  let done = 0;
  while (done < buf.length) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, done, Math.min(buf.length - done, 1 << 30), position + done);
    } catch (e) {
      throw new IndexFileError(file, done, `readable bytes (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (n <= 0) throw new IndexFileError(file, position + done, `${buf.length} bytes`);
    done += n;
  }
}

/** GOHEAP_TRACE_INDEX=1: each array read lazily is named on stderr (to see what a command reads). */
const TRACE = process.env.GOHEAP_TRACE_INDEX === '1';

/** Files up to this size are read and checked whole when opened (one read); larger ones section by section. */
export const EAGER_INDEX_BYTES = 8 << 20;

/** EAGER_INDEX_BYTES, or GOHEAP_INDEX_EAGER_BYTES when set (0: every file section by section, as tests do). */
function eagerIndexBytes(): number {
  const v = Number(process.env.GOHEAP_INDEX_EAGER_BYTES);
  return process.env.GOHEAP_INDEX_EAGER_BYTES !== undefined && Number.isFinite(v) && v >= 0 ? v : EAGER_INDEX_BYTES;
}

/** The sections of an index file: its meta, and its arrays by name, each read on first use. */
export interface IndexSections {
  readonly file: string;
  readonly meta: unknown;
  /** Names of the arrays, in file order. */
  names(): string[];
  has(name: string): boolean;
  /** Elements of array `name` (without reading it); undefined when there is none. */
  length(name: string): number | undefined;
  /** Array `name`, read (and checked) on first use; IndexFileError when absent, changed or damaged. */
  get(name: string): StoredArray;
  /** Whether array `name` has been read. */
  loaded(name: string): boolean;
  /** Forgets array `name` when it was read from the file (the next get() reads it again); else keeps it. */
  release(name: string): void;
  /**
   * Takes `array` as array `name` without reading it: for an array this process wrote to the file (writeIndexFile)
   * and still holds, unchanged. False (nothing taken) when the file's array `name` is not of its type and length.
   */
  adopt(name: string, array: StoredArray): boolean;
  /** The arrays as a record whose properties read their array on first access. */
  record(): Record<string, StoredArray>;
  /**
   * Array `name` read by position: from memory once get() has read it, else a block at a time (each block checked,
   * the most recent kept), without reading the whole array. IndexFileError when absent, changed or damaged.
   */
  column(name: string): Column;
}

/**
 * Opens an index file written by writeIndexFile: checks its preamble, header and layout (every array inside the
 * file, in order, the file ending after the last), and returns its sections. A file of at most `eagerBytes` is read
 * and checked whole at once, like readIndexFile; a larger one reads each array when it is first asked for, with a
 * positional read into a buffer of its own (no copy), checks its checksum and the zero padding after it then, and
 * makes sure the file is still the one opened (same inode, size and mtime). An array found damaged that way is an
 * IndexFileError, and the file is removed so that the next open rebuilds it.
 */
export function openIndexFile(file: string, eagerBytes = eagerIndexBytes()): IndexSections {
  const fd = openIndex(file);
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size <= eagerBytes) {
      const whole = readWholeIndex(fd, st, file);
      return sectionsOf(file, whole.meta, whole.arrays);
    }
    const { headerLength: h, headerChecksum } = checkPreamble(fd, st, file);
    const size = st.size;
    const headerBytes = Buffer.alloc(h);
    readAll(fd, headerBytes, file, PREAMBLE);
    const header = parseHeader(headerBytes, headerChecksum, file);
    // The layout: arrays in order, each inside the file, 8-byte aligned, the file ending after the last one.
    const entries = new Map<string, ArrayEntry>();
    let end = PREAMBLE + h;
    for (const e of header.arrays) {
      const T = ARRAY_TYPES[e.type];
      if (!T || e.offset % 8 !== 0 || e.offset < end || e.offset + e.length * T.BYTES_PER_ELEMENT > size || entries.has(e.name)) {
        throw new IndexFileError(file, e.offset, `array ${e.name} inside the file`);
      }
      entries.set(e.name, e);
      end = e.offset + e.length * T.BYTES_PER_ELEMENT;
    }
    if (end !== size && align8(end) !== size) throw new IndexFileError(file, end, `the end of the file at ${end}`);
    // The padding between the header and the first array is read now (the rest with the arrays they follow).
    const first = header.arrays.length > 0 ? header.arrays[0].offset : size;
    const pad = Buffer.alloc(first - PREAMBLE - h);
    readAll(fd, pad, file, PREAMBLE + h);
    for (let k = 0; k < pad.length; k++) if (pad[k] !== 0) throw new IndexFileError(file, PREAMBLE + h + k, 'zero padding');
    return new LazySections(file, header.meta, entries, header.blockBytes ?? BLOCK_BYTES, { ino: st.ino, size, mtimeMs: st.mtimeMs });
  } finally {
    fs.closeSync(fd);
  }
}

/** Sections over arrays already in memory (read whole, or handed over by a worker). */
export function sectionsOf(file: string, meta: unknown, arrays: Record<string, StoredArray>): IndexSections {
  return {
    file, meta,
    names: () => Object.keys(arrays),
    has: (name) => Object.hasOwn(arrays, name),
    length: (name) => (Object.hasOwn(arrays, name) ? arrays[name].length : undefined),
    get: (name) => {
      if (!Object.hasOwn(arrays, name)) throw new IndexFileError(file, 0, `array ${name}`);
      return arrays[name];
    },
    loaded: (name) => Object.hasOwn(arrays, name),
    release: () => undefined,
    adopt: () => false,
    record: () => arrays,
    column: (name) => {
      if (!Object.hasOwn(arrays, name)) throw new IndexFileError(file, 0, `array ${name}`);
      return columnOf(arrays[name]);
    },
  };
}

/** A lazily read index keeps its file open for block reads until this long without one. */
const BLOCK_FD_IDLE_MS = 2000;

/** Blocks a column keeps after reading them (of BLOCK_BYTES: 8 MiB). */
const COLUMN_BLOCKS_KEPT = 512;

class LazySections implements IndexSections {
  private readonly cache = new Map<string, StoredArray>();
  private readonly columns = new Map<string, Column>();

  constructor(
    readonly file: string,
    readonly meta: unknown,
    private readonly entries: Map<string, ArrayEntry>,
    private readonly blockBytes: number,
    private readonly identity: { ino: number; size: number; mtimeMs: number },
  ) {}

  names(): string[] {
    return [...this.entries.keys()].filter((n) => !n.includes('#'));
  }

  has(name: string): boolean {
    return this.entries.has(name) && !name.includes('#');
  }

  length(name: string): number | undefined {
    return this.has(name) ? this.entries.get(name)!.length : undefined;
  }

  loaded(name: string): boolean {
    return this.cache.has(name);
  }

  release(name: string): void {
    this.cache.delete(name);
  }

  adopt(name: string, array: StoredArray): boolean {
    const e = this.entries.get(name);
    if (e === undefined || !this.has(name) || e.type !== array.constructor.name || e.length !== array.length) return false;
    this.cache.set(name, array);
    return true;
  }

  get(name: string): StoredArray {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit;
    const e = this.entries.get(name);
    if (e === undefined) throw new IndexFileError(this.file, 0, `array ${name}`);
    const a = this.read(e);
    this.cache.set(name, a);
    return a;
  }

  record(): Record<string, StoredArray> {
    const out: Record<string, StoredArray> = {};
    for (const name of this.names()) {
      Object.defineProperty(out, name, { enumerable: true, configurable: true, get: () => this.get(name) });
    }
    return out;
  }

  column(name: string): Column {
    let c = this.columns.get(name);
    if (c === undefined) {
      const e = this.entries.get(name);
      if (e === undefined || !this.has(name)) throw new IndexFileError(this.file, 0, `array ${name}`);
      c = e.blocks ? new BlockColumn(this, e, this.blockBytes) : columnOf(this.get(name));
      this.columns.set(name, c);
    }
    return c;
  }

  /**
   * `length` bytes at `offset` of the file (array `e`'s, or a part of them), read into a buffer of their own after
   * checking that the file is still the one opened.
   */
  readBytes(e: ArrayEntry, offset: number, length: number): Uint8Array {
    const buf = new Uint8Array(new ArrayBuffer(length));
    const fd = this.openChecked(e);
    try {
      readAll(fd, buf, this.file, offset);
    } finally {
      fs.closeSync(fd);
    }
    return buf;
  }

  private blockFd = -1;
  private blockFdIdle: NodeJS.Timeout | undefined;

  /**
   * `length` bytes at `offset` of array `e` for a block read: through a descriptor kept open while blocks are read
   * (closed after BLOCK_FD_IDLE_MS without one), opened and checked as readBytes does. The file is never written in
   * place (an index is replaced by a rename), so the descriptor reads the file that was opened; damage in place is
   * found by the blocks' checksums.
   */
  readBlockBytes(e: ArrayEntry, offset: number, length: number, scratch?: ArrayBuffer): Uint8Array {
    if (this.blockFd < 0) {
      const fd = this.openChecked(e);
      this.blockFd = fd;
      this.blockFdIdle = setTimeout(() => this.closeBlockFile(), BLOCK_FD_IDLE_MS);
      this.blockFdIdle.unref();
    } else this.blockFdIdle?.refresh();
    const buf = scratch !== undefined && scratch.byteLength >= length ? new Uint8Array(scratch, 0, length) : new Uint8Array(new ArrayBuffer(length));
    readAll(this.blockFd, buf, this.file, offset);
    return buf;
  }

  private closeBlockFile(): void {
    if (this.blockFd >= 0) fs.closeSync(this.blockFd);
    this.blockFd = -1;
  }

  /** The file, opened without blocking, when it is still the one opened (same inode, size and mtime). */
  private openChecked(e: ArrayEntry): number {
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (err) {
      throw new IndexFileError(this.file, e.offset, `the index file still there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== this.identity.ino || st.size !== this.identity.size || st.mtimeMs !== this.identity.mtimeMs) {
      fs.closeSync(fd);
      throw new IndexFileError(this.file, e.offset, 'the index file unchanged since it was opened');
    }
    return fd;
  }

  /** A damaged index is rebuilt by the next open: removes it (unless it was replaced meanwhile), and says so. */
  damaged(e: ArrayEntry, at: number): IndexFileError {
    try {
      if (fs.statSync(this.file).ino === this.identity.ino) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
    return new IndexFileError(this.file, at, `array ${e.name} matching its checksum (the index is removed: the next open rebuilds it)`);
  }

  /** Array `e` with the padding after it: read into a buffer of its own, then checked. */
  private read(e: ArrayEntry): StoredArray {
    const T = ARRAY_TYPES[e.type];
    const bytes = e.length * T.BYTES_PER_ELEMENT;
    const padded = Math.min(align8(e.offset + bytes), this.identity.size) - e.offset;
    const buf = this.readBytes(e, e.offset, padded);
    if (TRACE) process.stderr.write(`goheap: index: read ${e.name} (${bytes} bytes) of ${path.basename(this.file)}\n`);
    const a = new T(buf.buffer as ArrayBuffer, 0, e.length);
    let bad = -1;
    for (let k = bytes; k < padded; k++) if (buf[k] !== 0) bad = e.offset + k;
    if (bad < 0) bad = damageOf(e, bytesOf(a), () => this.get(blockTableName(e.name)) as Uint32Array, this.blockBytes);
    if (bad >= 0) throw this.damaged(e, bad);
    return a;
  }
}

/**
 * A long array of a lazily read index, by position: the blocks an access touches are read and checked against the
 * array's block table; the most recent COLUMN_BLOCKS_KEPT are kept. Once the whole array is read (get()), from it.
 */
class BlockColumn implements Column {
  readonly length: number;
  private readonly perBlock: number;
  private readonly kept = new Map<number, StoredArray>();
  private table_: Uint32Array | undefined;

  constructor(private readonly sections: LazySections, private readonly e: ArrayEntry, private readonly blockBytes: number) {
    this.length = e.length;
    this.perBlock = blockBytes / ARRAY_TYPES[e.type].BYTES_PER_ELEMENT;
  }

  at(i: number): number {
    if (this.sections.loaded(this.e.name)) return this.sections.get(this.e.name)[i];
    if (!(i >= 0 && i < this.length)) return undefined as unknown as number; // as a typed array answers
    const k = Math.floor(i / this.perBlock);
    let b = this.kept.get(k);
    if (b === undefined) {
      b = this.readBlocks(k, k + 1);
      if (this.kept.size >= COLUMN_BLOCKS_KEPT) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(k, b);
    }
    return b[i - k * this.perBlock];
  }

  range(from: number, to: number, scratch?: ArrayBuffer): StoredArray {
    from = Math.max(0, from);
    to = Math.min(this.length, to);
    if (this.sections.loaded(this.e.name)) return this.sections.get(this.e.name).subarray(from, to);
    if (to <= from) return new ARRAY_TYPES[this.e.type](0);
    const k0 = Math.floor(from / this.perBlock);
    const k1 = Math.floor((to - 1) / this.perBlock) + 1;
    if (k1 - k0 === 1 && scratch === undefined) {
      this.at(from); // keeps the block
      return this.kept.get(k0)!.subarray(from - k0 * this.perBlock, to - k0 * this.perBlock);
    }
    return this.readBlocks(k0, k1, scratch).subarray(from - k0 * this.perBlock, to - k0 * this.perBlock);
  }

  /** Blocks [k0, k1) as one array (in `scratch` when it is long enough), each block checked. */
  private readBlocks(k0: number, k1: number, scratch?: ArrayBuffer): StoredArray {
    const T = ARRAY_TYPES[this.e.type];
    const end = this.e.length * T.BYTES_PER_ELEMENT;
    const from = k0 * this.blockBytes;
    const bytes = Math.min(end, k1 * this.blockBytes) - from;
    this.table_ ??= this.sections.get(blockTableName(this.e.name)) as Uint32Array;
    const buf = this.sections.readBlockBytes(this.e, this.e.offset + from, bytes, scratch);
    if (TRACE) process.stderr.write(`goheap: index: read blocks ${k0}..${k1 - 1} of ${this.e.name} (${bytes} bytes) of ${path.basename(this.sections.file)}\n`);
    const bad = badBlock(buf, this.table_, k0, this.blockBytes);
    if (bad >= 0) throw this.sections.damaged(this.e, this.e.offset + bad * this.blockBytes);
    return new T(buf.buffer as ArrayBuffer, 0, bytes / T.BYTES_PER_ELEMENT);
  }
}
