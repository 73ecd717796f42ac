// writePprof: a pprof profile (pprof-format's Profile) encoded as protobuf, gzipped as `go tool pprof` expects,
// and written to an OutputSink. The profiles themselves: pprof-retention.ts (the heap by dominator-tree paths) and
// pprof-alloc.ts (the dump's MemProf allocation records).
import { gzipSync } from 'node:zlib';
import type { Profile } from 'pprof-format';
import type { OutputSink } from './output.js';

export { retentionProfile, type RetentionProfileOptions, type RetentionProfileStats } from './pprof-retention.js';
export { allocationProfile, scaleHeapSample, type AllocationProfileOptions, type AllocationProfileStats } from './pprof-alloc.js';

/** Encodes, gzips and writes `profile`; returns the bytes written. */
export async function writePprof(profile: Profile, sink: OutputSink): Promise<number> {
  const gz = gzipSync(profile.encode());
  const p = sink.write(gz);
  if (p) await p;
  return gz.length;
}
