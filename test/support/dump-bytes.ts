// Byte-level helpers for tests that build damaged or rewritten dumps from real ones. Independent of lib/dump:
// just enough uvarint code to step over the header and the Params record.

export function readUvarint(b: Uint8Array, pos: number): { value: number; next: number } {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[pos++];
    v += (x & 0x7f) * mul;
    if (x < 0x80) return { value: v, next: pos };
    mul *= 128;
  }
}

export function uvarint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Offsets of the Params record's fields in a go1.7 dump: the GOARCH string and the end of the record. */
export function paramsLayout(b: Uint8Array): { archAt: number; archEnd: number; arch: string; end: number } {
  let p = 16;
  if (b[p] !== 6) throw new Error('expected Params right after the header');
  p++;
  for (let i = 0; i < 4; i++) p = readUvarint(b, p).next; // bigEndian, ptrSize, heapStart, heapEnd
  const archAt = p;
  const len = readUvarint(b, p);
  const arch = Buffer.from(b.subarray(len.next, len.next + len.value)).toString('latin1');
  p = len.next + len.value;
  const archEnd = p;
  const ver = readUvarint(b, p);
  p = ver.next + ver.value;
  p = readUvarint(b, p).next; // ncpu
  return { archAt, archEnd, arch, end: p };
}
