// Decompression of compressed ELF sections: SHF_COMPRESSED (an Elf32_Chdr/Elf64_Chdr header, then a
// zlib stream) and the older GNU `.zdebug_*` form ("ZLIB", a big-endian u64 size, then a zlib stream).

import { inflateSync } from 'node:zlib';
import { ELFCOMPRESS_ZLIB } from './constants.js';
import { ElfError } from './errors.js';

/** Inflates a zlib stream and checks that it yields exactly `expected` bytes. */
function inflateExact(file: string, offset: number, data: Uint8Array, expected: number): Uint8Array {
  let out: Buffer;
  try {
    out = inflateSync(data);
  } catch (e) {
    throw new ElfError(file, offset, `corrupt zlib stream (${(e as Error).message})`);
  }
  if (out.length !== expected) {
    throw new ElfError(file, offset, `decompressed ${out.length} bytes, header says ${expected}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Decompresses an SHF_COMPRESSED section body. `raw` is the section's bytes in the file, `fileOffset`
 * where they start (for error messages).
 */
export function decompressChdr(
  file: string,
  fileOffset: number,
  raw: Uint8Array,
  class64: boolean,
  bigEndian: boolean,
): Uint8Array {
  const hdrSize = class64 ? 24 : 12;
  if (raw.length < hdrSize) throw new ElfError(file, fileOffset, 'compressed section shorter than its Chdr');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = !bigEndian;
  const type = dv.getUint32(0, le);
  let size: number;
  if (class64) {
    const a = dv.getUint32(8, le);
    const b = dv.getUint32(12, le);
    size = le ? b * 0x100000000 + a : a * 0x100000000 + b;
  } else {
    size = dv.getUint32(4, le);
  }
  if (type !== ELFCOMPRESS_ZLIB) {
    throw new ElfError(file, fileOffset, `unsupported section compression type ${type}`);
  }
  return inflateExact(file, fileOffset + hdrSize, raw.subarray(hdrSize), size);
}

/** True if `raw` starts with the `.zdebug_*` magic "ZLIB". */
export function hasZlibMagic(raw: Uint8Array): boolean {
  return raw.length >= 12 && raw[0] === 0x5a && raw[1] === 0x4c && raw[2] === 0x49 && raw[3] === 0x42;
}

/** Decompresses a `.zdebug_*` section body: "ZLIB", u64 big-endian uncompressed size, zlib stream. */
export function decompressZdebug(file: string, fileOffset: number, raw: Uint8Array): Uint8Array {
  if (!hasZlibMagic(raw)) throw new ElfError(file, fileOffset, '.zdebug section without ZLIB magic');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = dv.getUint32(4, false) * 0x100000000 + dv.getUint32(8, false);
  return inflateExact(file, fileOffset + 12, raw.subarray(12), size);
}
