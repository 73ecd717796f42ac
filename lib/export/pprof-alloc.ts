// allocationProfile: the dump's MemProf records as a pprof heap profile, laid out as Go's own (runtime/pprof's
// protomem.go): sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes, one
// sample per record with its call stack (innermost frame first, function and file:line as the runtime wrote them,
// without the runtime's allocator frames above the first caller, as Go hides them) and a "bytes" label with the
// record's object size.
//
// The records are samples: the runtime records one allocation per about runtime.MemProfileRate bytes allocated
// (512 KiB by default) and the dump does not say which rate the program used. By default the counts are written as
// recorded (exact only for a program that set MemProfileRate = 1); with `rate`, they are scaled as Go scales them
// (scaleHeapSample: count and bytes times 1 / (1 - exp(-size / rate))). inuse = allocs - frees, as of the last GC.
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { HeapSession } from '../session/index.js';

export interface AllocationProfileOptions {
  /** The program's runtime.MemProfileRate, to scale the sampled counts as Go does; undefined or <= 1: unscaled. */
  rate?: number;
}

export interface AllocationProfileStats {
  records: number;
  allocObjects: number;
  allocBytes: number;
  inuseObjects: number;
  inuseBytes: number;
}

/** Go's scaleHeapSample (runtime/pprof/protomem.go): the estimated count and bytes behind sampled ones. */
export function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avgSize = size / count;
  const scale = 1 / (1 - Math.exp(-avgSize / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}

/** Builds the allocation-site profile of the session's dump from its MemProf records; see the file header. */
export function allocationProfile(s: HeapSession, options: AllocationProfileOptions = {}): { profile: Profile; stats: AllocationProfileStats } {
  const rate = options.rate ?? 0;
  const strings = new StringTable();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  const samples: Sample[] = [];
  const stats: AllocationProfileStats = { records: 0, allocObjects: 0, allocBytes: 0, inuseObjects: 0, inuseBytes: 0 };
  const bytesKey = strings.dedup('bytes');
  for (const b of s.graph.memProfBuckets) {
    const ids: number[] = [];
    // As Go's heap profile does (protomem.go, hideRuntime): the runtime's frames above the first caller are dropped.
    let top = b.stack.findIndex((fr) => !fr.functionName.startsWith('runtime.'));
    if (top < 0) top = 0;
    for (const fr of b.stack.slice(top)) {
      const lkey = `${fr.functionName}\u0000${fr.file}\u0000${fr.line}`;
      let loc = locationIds.get(lkey);
      if (loc === undefined) {
        const fkey = `${fr.functionName}\u0000${fr.file}`;
        let fn = functionIds.get(fkey);
        if (fn === undefined) {
          fn = functions.length + 1;
          const name = strings.dedup(fr.functionName);
          functions.push(new PFunction({ id: fn, name, systemName: name, filename: strings.dedup(fr.file) }));
          functionIds.set(fkey, fn);
        }
        loc = locations.length + 1;
        locations.push(new Location({ id: loc, line: [new Line({ functionId: fn, line: fr.line })] }));
        locationIds.set(lkey, loc);
      }
      ids.push(loc);
    }
    const inuse = Math.max(0, b.allocs - b.frees);
    const [allocObjects, allocBytes] = scaleHeapSample(b.allocs, b.allocs * b.size, rate);
    const [inuseObjects, inuseBytes] = scaleHeapSample(inuse, inuse * b.size, rate);
    samples.push(new Sample({
      locationId: ids,
      value: [allocObjects, allocBytes, inuseObjects, inuseBytes],
      label: [new Label({ key: bytesKey, num: b.size })],
    }));
    stats.records++;
    stats.allocObjects += allocObjects;
    stats.allocBytes += allocBytes;
    stats.inuseObjects += inuseObjects;
    stats.inuseBytes += inuseBytes;
  }
  const vt = (type: string, unit: string): ValueType => new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) });
  const profile = new Profile({
    sampleType: [vt('alloc_objects', 'count'), vt('alloc_space', 'bytes'), vt('inuse_objects', 'count'), vt('inuse_space', 'bytes')],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    periodType: vt('space', 'bytes'),
    period: rate > 1 ? rate : 1,
    defaultSampleType: strings.dedup('inuse_space'),
    comment: [
      strings.dedup(`goheap allocation profile of ${s.dumpPath} from its MemProf records (as of the last GC)`),
      strings.dedup(rate > 1 ? `counts scaled for MemProfileRate ${rate}` : 'counts as sampled (not scaled: exact when the program set runtime.MemProfileRate = 1)'),
    ],
  });
  return { profile, stats };
}
