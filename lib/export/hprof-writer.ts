// HprofWriter: the byte layout of an HPROF 1.0.2 file (big-endian), written to an OutputSink. Top-level records go
// out as they are made; heap dump sub-records are gathered in a segment buffer of about 1 MiB that is written as one
// HEAP DUMP SEGMENT (tag 0x1C) when the next sub-record does not fit, so segments always end on a sub-record
// boundary and no record body comes near 4 GiB. A sub-record bigger than the buffer gets a segment of its own.
// Callers reserve a sub-record's bytes with sub(n) and fill them through the put* methods.
import type { OutputSink } from './output.js';

export const TAG_STRING = 0x01;
export const TAG_LOAD_CLASS = 0x02;
export const TAG_STACK_FRAME = 0x04;
export const TAG_STACK_TRACE = 0x05;
export const TAG_START_THREAD = 0x0a;
export const TAG_HEAP_DUMP_SEGMENT = 0x1c;
export const TAG_HEAP_DUMP_END = 0x2c;

export const SUB_ROOT_UNKNOWN = 0xff;
export const SUB_ROOT_JNI_GLOBAL = 0x01;
export const SUB_ROOT_JAVA_FRAME = 0x03;
export const SUB_ROOT_STICKY_CLASS = 0x05;
export const SUB_ROOT_THREAD_BLOCK = 0x06;
export const SUB_ROOT_THREAD_OBJECT = 0x08;
export const SUB_CLASS_DUMP = 0x20;
export const SUB_INSTANCE_DUMP = 0x21;
export const SUB_OBJECT_ARRAY_DUMP = 0x22;
export const SUB_PRIMITIVE_ARRAY_DUMP = 0x23;

/** Default heap dump segment size (bytes of sub-records per segment, about). */
export const SEGMENT_SIZE = 1 << 20;

/** Record header: u1 tag, u4 time, u4 length. */
const HEADER = 9;

export class HprofWriter {
  /** The current segment: its header at 0..8, sub-records after. */
  private seg: Buffer;
  private segView: DataView;
  /** Where put* writes: the segment buffer, or a sub-record's own buffer when it is bigger than a segment. */
  buf: Buffer;
  view: DataView;
  pos = 0;
  private segUsed = HEADER;
  private big: Buffer | undefined;
  /** A promise from the sink when it asked to wait (stdout draining); the caller awaits it between objects. */
  wait: Promise<void> | undefined;
  /** Heap dump segments written. */
  segments = 0;

  constructor(private readonly sink: OutputSink, readonly idSize: number, private readonly segmentSize = SEGMENT_SIZE) {
    this.seg = Buffer.allocUnsafe(segmentSize + HEADER);
    this.segView = new DataView(this.seg.buffer, this.seg.byteOffset, this.seg.length);
    this.buf = this.seg;
    this.view = this.segView;
  }

  private out(b: Uint8Array): void {
    const p = this.sink.write(b);
    if (p) this.wait = this.wait ? this.wait.then(() => p) : p;
  }

  /** "JAVA PROFILE 1.0.2\0", the ID size and a timestamp (ms since 1970). */
  header(timeMs: number): void {
    const magic = Buffer.from('JAVA PROFILE 1.0.2\0', 'latin1');
    const b = Buffer.allocUnsafe(magic.length + 12);
    magic.copy(b, 0);
    b.writeUInt32BE(this.idSize, magic.length);
    b.writeUInt32BE(Math.floor(timeMs / 2 ** 32), magic.length + 4);
    b.writeUInt32BE(timeMs % 2 ** 32 >>> 0, magic.length + 8);
    this.out(b);
  }

  /** Starts a top-level record of `length` body bytes in a fresh buffer; fill it with put*, then endRecord(). */
  record(tag: number, length: number): void {
    const b = Buffer.allocUnsafe(HEADER + length);
    b[0] = tag;
    b.writeUInt32BE(0, 1);
    b.writeUInt32BE(length, 5);
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
    this.pos = HEADER;
  }

  endRecord(): void {
    if (this.pos !== this.buf.length) throw new Error(`hprof: record filled ${this.pos} of ${this.buf.length} bytes`);
    this.out(this.buf);
    this.buf = this.seg;
    this.view = this.segView;
    this.pos = this.segUsed;
  }

  /** A STRING record. */
  string(id: number, text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.record(TAG_STRING, this.idSize + bytes.length);
    this.putId(id);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    this.endRecord();
  }

  /** Reserves `n` bytes for the next heap dump sub-record; fill them with put*, then endSub(). */
  sub(n: number): void {
    if (this.segUsed + n > this.seg.length) this.flushSegment();
    if (HEADER + n > this.seg.length) {
      // Bigger than a segment: a segment of its own.
      if (HEADER + n > 0xffffffff) throw new RangeError(`hprof: a sub-record of ${n} bytes does not fit a segment (4 GiB)`);
      const b = Buffer.allocUnsafe(HEADER + n);
      b[0] = TAG_HEAP_DUMP_SEGMENT;
      b.writeUInt32BE(0, 1);
      b.writeUInt32BE(n, 5);
      this.big = b;
      this.buf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
      this.pos = HEADER;
      return;
    }
    this.pos = this.segUsed;
    this.expectEnd = this.segUsed + n;
  }

  private expectEnd = 0;

  endSub(): void {
    if (this.big !== undefined) {
      if (this.pos !== this.big.length) throw new Error(`hprof: sub-record filled ${this.pos} of ${this.big.length} bytes`);
      this.out(this.big);
      this.segments++;
      this.big = undefined;
      this.buf = this.seg;
      this.view = this.segView;
      this.pos = this.segUsed;
      return;
    }
    if (this.pos !== this.expectEnd) throw new Error(`hprof: sub-record filled ${this.pos - this.segUsed} bytes, reserved ${this.expectEnd - this.segUsed}`);
    this.segUsed = this.pos;
  }

  /** Writes out the current segment if it holds any sub-record. */
  flushSegment(): void {
    if (this.segUsed === HEADER) return;
    this.seg[0] = TAG_HEAP_DUMP_SEGMENT;
    this.seg.writeUInt32BE(0, 1);
    this.seg.writeUInt32BE(this.segUsed - HEADER, 5);
    this.out(this.seg.subarray(0, this.segUsed));
    this.segments++;
    this.segUsed = HEADER;
    this.pos = HEADER;
  }

  /** Ends the heap dump: the last segment, then HEAP DUMP END. */
  endHeapDump(): void {
    this.flushSegment();
    const b = Buffer.alloc(HEADER);
    b[0] = TAG_HEAP_DUMP_END;
    this.out(b);
  }

  putU1(v: number): void {
    this.buf[this.pos++] = v;
  }

  putU2(v: number): void {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  putU4(v: number): void {
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  putI4(v: number): void {
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** An ID (an address up to 2^53, or a synthetic number). */
  putId(v: number): void {
    const b = this.buf;
    let p = this.pos;
    if (this.idSize === 8) {
      const hi = (v / 4294967296) >>> 0;
      b[p++] = hi >>> 24; b[p++] = hi >>> 16; b[p++] = hi >>> 8; b[p++] = hi;
    }
    const lo = v >>> 0;
    b[p++] = lo >>> 24; b[p++] = lo >>> 16; b[p++] = lo >>> 8; b[p++] = lo;
    this.pos = p;
  }
}
