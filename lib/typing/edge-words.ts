// The words next to each edge's slot that type recovery reads (recovery-state.ts edgeRef and edgeCap), read from the
// dump in one pass over the objects in file order, and the malloc header word of each object that may have one. On a
// large heap a worker thread (edge-words-worker.ts) shares the pass: the objects are read in chunks that each thread
// takes in turn from a shared counter (so that neither waits for the other when one is slowed, by a thread starting or
// another one running), each writing its own edges' entries of the shared per-edge arrays; the headers both found are
// then noted in object order, as one pass would have noted them.
import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { AddressIndex, type RunArrays } from '../graph/address-index.js';
import { ContentOffsets } from '../graph/content-offsets.js';
import { compiledFile } from '../package-files.js';
import { awaitWord, startWorker, takeMessage } from '../worker-thread.js';
import { AddressTable, type AddressTableParts } from './address-table.js';
import { DumpBytes } from './dump-bytes.js';
import { viewWord } from './layout-math.js';

export const MASK = 0x7fffffff;
/** edgeRef value: read the words from the dump (the edge needs both a type reference and an interior offset). */
export const SLOW = -0x80000000;
/**
 * The per-edge words are kept in 16 bits (4 bytes an edge less than 32-bit arrays: 100 MB on a 14 M-object heap).
 * A value that does not fit is kept as an escape, and the word is read from the dump when used (rare: a type id
 * above 32766, an interior offset above 32 KiB, a capacity of 65535 or more; in a tiny block, a length or capacity
 * of 255 or more).
 */
export const REF_SLOW = -0x8000;
export const CAP_SLOW = 0xffff;
export const TINY_SLOW = 0xff;

/** Below this many objects the words are read on one thread. */
export const EDGE_WORDS_SPLIT_MIN_OBJECTS = 4_000_000;

/** What the pass reads besides the dump: the graph's columns and the type references (see recovery-state.ts). */
export interface EdgeWordSource {
  edgeStart: Uint32Array;
  edgeField: Uint32Array;
  edgeTarget: Uint32Array;
  content: ContentOffsets;
  addressIndex: AddressIndex;
  /** Address -> type reference code of the word before a slot (recovery-state.ts typeRef). */
  typeRef: AddressTable;
  /** Objects that may start with a malloc header, and objects that may be tiny blocks: a bit each. */
  headered: Uint32Array;
  tiny: Uint32Array;
  ptrSize: number;
  littleEndian: boolean;
}

/**
 * Reads the words of objects [from, to) (see the top of the file) into `ref` and `cap`, and calls `noteHeader` with
 * the first word of each headered object, in object order.
 */
export function readEdgeWords(src: EdgeWordSource, bytes: DumpBytes, from: number, to: number, ref: Int16Array,
  cap: Uint16Array, noteHeader: (object: number, word: number) => void): void {
  const { edgeStart, edgeField, edgeTarget, content, addressIndex, typeRef, headered, tiny } = src;
  const p = src.ptrSize;
  const le = src.littleEndian;
  for (let i = from; i < to; i++) {
    const end = edgeStart[i + 1];
    let e = edgeStart[i];
    if (e === end) {
      if ((headered[i >>> 5] & (1 << (i & 31))) !== 0) noteHeader(i, bytes.word(content.at(i)));
      continue;
    }
    // The object's words from one before its contents to two after (the fieldlist's bytes, not read as such);
    // further if a slot lies past the contents (a damaged fieldlist: the words read are those the sweeps would read).
    let span = addressIndex.sizeOf(i);
    for (let k = e; k < end; k++) if ((edgeField[k] & MASK) + p > span) span = (edgeField[k] & MASK) + p;
    const start = content.at(i) - p;
    const length = span + 3 * p;
    const base = start >= bytes.winStart && start + length <= bytes.winEnd ? start - bytes.winStart : bytes.window(start, length);
    const v = bytes.win;
    if ((headered[i >>> 5] & (1 << (i & 31))) !== 0) noteHeader(i, viewWord(v, base + p, p, le));
    for (; e < end; e++) {
      const field = edgeField[e];
      const at = base + (field & MASK); // the word before the slot
      const code = typeRef.get(viewWord(v, at, p, le));
      let r = code;
      if (field > MASK) {
        const o = viewWord(v, at + p, p, le) - addressIndex.addressOf(edgeTarget[e]);
        r = code !== 0 || !(o >= 0 && o <= MASK) ? SLOW : o;
      }
      ref[e] = r > -0x8000 && r < 0x8000 ? r : REF_SLOW;
      const c = viewWord(v, at + 3 * p, p, le);
      const t = edgeTarget[e];
      if ((tiny[t >>> 5] & (1 << (t & 31))) !== 0) {
        // Into a tiny block: the two words after the slot (a string's length, a slice's length and capacity), each
        // below 16 when the slot is one (the block is 16 bytes): a byte each.
        const l = viewWord(v, at + 2 * p, p, le);
        cap[e] = (l < TINY_SLOW ? l : TINY_SLOW) | ((c < TINY_SLOW ? c : TINY_SLOW) << 8);
      } else cap[e] = c < CAP_SLOW ? c : CAP_SLOW;
    }
  }
}

/** Objects per chunk of a shared pass (about 5 ms of reading each). */
export const EDGE_WORDS_CHUNK = 1 << 16;

/**
 * Reads chunks of EDGE_WORDS_CHUNK objects, taken from `next[0]` (the next chunk, shared with the other thread), until
 * every one of `objectCount` objects is taken; returns the headers found (object, first word, in object order).
 */
export function readEdgeWordChunks(src: EdgeWordSource, bytes: DumpBytes, objectCount: number, next: Int32Array,
  ref: Int16Array, cap: Uint16Array, chunk = EDGE_WORDS_CHUNK): number[] {
  const headers: number[] = [];
  const chunks = Math.ceil(objectCount / chunk);
  for (let c = Atomics.add(next, 0, 1); c < chunks; c = Atomics.add(next, 0, 1)) {
    const from = c * chunk;
    readEdgeWords(src, bytes, from, Math.min(objectCount, from + chunk), ref, cap, (object, word) => headers.push(object, word));
    if (next[1] === 0) {
      // A chunk is read (see EdgeWordsRequest.next): a thread waiting for this one's first may start.
      Atomics.store(next, 1, 1);
      Atomics.notify(next, 1);
    }
  }
  return headers;
}

/**
 * Calls `note` with every (object, word) pair of `a` and `b` (each a flat list in object order, as readEdgeWordChunks
 * returns them), in object order: as one pass over the objects would have.
 */
export function noteInOrder(a: ArrayLike<number>, b: ArrayLike<number>, note: (object: number, word: number) => void): void {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      note(a[i], a[i + 1]);
      i += 2;
    } else {
      note(b[j], b[j + 1]);
      j += 2;
    }
  }
}

/** What the worker reads its chunks with: the source's arrays (shared, or copied into its message) and the dump's path. */
export interface EdgeWordsRequest {
  path: string;
  edgeStart: Uint32Array;
  edgeField: Uint32Array;
  edgeTarget: Uint32Array;
  contentLow: Uint32Array;
  contentHighStart: Uint32Array;
  runs: RunArrays;
  typeRef: AddressTableParts;
  headered: Uint32Array;
  tiny: Uint32Array;
  ptrSize: number;
  littleEndian: boolean;
  pageBudgetBytes?: number;
  objectCount: number;
  /**
   * Word 0: the next chunk to read (readEdgeWordChunks); word 1: 1 once a thread has read a chunk (a caller that
   * starts after the worker, as tests do to have it read some, waits for it). Then objects per chunk.
   */
  next: Int32Array;
  chunk: number;
  ref: Int16Array;
  cap: Uint16Array;
  /** Word 0: 1 once the result is on the port. */
  status: Int32Array;
  port: MessagePort;
}

/** The worker's answer: the headers it found in its chunks (object and first word, in object order), or why it failed. */
export type EdgeWordsResult = { headers: Float64Array } | { error: string };

/** The source as the worker makes it again. */
export function sourceOf(r: EdgeWordsRequest): EdgeWordSource {
  return {
    edgeStart: r.edgeStart, edgeField: r.edgeField, edgeTarget: r.edgeTarget, content: new ContentOffsets(r.contentLow, r.contentHighStart),
    addressIndex: AddressIndex.of(r.runs), typeRef: AddressTable.fromParts(r.typeRef), headered: r.headered, tiny: r.tiny,
    ptrSize: r.ptrSize, littleEndian: r.littleEndian,
  };
}

const workerFile = compiledFile('lib/typing/edge-words-worker.js');

/**
 * Reads the words of every object into new per-edge arrays (see the top of the file), shared with a worker thread
 * when there are at least `splitMinObjects` and the graph's columns are shared.
 */
export function readAllEdgeWords(src: EdgeWordSource, bytes: DumpBytes, objectCount: number,
  noteHeader: (object: number, word: number) => void, splitMinObjects = EDGE_WORDS_SPLIT_MIN_OBJECTS,
  pageBudgetBytes?: number, chunk = EDGE_WORDS_CHUNK, workerFirst = false): { ref: Int16Array; cap: Uint16Array } {
  const m = src.edgeTarget.length;
  const shared = [src.edgeStart, src.edgeField, src.edgeTarget, src.content.low, src.addressIndex.runStart].every((a) => a.buffer instanceof SharedArrayBuffer);
  if (objectCount < Math.max(2, splitMinObjects) || !shared || !existsSync(workerFile)) {
    const ref = new Int16Array(m);
    const cap = new Uint16Array(m);
    readEdgeWords(src, bytes, 0, objectCount, ref, cap, noteHeader);
    return { ref, cap };
  }
  const ref = new Int16Array(new SharedArrayBuffer(2 * m));
  const cap = new Uint16Array(new SharedArrayBuffer(2 * m));
  const next = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const status = new Int32Array(new SharedArrayBuffer(4));
  const request: EdgeWordsRequest = {
    path: bytes.path, edgeStart: src.edgeStart, edgeField: src.edgeField, edgeTarget: src.edgeTarget,
    contentLow: src.content.low, contentHighStart: src.content.highStart, runs: src.addressIndex.runs(),
    typeRef: src.typeRef.parts(), headered: src.headered, tiny: src.tiny, ptrSize: src.ptrSize, littleEndian: src.littleEndian,
    ...(pageBudgetBytes !== undefined ? { pageBudgetBytes } : {}),
    objectCount, next, chunk, ref, cap, status, port: port2,
  };
  let worker;
  try {
    worker = startWorker(workerFile, { workerData: request, transferList: [port2] });
  } catch {
    port1.close();
    readEdgeWords(src, bytes, 0, objectCount, ref, cap, noteHeader);
    return { ref, cap };
  }
  worker.unref();
  worker.on('error', () => undefined); // seen through the status word
  try {
    // `workerFirst` (tests): this thread starts once the worker has read a chunk, so that both read some.
    if (workerFirst) awaitWord(next, 1, 'the thread reading edge words');
    const mine = readEdgeWordChunks(src, bytes, objectCount, next, ref, cap, chunk);
    awaitWord(status, 0, 'the thread reading edge words');
    const result = takeMessage<EdgeWordsResult>(port1, 'the thread reading edge words');
    if ('error' in result) throw new Error(`the thread reading edge words failed: ${result.error}`);
    noteInOrder(mine, result.headers, noteHeader);
  } finally {
    port1.close();
    void worker.terminate();
  }
  return { ref, cap };
}
