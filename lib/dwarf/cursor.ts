// Cursor: a bounds-checked little/big-endian reader over one debug section that knows the section's
// name, its own offset and the binary it came from, so every decode failure becomes a DwarfError naming all three.

import { DwarfError } from './errors.js';

const TWO32 = 0x100000000;

/** A position in a section's bytes with one method per DWARF primitive. */
export class Cursor {
  readonly dv: DataView;
  /** Current offset from the start of the section. */
  pos: number;

  constructor(
    readonly section: string,
    readonly bytes: Uint8Array,
    offset = 0,
    readonly littleEndian = true,
    /** The binary's path, for errors ('' when unknown). */
    readonly file = '',
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = offset;
  }

  /** Throws a DwarfError at the current offset. */
  fail(detail: string, at = this.pos): never {
    throw new DwarfError(this.section, at, detail, this.file);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length || this.pos < 0) {
      this.fail(`unexpected end of section reading ${n} bytes (size ${this.bytes.length})`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  i8(): number {
    this.need(1);
    return this.dv.getInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return this.littleEndian ? b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) : (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  /** A u64 as a number when below 2^53, otherwise as a bigint. */
  u64(): number | bigint {
    this.need(8);
    const le = this.littleEndian;
    const a = this.dv.getUint32(this.pos, le);
    const b = this.dv.getUint32(this.pos + 4, le);
    this.pos += 8;
    const hi = le ? b : a;
    const lo = le ? a : b;
    if (hi < 0x200000) return hi * TWO32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A u64 that must fit a number (offsets, addresses); fails otherwise. */
  u64n(): number {
    const at = this.pos;
    const v = this.u64();
    if (typeof v === 'bigint') this.fail(`64-bit value 0x${v.toString(16)} too large`, at);
    return v;
  }

  /** An unsigned value of `size` bytes (1, 2, 4 or 8) as a number. */
  uN(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64n();
      default:
        return this.fail(`unsupported value size ${size}`);
    }
  }

  /** An offset of the unit's offset size (4 for 32-bit DWARF, 8 for 64-bit DWARF). */
  offset(offsetSize: number): number {
    return offsetSize === 8 ? this.u64n() : this.u32();
  }

  /** Unsigned LEB128 as a number when exact, otherwise as a bigint. */
  uleb(): number | bigint {
    const b = this.bytes;
    let p = this.pos;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (p >= b.length) this.fail('unterminated LEB128');
      const byte = b[p++];
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) break;
      if (mul > 2 ** 49) {
        // Continue in bigint for the long tail (rare: Go constants near 2^64).
        this.pos = p;
        return this.ulebBig(BigInt(result), BigInt(mul));
      }
    }
    this.pos = p;
    return result;
  }

  private ulebBig(acc: bigint, mul: bigint): number | bigint {
    const b = this.bytes;
    let p = this.pos;
    for (;;) {
      if (p >= b.length) this.fail('unterminated LEB128');
      const byte = b[p++];
      acc += BigInt(byte & 0x7f) * mul;
      mul <<= 7n;
      if ((byte & 0x80) === 0) break;
    }
    this.pos = p;
    return acc <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(acc) : acc;
  }

  /** Unsigned LEB128 that must fit a number. */
  ulebn(): number {
    const at = this.pos;
    const v = this.uleb();
    if (typeof v === 'bigint') this.fail('LEB128 value too large', at);
    return v;
  }

  /** Signed LEB128 as a number when exact, otherwise as a bigint. */
  sleb(): number | bigint {
    const b = this.bytes;
    let p = this.pos;
    let result = 0n;
    let shift = 0n;
    let byte: number;
    // Fast path for the common short encodings (up to 4 bytes = 28 bits).
    let small = 0;
    let n = 0;
    for (;;) {
      if (p >= b.length) this.fail('unterminated LEB128');
      byte = b[p++];
      if (n < 4) {
        small |= (byte & 0x7f) << (7 * n);
        n++;
        if ((byte & 0x80) === 0) {
          this.pos = p;
          const bits = 7 * n;
          return bits < 32 && (byte & 0x40) !== 0 ? small - 2 ** bits : small >>> 0;
        }
        if (n === 4) {
          result = BigInt(small >>> 0);
          shift = 28n;
        }
        continue;
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) break;
    }
    if ((byte & 0x40) !== 0) result -= 1n << shift;
    this.pos = p;
    return result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result;
  }

  /** Signed LEB128 that must fit a number. */
  slebn(): number {
    const at = this.pos;
    const v = this.sleb();
    if (typeof v === 'bigint') this.fail('signed LEB128 value too large', at);
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const b = this.bytes;
    const start = this.pos;
    let end = start;
    while (end < b.length && b[end] !== 0) end++;
    if (end >= b.length) this.fail('unterminated string', start);
    this.pos = end + 1;
    return decodeUtf8(b, start, end);
  }

  /** `n` bytes as a subarray (no copy). */
  bytesN(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

const decoder = new TextDecoder('utf-8');

/** Decodes bytes [start, end) as UTF-8, with a fast path for ASCII. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      let s = '';
      for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
      return s;
    }
  }
  return decoder.decode(b.subarray(start, end));
}

/** Reads a NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: string, bytes: Uint8Array, offset: number, file = ''): string {
  if (offset < 0 || offset >= bytes.length) throw new DwarfError(section, offset, 'string offset out of range', file);
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return decodeUtf8(bytes, offset, end);
}
