// Typed arrays a cold open must keep until it writes them, parked in a file meanwhile: the recovered types
// (a word or more per object) wait through the dominator pass to be written with its results into one analysis
// index, and need not be in memory while that pass runs (load-state.ts). The file is named `NAME.PID.tmp`, so
// that a run killed meanwhile leaves nothing the next index write in that folder does not remove (lib/temp-files.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArraySource, StoredArray } from '../store/index.js';

export interface Parked {
  /**
   * Reads back every parked array not read yet (each replaces its getter) and removes the file; `shared` reads them
   * into SharedArrayBuffers (for a worker thread to write while this one reads them).
   */
  restore(shared?: boolean): void;
  /** Removes the file without reading anything back: the arrays' holder is no longer used. */
  drop(): void;
  /**
   * Parked array `key` as a source that lib/store's writeIndexFile reads a chunk at a time, from the file (until drop):
   * written so, it is never in memory whole. Undefined when it was not parked.
   */
  source(key: string): ArraySource | undefined;
}

type ArrayClass = { new(n: number): StoredArray; BYTES_PER_ELEMENT: number };

/**
 * Writes the arrays `keys` of `holder` to `file` and replaces each by a getter that reads it back on first use;
 * undefined (nothing parked) when the file cannot be written.
 */
export function parkArrays<T extends object>(file: string, holder: T, keys: readonly (keyof T & string)[]): Parked | undefined {
  const entries: { key: string; type: ArrayClass; length: number; offset: number }[] = [];
  let fd: number;
  try {
    // The index's folder may not be made yet: the open parks arrays before it writes its first index.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  } catch {
    return undefined;
  }
  const h = holder as Record<string, unknown>;
  try {
    let at = 0;
    for (const key of keys) {
      const a = h[key] as StoredArray | undefined;
      if (a === undefined) continue;
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done, at + done);
      entries.push({ key, type: a.constructor as ArrayClass, length: a.length, offset: at });
      at += bytes.length;
    }
  } catch {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    return undefined;
  }
  /** Bytes [at, at + into.length) of parked array `e` into `into`. */
  const readBytes = (e: (typeof entries)[number], into: Uint8Array, at: number): void => {
    for (let done = 0; done < into.length; ) {
      const k = fs.readSync(fd, into, done, into.length - done, e.offset + at + done);
      if (k <= 0) throw new Error(`${file}: offset ${e.offset + at + done}: expected the parked array ${e.key}`);
      done += k;
    }
  };
  let shared = false;
  const read = (e: (typeof entries)[number]): StoredArray => {
    const a = shared ? new (e.type as unknown as new (b: SharedArrayBuffer) => StoredArray)(new SharedArrayBuffer(e.length * e.type.BYTES_PER_ELEMENT)) : new e.type(e.length);
    readBytes(e, new Uint8Array(a.buffer), 0);
    return a;
  };
  for (const e of entries) {
    Object.defineProperty(h, e.key, {
      enumerable: true, configurable: true,
      get() {
        const a = read(e);
        Object.defineProperty(h, e.key, { value: a, enumerable: true, configurable: true, writable: true });
        return a;
      },
    });
  }
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  };
  return {
    restore(inShared = false): void {
      if (!open) return;
      shared = inShared;
      for (const e of entries) void h[e.key]; // reads those still parked
      close();
    },
    drop: close,
    source(key: string): ArraySource | undefined {
      const e = entries.find((x) => x.key === key);
      if (!e) return undefined;
      return {
        type: e.type.name as ArraySource['type'],
        length: e.length,
        read(into: Uint8Array, at: number): void {
          if (!open) throw new Error(`${file}: the parked array ${key} was let go`);
          readBytes(e, into, at);
        },
      };
    },
  };
}
