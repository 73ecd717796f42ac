// Stack objects as roots: the address-taken locals a goroutine keeps alive only through pointers into its own stack.
//
// WriteHeapDump lists, per frame, only the slots of the stack maps (the live pointer words); it neither dumps nor
// uses the functions' stack objects (FUNCDATA_StackObjects: address-taken, pointer-holding variables such as the
// temporary `ch <- v` passes to chansend, or a select's cases). The collector scans those only when a pointer into
// them is found, so a goroutine blocked in a send holds its value there and nowhere else the dump lists. This file
// mirrors the collector's stack scan (runtime/mgcmark.go scanstack/scanframeworker, mgcstack.go stackScanState), per
// goroutine, with the binary's records:
//   1. each frame's records are placed at varp+off (off < 0) or argp+off (off >= 0), varp and argp from the frame's
//      sp and contents length as the unwinder computes them; records below sp are dropped (addObject);
//   2. the queue is seeded with every listed slot of the goroutine's frames whose word points into its stack (the
//      collector's putPtr), and, as the brief for goheap asks beyond the collector, with each sudog.elem of the
//      goroutine's g.waiting list (the value a blocked send or select offers; the runtime keeps those alive with
//      KeepAlive in chansend/selectgo, i.e. through the same listed slots);
//   3. each pointer taken from the queue marks the stack object holding it live; a live object is scanned once
//      with its own pointer mask: words into the stack are queued again, words into the heap become roots of kind
//      StackFrame owned by the frame whose record it is (so they are named by that frame's DWARF variable).
// Objects never reached stay dead and their words are ignored, as in the collector. Frames the collector scans
// conservatively (above runtime.asyncPreempt) are not treated specially: the dump has no such frames for parked
// goroutines. The result is merged into the graph's roots (HeapGraph.withExtraRoots), the one root table every
// analysis (reachability, dominators, retained sizes, groups, paths, referrers) reads; without the binary nothing
// is added.
import { FileWindow } from '../dump/index.js';
import type { HeapGraph, StackSlotType } from './heap-graph.js';
import { RootCollector, RootKind, type RootTable } from './roots.js';

/** One stack object record of a function (lib/pclntab StackObjectRecord). */
export interface StackObjectLayout {
  off: number;
  size: number;
  /** Bytes that may hold pointers; negative for a GC program (then every word is scanned). */
  ptrdata: number;
  /** One bit per word, LSB first. */
  mask: Uint8Array;
}

/** What the binary tells about stack objects and wait lists (built from the pclntab and DWARF in lib/typing). */
export interface StackObjectSource {
  /** The stack object records of the function holding pc (empty when none or unknown). */
  recordsAt(pc: number): readonly StackObjectLayout[];
  /** True on link-register machines (arm64...): fp has no return-address slot and varp = fp. */
  usesLR: boolean;
  /** Bytes between fp and the incoming args (0 on x86, P on arm64). */
  minFrameSize: number;
  /** Frame pointers are saved below the return address (amd64, arm64). */
  framePointer: boolean;
  /** Byte offsets in runtime.g of waiting, and in runtime.sudog of elem (its vu word on 1.26) and waitlink; -1 when unknown. */
  gWaiting: number;
  sudogElem: number;
  sudogWaitlink: number;
  /** Offsets of sudog.c (its vu word on 1.26) and hchan.elemtype; -1 when unknown. */
  sudogC: number;
  hchanElemtype: number;
  /** The size of the type at a runtime type address (0 when unknown). */
  typeSize(typeAddress: number): number;
}

/** The roots of live stack objects, and the types the sudogs give some of their slots. */
export interface StackObjectRoots {
  roots: RootTable;
  slotTypes: Map<number, StackSlotType>;
}

/** The window the goroutines' frames are read through: a goroutine's frames spanning more are read one by one. */
const FRAME_WINDOW_BYTES = 1 << 20;

/**
 * The roots the goroutines' live stack objects hold (see the file comment). `wordAt` reads the pointer-sized word at
 * a file offset of the dump (the wait lists' heap words: g's, sudogs, channels), through a cache of its pages.
 */
export function stackObjectRoots(graph: HeapGraph, src: StackObjectSource, wordAt: (fileOffset: number) => number): StackObjectRoots {
  const slotTypes = new Map<number, StackSlotType>();
  const P = graph.params.ptrSize;
  const le = !graph.params.bigEndian;
  const fr = graph.frames;
  const roots = new RootCollector();
  // The goroutines' frames through a window that slides along them (in file order, a goroutine's frames one after
  // another), and the wait lists' heap words through the caller's page cache: not a read per frame and per word
  // (tens of thousands of goroutines made hundreds of thousands of reads).
  const frames = new FileWindow(graph.path, FRAME_WINDOW_BYTES);
  const word = (v: DataView, at: number): number =>
    P === 4 ? v.getUint32(at, le) : le ? v.getUint32(at, true) + v.getUint32(at + 4, true) * 0x100000000 : v.getUint32(at) * 0x100000000 + v.getUint32(at + 4);
  // The word at a heap address, through the object holding it; 0 when not in an object.
  const heapWord = (addr: number): number => {
    const o = graph.findObject(addr);
    if (o < 0) return 0;
    const start = graph.addressOf(o);
    if (addr + P > start + graph.sizeOf(o)) return 0;
    return wordAt(graph.contentOffsets.at(o) + (addr - start));
  };
  try {
    for (let g = 0; g < graph.goroutines.length; g++) {
      const first = fr.goroutineFirstFrame[g];
      const n = fr.goroutineFrameCount[g];
      if (n === 0) continue;
      // The goroutine's frames' contents (each frame's DataView and where its bytes start in it), and its stack range
      // as far as the dump shows it. The frames' records lie together: one window holds them all, unless they span
      // more than a window (then each frame is read by itself).
      let lo = Infinity;
      let hi = -Infinity;
      let from = Infinity;
      let to = 0;
      for (let k = 0; k < n; k++) {
        const f = first + k;
        lo = Math.min(lo, fr.sp[f]);
        hi = Math.max(hi, fr.sp[f] + fr.size[f]);
        from = Math.min(from, fr.contentOffset[f]);
        to = Math.max(to, fr.contentOffset[f] + fr.size[f]);
      }
      const views: DataView[] = [];
      const starts: number[] = [];
      // How many of its bytes each frame has (fewer than its size at a cut file: its words past them are not there).
      const lengths: number[] = [];
      const together = to - from <= FRAME_WINDOW_BYTES;
      if (together) frames.seek(from, to - from);
      for (let k = 0; k < n; k++) {
        const f = first + k;
        if (together) {
          const start = fr.contentOffset[f] - frames.base;
          views.push(frames.view);
          starts.push(start);
          lengths.push(Math.max(0, Math.min(fr.size[f], frames.end - start)));
        } else {
          const b = frames.readAt(fr.contentOffset[f], fr.size[f]);
          views.push(new DataView(b.buffer, b.byteOffset, b.byteLength));
          starts.push(0);
          lengths.push(b.length);
        }
      }
      // The stack objects of every frame (address, size, record, owner frame), sorted by address.
      const objAddr: number[] = [];
      const objRec: StackObjectLayout[] = [];
      const objFrame: number[] = [];
      for (let k = 0; k < n; k++) {
        const f = first + k;
        const recs = src.recordsAt(fr.pc[f] > fr.entryPc[f] ? fr.pc[f] - 1 : fr.pc[f]);
        if (recs.length === 0) continue;
        const sp = fr.sp[f];
        const fp = sp + fr.size[f];
        let varp = src.usesLR ? fp : fp - P;
        if (src.framePointer && varp > sp) varp -= P;
        const argp = fp + src.minFrameSize;
        for (const r of recs) {
          const a = (r.off < 0 ? varp : argp) + r.off;
          if (a < sp) continue;
          objAddr.push(a);
          objRec.push(r);
          objFrame.push(f);
        }
      }
      if (objAddr.length === 0) continue;
      const order = objAddr.map((_, i) => i).sort((x, y) => objAddr[x] - objAddr[y]);
      const live = new Uint8Array(order.length);
      const find = (p: number): number => {
        let l = 0;
        let h = order.length - 1;
        let best = -1;
        while (l <= h) {
          const m = (l + h) >> 1;
          if (objAddr[order[m]] <= p) { best = m; l = m + 1; } else h = m - 1;
        }
        if (best < 0) return -1;
        const i = order[best];
        return p < objAddr[i] + objRec[i].size ? best : -1;
      };
      // The word at a stack address, from the frame whose contents hold it (undefined when no frame does).
      const stackWord = (a: number): number | undefined => {
        for (let k = 0; k < n; k++) {
          const f = first + k;
          if (a >= fr.sp[f] && a + P <= fr.sp[f] + lengths[k]) return word(views[k], starts[k] + a - fr.sp[f]);
        }
        return undefined;
      };
      const queue: number[] = [];
      const push = (p: number): void => {
        if (p >= lo && p < hi) queue.push(p);
      };
      // Seeds: the dump's listed slots, then the sudogs' elem words.
      const listed = new Set<number>();
      for (let k = 0; k < n; k++) {
        const f = first + k;
        for (let s = fr.slotStart[f]; s < fr.slotStart[f + 1]; s++) {
          const off = fr.slotOffset[s];
          listed.add(fr.sp[f] + off);
          if (off + P <= lengths[k]) push(word(views[k], starts[k] + off));
        }
      }
      const typed: { at: number; type: number; size: number }[] = [];
      if (src.gWaiting >= 0 && src.sudogElem >= 0 && src.sudogWaitlink >= 0) {
        let sg = heapWord(graph.goroutines[g].address + src.gWaiting);
        for (let guard = 0; sg !== 0 && guard < 10000; guard++) {
          const elem = heapWord(sg + src.sudogElem);
          push(elem);
          if (elem >= lo && elem < hi && src.sudogC >= 0 && src.hchanElemtype >= 0) {
            const c = heapWord(sg + src.sudogC);
            const t = c === 0 ? 0 : heapWord(c + src.hchanElemtype);
            const size = t === 0 ? 0 : src.typeSize(t);
            if (size > 0) typed.push({ at: elem, type: t, size });
          }
          sg = heapWord(sg + src.sudogWaitlink);
        }
      }
      while (queue.length > 0) {
        const j = find(queue.pop()!);
        if (j < 0 || live[j]) continue;
        live[j] = 1;
        const i = order[j];
        const r = objRec[i];
        const base = objAddr[i];
        const words = r.ptrdata < 0 ? r.size / P : r.ptrdata / P;
        for (let w = 0; w < words; w++) {
          if (r.ptrdata >= 0 && (r.mask[w >> 3] & (1 << (w & 7))) === 0) continue;
          const a = base + w * P;
          const v = stackWord(a);
          if (v === undefined || v === 0) continue;
          if (v >= lo && v < hi) queue.push(v);
          else if (!listed.has(a)) { // a listed slot is a root already
            roots.add(RootKind.StackFrame, a, v, objFrame[i]);
            for (const x of typed) if (a >= x.at && a < x.at + x.size) slotTypes.set(a, { type: x.type, offset: a - x.at });
          }
        }
      }
    }
  } finally {
    frames.close();
  }
  return { roots: roots.resolve((a) => graph.findObject(a)), slotTypes };
}
