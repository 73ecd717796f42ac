// SlotTables: for each Go type, what each of its pointer words points to, as a table indexed by word number.
// A descriptor says how the target of a pointer slot gets its type: a plain pointer gives the pointee's type, a
// slice gives an array of its element (the capacity is read from the slice header), an interface reads its type
// word, a map or channel gives the runtime header struct DWARF describes, a func value names a closure. Map and
// channel internals (bucket arrays, Swiss directories and groups, channel buffers) have their own kinds.
import { GoKind, GoProgram, GoType, isNotInHeap } from '../gotypes/index.js';

/** What a pointer slot's target is. */
export const enum SlotKind {
  /** *U: the target is one U. */
  Ptr = 1,
  /** []U data word: the target is [cap]U (cap read two words after the slot). */
  Slice = 2,
  /** string data word: the target holds string bytes. */
  String = 3,
  /** interface{} data word: the type word precedes it. */
  Eface = 4,
  /** non-empty interface data word: the itab word precedes it. */
  Iface = 5,
  /** A func value: the target is a funcval whose first word is the code pointer. */
  Func = 6,
  /**
   * A pointer to an array of U whose length is the target's size over U's (hmap buckets with their overflow buckets,
   * sync.Pool's locals).
   */
  Buckets = 7,
  /** Swiss map directory: dirLen (the next word) 0 means a single group (type2), else [dirLen]*table (type). */
  MapDir = 8,
  /** Channel buffer: [dataqsiz]U, dataqsiz the word before buf in hchan. */
  ChanBuf = 9,
  /**
   * A HashTrieMap node pointer (internal/sync, sync.Map on Go 1.24+): the target's first byte (node.isEntry) says
   * whether it is an entry (type) or an indirect node (type2).
   */
  TrieNode = 10,
  /** An unsafe.Pointer field of struct `type`: the target's type is not known (it may be inferred from its shape). */
  Unsafe = 11,
  /**
   * A Swiss table's groups.data: [lengthMask + 1]U, lengthMask the word after the slot (a power of two groups; the
   * object's size class may hold more).
   */
  Groups = 12,
}

/** Word tables are not built for types larger than this many words (their pointers are not followed). */
const MAX_WORDS = 1 << 22;

/** Descriptors and per-type word tables for one GoProgram, built lazily. */
export class SlotTables {
  /** Per descriptor: kind, target type id (or -1), second type id (MapDir group). */
  readonly kind: number[] = [0];
  readonly type: number[] = [-1];
  readonly type2: number[] = [-1];
  private readonly tables: (Int32Array | null | undefined)[];
  private readonly descIndex = new Map<number, number>();
  /** Map header struct id -> its map type; hchan struct id -> its chan type. */
  private readonly mapOfHeader = new Map<number, GoType>();
  private readonly chanOfHeader = new Map<number, GoType>();
  /** Channel element type id -> the hchan struct id of its chan type. */
  private readonly headerOfChanElem = new Map<number, number>();
  private readonly ptrSize: number;

  constructor(readonly program: GoProgram) {
    this.ptrSize = program.ptrSize;
    this.tables = new Array(program.types.length);
    for (const t of program.types) {
      if (t.kind === GoKind.Map && t.map !== undefined && !this.mapOfHeader.has(t.map.header.id)) this.mapOfHeader.set(t.map.header.id, t);
      if (t.kind === GoKind.Chan && t.chanHeader !== undefined && !this.chanOfHeader.has(t.chanHeader.id)) this.chanOfHeader.set(t.chanHeader.id, t);
      if (t.kind === GoKind.Chan && t.chanHeader !== undefined && t.elem !== undefined && !this.headerOfChanElem.has(t.elem.id)) this.headerOfChanElem.set(t.elem.id, t.chanHeader.id);
    }
  }

  /** The hchan struct (DWARF's hchan<T>) of the channel type whose element is Go type `elem`, if the binary has one. */
  chanHeaderOfElem(elem: number): number | undefined {
    return this.headerOfChanElem.get(elem);
  }

  /** True when Go type `id` is the header struct of a map type (hash<K,V>, map<K,V>) or a channel type (hchan<T>). */
  isContainerHeader(id: number): boolean {
    return this.mapOfHeader.has(id) || this.chanOfHeader.has(id);
  }

  private desc(kind: SlotKind, type: number, type2 = -1): number {
    const key = (type + 1) * 64 * 1048576 + (type2 + 1) * 16 + kind;
    let d = this.descIndex.get(key);
    if (d === undefined) {
      d = this.kind.length;
      this.kind.push(kind);
      this.type.push(type);
      this.type2.push(type2);
      this.descIndex.set(key, d);
    }
    return d;
  }

  /** Word number -> descriptor (0: nothing to follow) for a value of type `t`, or null when too large. */
  table(t: GoType): Int32Array | null {
    const have = this.tables[t.id];
    if (have !== undefined) return have;
    const words = Math.ceil(t.size / this.ptrSize);
    let table: Int32Array | null = null;
    if (words <= MAX_WORDS) {
      table = new Int32Array(words);
      try {
        this.fill(t, 0, table, 0);
      } catch {
        // An odd type: keep what was filled.
      }
    }
    this.tables[t.id] = table;
    return table;
  }

  /** The descriptor of word 0 of `t` (used for values stored directly in an interface's data word). */
  firstWord(t: GoType): number {
    const tb = this.table(t);
    return tb !== null && tb.length > 0 ? tb[0] : 0;
  }

  private put(table: Int32Array, off: number, d: number): void {
    const w = off / this.ptrSize;
    if (Number.isInteger(w) && w >= 0 && w < table.length) table[w] = d;
  }

  private fill(t: GoType, off: number, table: Int32Array, depth: number): void {
    if (depth > 64) return;
    const p = this.ptrSize;
    switch (t.kind) {
      case GoKind.Ptr: {
        const e = t.elem;
        if (e === undefined || isNotInHeap(e)) return;
        this.put(table, off, this.pointerTo(e));
        return;
      }
      case GoKind.Map:
        if (t.map !== undefined) this.put(table, off, this.desc(SlotKind.Ptr, t.map.header.id));
        return;
      case GoKind.Chan:
        if (t.chanHeader !== undefined) this.put(table, off, this.desc(SlotKind.Ptr, t.chanHeader.id));
        return;
      case GoKind.Func:
        this.put(table, off, this.desc(SlotKind.Func, -1));
        return;
      case GoKind.String:
        this.put(table, off, this.desc(SlotKind.String, -1));
        return;
      case GoKind.Slice:
        if (t.elem !== undefined) this.put(table, off, this.desc(SlotKind.Slice, t.elem.id));
        return;
      case GoKind.Eface:
        this.put(table, off + p, this.desc(SlotKind.Eface, -1));
        return;
      case GoKind.Iface:
        this.put(table, off + p, this.desc(SlotKind.Iface, -1));
        return;
      case GoKind.Array: {
        const e = t.elem;
        const n = t.len ?? 0;
        if (e === undefined || n === 0 || e.size === 0) return;
        if (this.program.pointerMap(e).length === 0 && !hasSpecial(e)) return;
        const inner = this.table(e);
        if (inner === null) return;
        const stride = e.size / p;
        const base = off / p;
        if (!Number.isInteger(stride) || !Number.isInteger(base)) return;
        for (let i = 0; i < n; i++) {
          const at = base + i * stride;
          if (at >= table.length) break;
          for (let w = 0; w < inner.length; w++) if (inner[w] !== 0) table[at + w] = inner[w];
        }
        return;
      }
      case GoKind.Struct: {
        const fs = t.fields;
        if (fs === undefined) return;
        const name = t.name;
        if (isEfaceShape(t, p)) {
          // {type word, unsafe.Pointer}: an interface{} spelled out (sync.eface in sync.Pool's dequeues, abi.EmptyInterface).
          this.put(table, off + p, this.desc(SlotKind.Eface, -1));
          return;
        }
        for (const f of fs) {
          const fo = off + f.offset;
          if (name.startsWith('hash<') && (f.name === 'buckets' || f.name === 'oldbuckets') && f.type.kind === GoKind.Ptr && f.type.elem !== undefined) {
            this.put(table, fo, this.desc(SlotKind.Buckets, f.type.elem.id));
          } else if (name.startsWith('table<') && f.name === 'groups') {
            const group = this.mapOfTable(t);
            if (group !== undefined) this.put(table, fo, this.desc(SlotKind.Groups, group.id));
          } else if (name.startsWith('map<') && f.name === 'dirPtr') {
            const m = this.mapOfHeader.get(t.id);
            const tablePtr = f.type.kind === GoKind.Ptr ? f.type.elem : undefined;
            if (m?.map?.bucket !== undefined && tablePtr !== undefined) {
              this.put(table, fo, this.desc(SlotKind.MapDir, tablePtr.id, m.map.bucket.id));
            }
          } else if (name.startsWith('hchan<') && f.name === 'buf') {
            const c = this.chanOfHeader.get(t.id);
            if (c?.elem !== undefined && c.elem.size > 0) this.put(table, fo, this.desc(SlotKind.ChanBuf, c.elem.id));
          } else if (name === 'sync.Pool' && (f.name === 'local' || f.name === 'victim')) {
            const local = this.program.typeByName('sync.poolLocal');
            if (local !== undefined && local.size > 0) this.put(table, fo, this.desc(SlotKind.Buckets, local.id));
          } else if (f.name === 'v' && f.type.kind === GoKind.UnsafePointer) {
            // sync/atomic.Pointer[T] and its runtime twin keep T only in a `_ [0]*T` field.
            const pt = typeParameterPointer(t);
            if (pt !== undefined && !isNotInHeap(pt) && pt.size > 0) this.put(table, fo, this.pointerTo(pt));
          } else if (name === 'sync.entry' && f.name === 'p' && f.type.kind === GoKind.UnsafePointer && this.anyType !== undefined) {
            // Go 1.19's sync.Map entry: p is a *interface{} (the stored value, boxed).
            this.put(table, fo, this.desc(SlotKind.Ptr, this.anyType.id));
          } else if (name === 'runtime.timeTimer' && f.name === 'c' && f.type.kind === GoKind.UnsafePointer && this.timeChanHeader !== undefined) {
            // Go 1.23+: the runtime's timer behind a time.Timer or Ticker; c is their C, a chan time.Time.
            this.put(table, fo, this.desc(SlotKind.Ptr, this.timeChanHeader.id));
          } else if (f.type.kind === GoKind.UnsafePointer) {
            this.put(table, fo, this.desc(SlotKind.Unsafe, t.id));
          } else {
            this.fill(f.type, fo, table, depth + 1);
          }
        }
        return;
      }
      default:
        return;
    }
  }

  /** The hchan struct of time.Timer's C (a chan time.Time), if the program has it. */
  private get timeChanHeader(): GoType | undefined {
    const c = this.program.typeByName('time.Timer')?.fields?.find((f) => f.name === 'C')?.type;
    return c?.kind === GoKind.Chan ? c.chanHeader : undefined;
  }

  private anyTypeCache: GoType | null | undefined;

  /** The type interface{} (any), if the program has it. */
  private get anyType(): GoType | undefined {
    if (this.anyTypeCache === undefined) this.anyTypeCache = this.program.typeByName('interface {}') ?? null;
    return this.anyTypeCache ?? undefined;
  }

  /** The descriptor of a pointer to e: Ptr, or TrieNode for internal/sync's node[K,V]. */
  private pointerTo(e: GoType): number {
    if (e.name.startsWith('internal/sync.node[')) {
      const args = e.name.slice('internal/sync.node'.length);
      const entry = this.program.typeByName(`internal/sync.entry${args}`);
      const indirect = this.program.typeByName(`internal/sync.indirect${args}`);
      if (entry !== undefined && indirect !== undefined) return this.desc(SlotKind.TrieNode, entry.id, indirect.id);
    }
    return this.desc(SlotKind.Ptr, e.id);
  }

  private groupOfTable: Map<number, GoType> | undefined;

  /** A Swiss table<K,V> struct's group type. */
  private mapOfTable(t: GoType): GoType | undefined {
    if (this.groupOfTable === undefined) {
      this.groupOfTable = new Map();
      for (const m of this.mapOfHeader.values()) {
        if (m.map?.table !== undefined && m.map.bucket !== undefined) this.groupOfTable.set(m.map.table.id, m.map.bucket);
      }
    }
    return this.groupOfTable.get(t.id);
  }
}

/** The T of a generic atomic.Pointer[T]-like struct: the pointee of its `_ [0]*T` field. */
function typeParameterPointer(t: GoType): GoType | undefined {
  for (const f of t.fields ?? []) {
    if (f.name === '_' && f.type.kind === GoKind.Array && f.type.len === 0 && f.type.elem?.kind === GoKind.Ptr) return f.type.elem.elem;
  }
  return undefined;
}

/**
 * A struct {type word; unsafe.Pointer} laid out as an interface{}: two words, the second an unsafe.Pointer named
 * as data, the first an unsafe.Pointer or a pointer to a runtime type descriptor, named as a type.
 */
function isEfaceShape(t: GoType, p: number): boolean {
  const fs = t.fields;
  if (fs === undefined || fs.length !== 2 || t.size !== 2 * p) return false;
  const [a, b] = fs;
  if (a.offset !== 0 || b.offset !== p || b.type.kind !== GoKind.UnsafePointer) return false;
  if (!/^(typ|_type|Type|t|rtype)$/.test(a.name) || !/^(val|data|Data|word|ptr)$/.test(b.name)) return false;
  if (a.type.kind === GoKind.UnsafePointer) return true;
  return a.type.kind === GoKind.Ptr && a.type.elem !== undefined && /(^|\.)(_type|Type|rtype)$/.test(a.type.elem.name);
}

/** Structs with special slots whose DWARF field types are not pointers (Swiss tables' groups, hchan's buf). */
function hasSpecial(t: GoType): boolean {
  return t.kind === GoKind.Struct && (t.name.startsWith('table<') || t.name.startsWith('hchan<') || t.name === 'sync.Pool' || typeParameterPointer(t) !== undefined);
}
