// The worker of a two-thread load (load-split.ts): finds a record boundary near the middle of the dump, decodes the
// object records from there into columns of its own and sends them; then, asked to, resolves the edges of the last
// objects over the other thread's shared slot columns, and marks the objects reachable from the roots. It says how
// it goes in the shared status words.
import * as fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import { decodeObjectRecords, findObjectRecord, HeapDumpError } from '../dump/index.js';
import { AddressIndex } from './address-index.js';
import { GraphBuilder } from './builder.js';
import { resolveObjectEdges } from './edges.js';
import { type LoadWorkerData, type LoadWorkerMessage, type ReachRequest, type ResolveRequest, SplitNumber, SplitWord } from './load-split.js';
import { markReachable } from './reachability.js';
import { collectGarbage } from '../collect-garbage.js';

const data = workerData as LoadWorkerData;
const { status, numbers, port } = data;

/** Posts `m`, then sets status[word] to `value` (the other thread reads the port once it sees the word). */
function say(word: SplitWord, value: number, m?: LoadWorkerMessage): void {
  if (m) port.postMessage(m);
  Atomics.store(status, word, value);
  Atomics.notify(status, word);
}

function failure(e: unknown): LoadWorkerMessage {
  const err = e as Error;
  if (e instanceof HeapDumpError) {
    return { type: 'error', heapDump: true, file: e.file, offset: e.offset ?? 0, expected: e.expected, message: e.message };
  }
  return { type: 'error', heapDump: false, file: '', offset: 0, expected: '', message: err?.message ?? String(e) };
}

/** Whether the file at the path is still the one the other thread decodes. */
function sameFile(): boolean {
  try {
    const st = fs.statSync(data.path);
    const id = data.identity;
    return st.dev === id.dev && st.ino === id.ino && st.size === id.size && st.mtimeMs === id.mtimeMs;
  } catch {
    return false;
  }
}

function decode(): boolean {
  let boundary: number;
  try {
    boundary = sameFile() ? findObjectRecord(data.path, data.params, data.formatVersion, data.from, data.until) : -1;
  } catch {
    boundary = -1;
  }
  if (boundary < 0) {
    say(SplitWord.Boundary, 2);
    return false;
  }
  numbers[SplitNumber.Boundary] = boundary;
  numbers[SplitNumber.Decoded] = boundary;
  say(SplitWord.Boundary, 1);
  try {
    const b = new GraphBuilder(data.fileSize - boundary, (done) => {
      numbers[SplitNumber.Decoded] = done;
    });
    const r = decodeObjectRecords(data.path, data.params, data.formatVersion, boundary, b, { keepSlots: true });
    numbers[SplitNumber.Decoded] = r.endOffset;
    // Replaced while it was read (a new file, or the same one written again), it is not the other thread's.
    if (!sameFile()) {
      say(SplitWord.Objects, 2, { type: 'changed' });
      return false;
    }
    say(SplitWord.Objects, 1, { type: 'objects', endOffset: r.endOffset, columns: b.takeObjects(), slots: r.slots });
    return true;
  } catch (e) {
    say(SplitWord.Objects, 2, sameFile() ? failure(e) : { type: 'changed' });
    return false;
  }
}

function resolve(r: ResolveRequest): void {
  try {
    // The columns sent are the other thread's now: freed once neither thread holds them.
    collectGarbage();
    const index = AddressIndex.of(r.runs);
    const done = resolveObjectEdges(r.edgeStart, r.slots, index, r.from, r.to, r.firstSlot);
    say(SplitWord.Edges, 1, { type: 'edges', slotEnd: done.slotEnd, edgeEnd: done.edgeEnd });
  } catch (e) {
    say(SplitWord.Edges, 2, failure(e));
  }
}

/** Marks the objects reachable from the request's roots into its shared array. */
function reach(r: ReachRequest): void {
  try {
    markReachable(r.objectCount, r.edgeStart, r.edgeTarget, r.rootTargets, undefined, r.reachable);
    say(SplitWord.Reach, 1);
  } catch (e) {
    say(SplitWord.Reach, 2, failure(e));
  }
}

if (decode()) {
  // Asked to resolve edges, then to mark reachability; the other thread stops this one when it has the marks.
  port.on('message', (m: ResolveRequest | ReachRequest) => {
    if (m.type === 'resolve') resolve(m);
    else reach(m);
  });
} else {
  port.close();
}
