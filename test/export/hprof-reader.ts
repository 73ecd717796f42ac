// A small HPROF reader for the HPROF exporter's tests: walks every record and every heap dump sub-record of a file
// and fails (throws) on anything out of place: a sub-record running past its segment's end, an unknown tag, a
// missing HEAP DUMP END. It keeps what the tests check: strings, classes (name, instance size, fields, statics),
// instances with their field bytes, arrays, roots, threads and frames. Small files only (it reads the whole file).
import * as fs from 'node:fs';

export interface HprofClass {
  id: number;
  name: string;
  superId: number;
  instanceSize: number;
  fields: { name: string; type: number }[];
  statics: { name: string; type: number; value: number }[];
}

export interface HprofFile {
  idSize: number;
  strings: Map<number, string>;
  classes: Map<number, HprofClass>;
  /** id -> class id and field bytes. */
  instances: Map<number, { classId: number; data: Buffer }>;
  objectArrays: Map<number, { classId: number; elements: number[] }>;
  primitiveArrays: Map<number, { type: number; count: number; data: Buffer }>;
  roots: { tag: number; id: number; thread?: number; frame?: number }[];
  threads: { serial: number; objectId: number; traceSerial: number; name: string }[];
  traces: Map<number, number[]>;
  frames: Map<number, { method: string; file: string; classSerial: number; line: number }>;
  loadClassSerials: Map<number, number>;
  /** Body lengths of the heap dump segments, in file order. */
  segments: number[];
  /** Top-level tags in file order. */
  tags: number[];
}

const TYPE_SIZE: Record<number, number> = { 2: 0, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8 };

export function readHprof(path: string): HprofFile {
  const b = fs.readFileSync(path);
  const magic = 'JAVA PROFILE 1.0.2\0';
  if (b.toString('latin1', 0, magic.length) !== magic) throw new Error(`${path}: not an HPROF 1.0.2 file`);
  let pos = magic.length;
  const idSize = b.readUInt32BE(pos);
  pos += 12;
  const id = (at: number): number => (idSize === 8 ? b.readUInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4) : b.readUInt32BE(at));
  const size = (t: number): number => (t === 2 ? idSize : TYPE_SIZE[t]);
  const f: HprofFile = {
    idSize, strings: new Map(), classes: new Map(), instances: new Map(), objectArrays: new Map(), primitiveArrays: new Map(),
    roots: [], threads: [], traces: new Map(), frames: new Map(), loadClassSerials: new Map(), segments: [], tags: [],
  };
  const classNames = new Map<number, number>();
  while (pos < b.length) {
    if (pos + 9 > b.length) throw new Error(`${path}: offset ${pos}: record header cut short`);
    const tag = b[pos];
    const len = b.readUInt32BE(pos + 5);
    const body = pos + 9;
    const end = body + len;
    if (end > b.length) throw new Error(`${path}: offset ${pos}: record of ${len} bytes runs past the end`);
    f.tags.push(tag);
    switch (tag) {
      case 0x01: f.strings.set(id(body), b.toString('utf8', body + idSize, end)); break;
      case 0x02: classNames.set(id(body + 4), id(body + 8 + idSize)); f.loadClassSerials.set(b.readUInt32BE(body), id(body + 4)); break;
      case 0x04: f.frames.set(id(body), {
        method: f.strings.get(id(body + idSize)) ?? '?', file: f.strings.get(id(body + 3 * idSize)) ?? '?',
        classSerial: b.readUInt32BE(body + 4 * idSize), line: b.readInt32BE(body + 4 * idSize + 4),
      }); break;
      case 0x05: {
        const n = b.readUInt32BE(body + 8);
        const ids: number[] = [];
        for (let k = 0; k < n; k++) ids.push(id(body + 12 + k * idSize));
        f.traces.set(b.readUInt32BE(body), ids);
        break;
      }
      case 0x0a: f.threads.push({
        serial: b.readUInt32BE(body), objectId: id(body + 4), traceSerial: b.readUInt32BE(body + 4 + idSize),
        name: f.strings.get(id(body + 8 + idSize)) ?? '?',
      }); break;
      case 0x0c: case 0x1c: f.segments.push(len); readSegment(body, end); break;
      case 0x2c: break;
      default: throw new Error(`${path}: offset ${pos}: unexpected record tag 0x${tag.toString(16)}`);
    }
    pos = end;
  }
  if (f.tags[f.tags.length - 1] !== 0x2c) throw new Error(`${path}: no HEAP DUMP END at the end`);
  for (const c of f.classes.values()) c.name = f.strings.get(classNames.get(c.id) ?? -1) ?? '?';
  return f;

  function readSegment(start: number, end: number): void {
    let p = start;
    const need = (n: number): void => {
      if (p + n > end) throw new Error(`${path}: offset ${p}: sub-record runs ${p + n - end} bytes past its segment's end`);
    };
    while (p < end) {
      const t = b[p++];
      switch (t) {
        case 0xff: case 0x05: need(idSize); f.roots.push({ tag: t, id: id(p) }); p += idSize; break;
        case 0x01: need(2 * idSize); f.roots.push({ tag: t, id: id(p) }); p += 2 * idSize; break;
        case 0x03: case 0x08: need(idSize + 8); f.roots.push({ tag: t, id: id(p), thread: b.readUInt32BE(p + idSize), frame: b.readUInt32BE(p + idSize + 4) }); p += idSize + 8; break;
        case 0x06: need(idSize + 4); f.roots.push({ tag: t, id: id(p), thread: b.readUInt32BE(p + idSize) }); p += idSize + 4; break;
        case 0x20: {
          need(7 * idSize + 8);
          const c: HprofClass = { id: id(p), name: '', superId: id(p + idSize + 4), instanceSize: b.readUInt32BE(p + 7 * idSize + 4), fields: [], statics: [] };
          p += 7 * idSize + 8;
          need(2);
          const cp = b.readUInt16BE(p);
          p += 2;
          for (let k = 0; k < cp; k++) { need(3); const ty = b[p + 2]; p += 3 + size(ty); }
          need(2);
          const ns = b.readUInt16BE(p);
          p += 2;
          for (let k = 0; k < ns; k++) {
            need(idSize + 1);
            const ty = b[p + idSize];
            need(idSize + 1 + size(ty));
            c.statics.push({ name: f.strings.get(id(p)) ?? '?', type: ty, value: ty === 2 ? id(p + idSize + 1) : 0 });
            p += idSize + 1 + size(ty);
          }
          need(2);
          const nf = b.readUInt16BE(p);
          p += 2;
          for (let k = 0; k < nf; k++) { need(idSize + 1); c.fields.push({ name: f.strings.get(id(p)) ?? '?', type: b[p + idSize] }); p += idSize + 1; }
          f.classes.set(c.id, c);
          break;
        }
        case 0x21: {
          need(2 * idSize + 8);
          const oid = id(p);
          const classId = id(p + idSize + 4);
          const n = b.readUInt32BE(p + 2 * idSize + 4);
          p += 2 * idSize + 8;
          need(n);
          f.instances.set(oid, { classId, data: b.subarray(p, p + n) });
          p += n;
          break;
        }
        case 0x22: {
          need(2 * idSize + 8);
          const oid = id(p);
          const n = b.readUInt32BE(p + idSize + 4);
          const classId = id(p + idSize + 8);
          p += 2 * idSize + 8;
          need(n * idSize);
          const elements: number[] = [];
          for (let k = 0; k < n; k++) elements.push(id(p + k * idSize));
          f.objectArrays.set(oid, { classId, elements });
          p += n * idSize;
          break;
        }
        case 0x23: {
          need(idSize + 9);
          const oid = id(p);
          const n = b.readUInt32BE(p + idSize + 4);
          const ty = b[p + idSize + 8];
          p += idSize + 9;
          need(n * size(ty));
          f.primitiveArrays.set(oid, { type: ty, count: n, data: b.subarray(p, p + n * size(ty)) });
          p += n * size(ty);
          break;
        }
        default: throw new Error(`${path}: offset ${p - 1}: unexpected sub-record tag 0x${t.toString(16)}`);
      }
    }
  }
}

/** The instance's field values by name (object fields and longs as numbers, others as their bytes' number). */
export function instanceFields(f: HprofFile, objectId: number): Map<string, number> {
  const inst = f.instances.get(objectId);
  if (!inst) throw new Error(`no instance 0x${objectId.toString(16)}`);
  const c = f.classes.get(inst.classId)!;
  const out = new Map<string, number>();
  let p = 0;
  for (const fld of c.fields) {
    const n = fld.type === 2 ? f.idSize : TYPE_SIZE[fld.type];
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + inst.data[p + k];
    out.set(fld.name, v);
    p += n;
  }
  return out;
}
