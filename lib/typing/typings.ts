// Typings: the display types objects get, numbered from 1 (0 is untyped). A typing is a Go type, or an array of
// N of them (a slice's backing array "[N]T", a map's bucket array), or one of the names that are not Go types:
// "string data" (the bytes a string points to), "closure F" (a funcval whose code pointer is in function F) and
// "tiny block" (a 16-byte block of the tiny allocator, whose sub-objects have typings of their own).
import type { GoProgram, GoType } from '../gotypes/index.js';

export const enum TypingKind {
  Untyped = 0,
  /** One value of goType. */
  Value = 1,
  /** count values of goType. */
  Array = 2,
  StringData = 3,
  Closure = 4,
  /** A tiny allocator block: 16 bytes holding several small pointer-free sub-objects (RecoveredTypes.subObjects). */
  TinyBlock = 5,
}

/** The typings of one recovery, with their names and the Go types behind them. */
export class TypingTable {
  readonly names: string[] = ['untyped'];
  readonly kind: number[] = [TypingKind.Untyped];
  /** The element type (Value, Array), or undefined. */
  readonly goType: (GoType | undefined)[] = [undefined];
  /** The element type's id (Value, Array), else -1: the same as goType, for hot loops. */
  readonly typeId: number[] = [-1];
  /** Array length (Array), else 0. */
  readonly count: number[] = [0];
  private readonly valueIds: Int32Array;
  /** Per element type id: array length -> typing id. */
  private readonly arrayIds: (Map<number, number> | undefined)[] = [];
  private readonly otherIds = new Map<string, number>();

  constructor(typeCount: number) {
    this.valueIds = new Int32Array(typeCount);
  }

  /**
   * A table with the given typings in the given order (as a StoredTypes holds them), or undefined when one names
   * a Go type `program` does not have or names it differently (the columns came from another binary).
   */
  static restore(program: GoProgram, c: { name: string[]; kind: number[]; typeId: number[]; count: number[] }): TypingTable | undefined {
    const t = new TypingTable(program.types.length);
    for (let id = 1; id < c.name.length; id++) {
      const kind = c.kind[id] as TypingKind;
      const goType = c.typeId[id] >= 0 ? program.types[c.typeId[id]] : undefined;
      if (c.typeId[id] >= 0 && goType === undefined) return undefined;
      const made = kind === TypingKind.Value ? t.value(goType!)
        : kind === TypingKind.Array ? t.array(goType!, c.count[id])
          : kind === TypingKind.StringData ? t.stringData()
            : kind === TypingKind.Closure ? t.closure(c.name[id].slice('closure '.length))
              : kind === TypingKind.TinyBlock ? t.tinyBlock()
                : -1;
      if (made !== id || t.names[id] !== c.name[id]) return undefined;
    }
    return t;
  }

  private add(name: string, kind: TypingKind, goType: GoType | undefined, count: number): number {
    const id = this.names.length;
    this.names.push(name);
    this.kind.push(kind);
    this.goType.push(goType);
    this.typeId.push(goType === undefined ? -1 : goType.id);
    this.count.push(count);
    return id;
  }

  /** The typing "one t". */
  value(t: GoType): number {
    let id = this.valueIds[t.id];
    if (id === 0) {
      id = this.add(t.name === '' ? `<anonymous type ${t.id}>` : t.name, TypingKind.Value, t, 0);
      this.valueIds[t.id] = id;
    }
    return id;
  }

  /** The typing "[n]t". */
  array(t: GoType, n: number): number {
    let m = this.arrayIds[t.id];
    if (m === undefined) {
      m = new Map();
      this.arrayIds[t.id] = m;
    }
    let id = m.get(n);
    if (id === undefined) {
      id = this.add(`[${n}]${t.name}`, TypingKind.Array, t, n);
      m.set(n, id);
    }
    return id;
  }

  private other(name: string, kind: TypingKind): number {
    let id = this.otherIds.get(name);
    if (id === undefined) {
      id = this.add(name, kind, undefined, 0);
      this.otherIds.set(name, id);
    }
    return id;
  }

  stringData(): number {
    return this.other('string data', TypingKind.StringData);
  }

  tinyBlock(): number {
    return this.other(TINY_BLOCK_NAME, TypingKind.TinyBlock);
  }

  closure(functionName: string): number {
    return this.other(`closure ${functionName}`, TypingKind.Closure);
  }
}

/** The typing name of a tiny allocator block (its sub-objects are typed one by one). */
export const TINY_BLOCK_NAME = 'tiny block';
/** The histogram row of the bytes of tiny blocks that no typed sub-object covers. */
export const TINY_REST_NAME = 'tiny block (rest)';

/** The name of an untyped object of `size` bytes (its size class). */
export function untypedName(size: number): string {
  return `untyped (size class ${size})`;
}
