// AddressTable: an open-addressing hash table from addresses (numbers below 2^53) to int32 codes, in typed arrays,
// for lookups made once per edge (a JS Map of number keys costs a hash of a heap number per call). Absent keys
// give 0, so 0 cannot be stored. A range check on [min, max] answers most misses without hashing.

/** A table's arrays and bounds, from which another thread makes the same table (AddressTable.fromParts). */
export interface AddressTableParts {
  keys: Float64Array;
  codes: Int32Array;
  count: number;
  min: number;
  max: number;
}

/** Address -> nonzero int32 code; 0 for absent addresses. */
export class AddressTable {
  private readonly keys: Float64Array;
  private readonly codes: Int32Array;
  private readonly mask: number;
  private count = 0;
  /** Smallest and largest key (a miss outside them needs no probe). */
  private min = Infinity;
  private max = -Infinity;

  /** A table for at most `capacity` distinct addresses (kept at most half full), or the one `parts` describe. */
  constructor(capacity: number, parts?: AddressTableParts) {
    if (parts) {
      this.keys = parts.keys;
      this.codes = parts.codes;
      this.mask = parts.keys.length - 1;
      this.count = parts.count;
      this.min = parts.min;
      this.max = parts.max;
      return;
    }
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(-1);
    this.codes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The table's parts (its arrays, not copies). */
  parts(): AddressTableParts {
    return { keys: this.keys, codes: this.codes, count: this.count, min: this.min, max: this.max };
  }

  /** The table `parts` describe (another thread's: see parts()). */
  static fromParts(parts: AddressTableParts): AddressTable {
    return new AddressTable(0, parts);
  }

  private slot(address: number): number {
    // Mix the low and high 32 bits (addresses are often multiples of 8 and share high bits).
    const lo = address >>> 0;
    const hi = (address / 4294967296) >>> 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 7) & this.mask;
  }

  /** Sets the code of `address` (nonzero; a later set replaces an earlier one). */
  set(address: number, code: number): void {
    let k = this.slot(address);
    const keys = this.keys;
    while (keys[k] !== -1 && keys[k] !== address) k = (k + 1) & this.mask;
    if (keys[k] === -1) {
      if (2 * (this.count + 1) > keys.length) throw new RangeError(`AddressTable: more than ${keys.length / 2} addresses`);
      this.count++;
    }
    keys[k] = address;
    this.codes[k] = code;
    if (address < this.min) this.min = address;
    if (address > this.max) this.max = address;
  }

  /** The code of `address`, or 0. */
  get(address: number): number {
    if (address < this.min || address > this.max) return 0;
    let k = this.slot(address);
    const keys = this.keys;
    for (;;) {
      const key = keys[k];
      if (key === address) return this.codes[k];
      if (key === -1) return 0;
      k = (k + 1) & this.mask;
    }
  }
}
