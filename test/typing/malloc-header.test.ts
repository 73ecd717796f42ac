// The malloc-header bound per pointer size (Go 1.22+: minSizeForMallocHeader = PtrSize * PtrBits, exclusive), with
// the objects checked by reading *(p-8) in real 1.22-1.26 programs (docs: go-runtime-internals §8): amd64 [65]*int
// (520 B, slot 576) has a header and [64]*int (512 B) not; 386 [33]*int (132 B, slot 144) has one, [32]*int (128 B)
// not. Large objects (above 32768) never carry one.
import { expect } from 'chai';
import { headeredSizeClass, mallocHeaderBound } from '../../lib/typing/malloc-header.js';

describe('typing: malloc-header bound', function () {
  it('is 512 bytes on 64-bit targets and 128 on 32-bit ones', function () {
    expect(mallocHeaderBound(8)).to.equal(512);
    expect(mallocHeaderBound(4)).to.equal(128);
  });
  it('amd64: [65]*int (slot 576) has a header, [64]*int (512) none', function () {
    expect(headeredSizeClass(576, 8)).to.equal(true);
    expect(headeredSizeClass(512, 8)).to.equal(false);
    expect(headeredSizeClass(40960, 8)).to.equal(false);
  });
  it('386: [33]*int (slot 144) has a header, [32]*int (128) none', function () {
    expect(headeredSizeClass(144, 4)).to.equal(true);
    expect(headeredSizeClass(128, 4)).to.equal(false);
  });
});
