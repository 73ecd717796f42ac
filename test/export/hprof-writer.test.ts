// HprofWriter past 4 GiB: an HPROF file bigger than a u4 can count is fine as long as every record is smaller; the
// writer cuts the heap dump into segments on sub-record boundaries. A sink that keeps only record headers checks
// every segment's length field against the bytes that follow it, over 4.5 GiB of sub-records.
import { expect } from 'chai';
import { HprofWriter, SEGMENT_SIZE, SUB_PRIMITIVE_ARRAY_DUMP, TAG_HEAP_DUMP_END, TAG_HEAP_DUMP_SEGMENT } from '../../lib/export/hprof-writer.js';
import type { OutputSink } from '../../lib/export/output.js';

/** Parses the stream as it comes: header, then records; keeps tags and lengths, checks the lengths add up. */
class CountingSink {
  total = 0;
  segments = 0;
  tags: number[] = [];
  private headerLeft = 19 + 12;
  /** Bytes of the current record's body still to come. */
  private bodyLeft = 0;
  private pending: number[] = [];

  write(b: Uint8Array): undefined {
    this.total += b.length;
    let p = 0;
    while (p < b.length) {
      if (this.headerLeft > 0) {
        const n = Math.min(this.headerLeft, b.length - p);
        this.headerLeft -= n;
        p += n;
      } else if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, b.length - p);
        this.bodyLeft -= n;
        p += n;
      } else {
        this.pending.push(b[p++]);
        if (this.pending.length === 9) {
          const h = Buffer.from(this.pending);
          this.pending = [];
          this.tags.push(h[0]);
          this.bodyLeft = h.readUInt32BE(5);
          if (h[0] === TAG_HEAP_DUMP_SEGMENT) {
            this.segments++;
            expect(this.bodyLeft).to.be.within(1, SEGMENT_SIZE);
          }
        }
      }
    }
    return undefined;
  }
}

describe('export/hprof-writer: a file over 4 GiB', function () {
  this.timeout(120000);

  it('writes 4.5 GiB of sub-records as segments of at most 1 MiB, every length right, END last', () => {
    const sink = new CountingSink();
    const w = new HprofWriter(sink as unknown as OutputSink, 8);
    w.header(0);
    // Primitive byte arrays of 200 000 bytes (contents left as they are: only the framing is checked here).
    const elements = 200_000;
    const sub = 1 + 8 + 4 + 4 + 1 + elements;
    const count = Math.ceil((4.5 * 2 ** 30) / sub);
    for (let k = 0; k < count; k++) {
      w.sub(sub);
      w.putU1(SUB_PRIMITIVE_ARRAY_DUMP);
      w.putId(2 ** 40 + k * 2 ** 20);
      w.putU4(0);
      w.putU4(elements);
      w.putU1(8);
      w.pos += elements;
      w.endSub();
    }
    w.endHeapDump();
    expect(sink.total).to.be.greaterThan(2 ** 32 + 2 ** 29);
    // Five 200 000-byte arrays fit a 1 MiB segment.
    expect(sink.segments).to.equal(Math.ceil(count / 5));
    expect(w.segments).to.equal(sink.segments);
    expect(sink.tags[sink.tags.length - 1]).to.equal(TAG_HEAP_DUMP_END);
    expect(sink.total).to.equal(31 + sink.segments * 9 + count * sub + 9);
  });
});
