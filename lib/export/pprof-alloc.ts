// allocationProfile: the dump's MemProf records as a pprof heap profile, laid out as Go's own (runtime/pprof's
// protomem.go): sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes, one
// sample per record with its call stack (innermost frame first, function and file:line as the runtime wrote them,
// without the runtime's allocator frames above the first caller, as Go hides them; a frame in an inlined body is one
// location whose lines are the inlined calls then the physical function, lib/typing memProfStack) and a "bytes"
// label with the record's object size.
//
// The records are samples: the runtime records one allocation per about runtime.MemProfileRate bytes allocated
// (512 KiB by default) and the dump does not say which rate the program used. By default the counts are written as
// recorded (exact only for a program that set MemProfileRate = 1); with `rate`, they are scaled as Go scales them
// (scaleHeapSample: count and bytes times 1 / (1 - exp(-size / rate))). inuse = allocs - frees, as of the last GC.
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { HeapSession } from '../session/index.js';
import { memProfStack } from '../typing/index.js';
import { programMapping } from './pprof-mapping.js';

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
    // A frame in an inlined body is one location with a line per call (pprof's convention, as Go's own heap
    // profile symbolizes it): the innermost inlined function first, the physical function last.
    for (const group of memProfStack(s.program, b.stack.slice(top))) {
      const lkey = group.map((x) => `${x.function}\u0000${x.file}\u0000${x.line}`).join('\u0001');
      let loc = locationIds.get(lkey);
      if (loc === undefined) {
        const lines: Line[] = [];
        for (const x of group) {
          const fkey = `${x.function}\u0000${x.file}`;
          let fn = functionIds.get(fkey);
          if (fn === undefined) {
            fn = functions.length + 1;
            const name = strings.dedup(x.function);
            functions.push(new PFunction({ id: fn, name, systemName: name, filename: strings.dedup(x.file ?? '') }));
            functionIds.set(fkey, fn);
          }
          lines.push(new Line({ functionId: fn, line: x.line ?? 0 }));
        }
        loc = locations.length + 1;
        locations.push(new Location({ id: loc, mappingId: 1, line: lines }));
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
    mapping: [programMapping(s, strings, true)],
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
