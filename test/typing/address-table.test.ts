// AddressTable against a JS Map as the oracle: 48-bit addresses clustered like type descriptors (multiples of 8 in
// a few regions) and scattered, hits, misses inside and outside [min, max], and a later set replacing an earlier one.
import { expect } from 'chai';
import { AddressTable } from '../../lib/typing/address-table.js';

describe('typing: AddressTable', function () {
  it('answers like a Map for clustered and scattered addresses', function () {
    const oracle = new Map<number, number>();
    let x = 12345;
    const rnd = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    const keys: number[] = [];
    for (let k = 0; k < 3000; k++) keys.push(0x4a0000 + 8 * (rnd() % 100000)); // .rodata-like, 8-aligned
    for (let k = 0; k < 500; k++) keys.push(0xc000000000 + 16 * rnd()); // heap-like, above 2^32
    for (let k = 0; k < 200; k++) keys.push(0x7fff00000000 + rnd()); // high 47-bit addresses
    const table = new AddressTable(keys.length);
    keys.forEach((a, k) => {
      const code = k % 2 === 0 ? k + 1 : -(k + 1);
      table.set(a, code);
      oracle.set(a, code); // duplicates: the later set wins in both
    });
    for (const [a, code] of oracle) expect(table.get(a), `0x${a.toString(16)}`).to.equal(code);
    let misses = 0;
    for (let k = 0; k < 20000; k++) {
      const a = k % 3 === 0 ? 0x4a0000 + rnd() % 800000 : k % 3 === 1 ? 0xc000000000 + rnd() * 16 + 8 : rnd();
      expect(table.get(a)).to.equal(oracle.get(a) ?? 0);
      if (!oracle.has(a)) misses++;
    }
    expect(misses).to.be.greaterThan(1000);
    expect(table.get(0)).to.equal(0);
    expect(table.get(2 ** 53 - 1)).to.equal(0);
  });

  it('an empty table answers 0; more addresses than it was made for is an error, not a full table', function () {
    const t = new AddressTable(0);
    expect(t.get(0x4a0000)).to.equal(0);
    expect(() => {
      for (let k = 0; k < 100; k++) t.set(0x4a0000 + 8 * k, 1);
    }).to.throw(RangeError);
  });
});
