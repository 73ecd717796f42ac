// Goroutine stack frames as columns: one row per StackFrame record, in file order (each goroutine's frames follow
// it, depth 0 first). Frames are linked to their goroutine by index and to their caller by (sp, depth): the frame
// at depth d+1 of the same goroutine is the caller of the frame at depth d, and its childSp is the callee's sp.

/**
 * A function's name as Go's traceback prints it: a generic function's type arguments (the GC shapes its code was
 * compiled for, `main.(*Sub[go.shape.struct { ... }]).loop`) shown as `[...]`, as the runtime's funcNameForPrint
 * does (from the first '[' to the last ']').
 */
export function funcNameForPrint(name: string): string {
  const i = name.indexOf('[');
  if (i < 0) return name;
  const j = name.lastIndexOf(']');
  if (j <= i) return name;
  return `${name.slice(0, i)}[...]${name.slice(j + 1)}`;
}

export interface FrameTable {
  count: number;
  /** Index into HeapGraph.goroutines of the goroutine the frame belongs to (-1 if it came before any). */
  goroutine: Int32Array;
  depth: Uint32Array;
  sp: Float64Array;
  childSp: Float64Array;
  /** File offset and size of the frame's contents. */
  contentOffset: Float64Array;
  size: Uint32Array;
  entryPc: Float64Array;
  pc: Float64Array;
  continuationPc: Float64Array;
  /** Index into functionNames. */
  functionId: Uint32Array;
  functionNames: string[];
  /** First frame of each goroutine and how many it has: frames of goroutine g are [first[g], first[g] + count[g]). */
  goroutineFirstFrame: Uint32Array;
  goroutineFrameCount: Uint32Array;
  /** The pointer slots the dump lists for frame f (its live slots): slotOffset[slotStart[f] .. slotStart[f+1]), from sp. */
  slotStart: Uint32Array;
  slotOffset: Uint32Array;
}

/** Builds a FrameTable from frames reported in file order. */
export class FrameTableBuilder {
  private rows: number[][] = [[], [], [], [], [], [], [], [], [], []];
  private names = new Map<string, number>();
  private nameList: string[] = [];
  private slotOffsets: number[] = [];
  private slotStarts: number[] = [];
  count = 0;

  add(goroutine: number, depth: number, sp: number, childSp: number, contentOffset: number, size: number,
    entryPc: number, pc: number, continuationPc: number, rawFunctionName: string, slotOffsets: readonly number[] = []): number {
    const functionName = funcNameForPrint(rawFunctionName);
    let id = this.names.get(functionName);
    if (id === undefined) {
      id = this.nameList.length;
      this.nameList.push(functionName);
      this.names.set(functionName, id);
    }
    const r = this.rows;
    r[0].push(goroutine); r[1].push(depth); r[2].push(sp); r[3].push(childSp); r[4].push(contentOffset);
    r[5].push(size); r[6].push(entryPc); r[7].push(pc); r[8].push(continuationPc); r[9].push(id);
    this.slotStarts.push(this.slotOffsets.length);
    for (const o of slotOffsets) this.slotOffsets.push(o);
    return this.count++;
  }

  build(goroutineCount: number): FrameTable {
    const r = this.rows;
    const goroutine = Int32Array.from(r[0]);
    const first = new Uint32Array(goroutineCount);
    const count = new Uint32Array(goroutineCount);
    for (let i = goroutine.length - 1; i >= 0; i--) {
      const g = goroutine[i];
      if (g >= 0) {
        first[g] = i;
        count[g]++;
      }
    }
    const t: FrameTable = {
      count: this.count,
      goroutine,
      depth: Uint32Array.from(r[1]),
      sp: Float64Array.from(r[2]),
      childSp: Float64Array.from(r[3]),
      contentOffset: Float64Array.from(r[4]),
      size: Uint32Array.from(r[5]),
      entryPc: Float64Array.from(r[6]),
      pc: Float64Array.from(r[7]),
      continuationPc: Float64Array.from(r[8]),
      functionId: Uint32Array.from(r[9]),
      functionNames: this.nameList,
      goroutineFirstFrame: first,
      goroutineFrameCount: count,
      slotStart: Uint32Array.from([...this.slotStarts, this.slotOffsets.length]),
      slotOffset: Uint32Array.from(this.slotOffsets),
    };
    this.rows = [];
    this.slotStarts = this.slotOffsets = [];
    return t;
  }
}
