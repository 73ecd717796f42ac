// GoProgram: what goheap knows about a Go executable: pointer size, byte order, architecture,
// every type from DWARF (by name and by runtime type address), globals with their addresses,
// functions with their parameters and locals, and the data/bss/rodata section ranges.

import { ElfFile } from '../elf/index.js';
import { Pclntab } from '../pclntab/index.js';
import {
  DW_AT,
  DW_FORM,
  DW_TAG,
  Die,
  DwarfData,
  LineInfo,
  SimpleLocation,
  decodeSimpleLocation,
} from '../dwarf/index.js';
import { GoKind } from './kind.js';
import { pointerMap } from './layout.js';
import { GoType, TypeBuilder } from './types.js';
import { staticPointees } from './static-data.js';
import { addItabTypes } from './descriptors.js';

/** A package-level variable. */
export interface GoGlobal {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  readonly type: GoType | undefined;
}

/** A location that holds for pcs in [low, high). */
export interface GoLocationRange {
  readonly low: number;
  readonly high: number;
  readonly location: SimpleLocation;
}

/** A parameter or local variable of a function. */
export interface GoVariable {
  readonly name: string;
  readonly type: GoType | undefined;
  readonly isParam: boolean;
  /** True for a result parameter (DW_AT_variable_parameter set on a formal_parameter). */
  readonly isResult: boolean;
  /** The location when it is one expression (for Go: 'frame' = offset from the CFA). */
  readonly location: SimpleLocation | undefined;
  /** The location when it varies with the pc (a location list). */
  readonly locationList: readonly GoLocationRange[] | undefined;
}

/**
 * A call inlined into a function's code (DW_TAG_inlined_subroutine): the callee's name (from its abstract
 * subprogram), the pcs its body covers, and its own parameters and locals (names and types from the abstract
 * subprogram, locations from the inlined copy).
 */
export interface GoInlinedCall {
  readonly name: string;
  /** Nesting: 1 for a call inlined into the function itself, 2 for one inlined into that call, ... */
  readonly depth: number;
  /** The pc ranges [low, high) of the inlined body, as flat pairs. */
  readonly ranges: readonly number[];
  readonly params: readonly GoVariable[];
  readonly locals: readonly GoVariable[];
}

/** A function with code (DW_TAG_subprogram with a low pc). */
export interface GoFunction {
  readonly name: string;
  readonly lowPc: number;
  readonly highPc: number;
  readonly params: readonly GoVariable[];
  readonly locals: readonly GoVariable[];
  /** The calls inlined into it, outermost first (a nested call after the call it is inlined into). */
  readonly inlined: readonly GoInlinedCall[];
}

/**
 * A GoFunction whose variables are read from DWARF when first asked for: a frame's variables are looked at for the
 * few functions on the dump's stacks, and reading every function's took half of a program's load (0.34 of 0.61 s for
 * a 3.6 MB binary), twice in a cold open.
 */
class DwarfFunction implements GoFunction {
  private body: { params: readonly GoVariable[]; locals: readonly GoVariable[]; inlined: readonly GoInlinedCall[] } | undefined;

  constructor(
    readonly name: string,
    readonly lowPc: number,
    readonly highPc: number,
    private readonly read: () => { params: readonly GoVariable[]; locals: readonly GoVariable[]; inlined: readonly GoInlinedCall[] },
  ) {}

  get params(): readonly GoVariable[] {
    return (this.body ??= this.read()).params;
  }

  get locals(): readonly GoVariable[] {
    return (this.body ??= this.read()).locals;
  }

  get inlined(): readonly GoInlinedCall[] {
    return (this.body ??= this.read()).inlined;
  }
}

/** An address range. */
export interface AddressRange {
  readonly addr: number;
  readonly size: number;
}

/** The main module's data sections (size 0 if absent). */
export interface GoSections {
  readonly data: AddressRange;
  readonly bss: AddressRange;
  readonly noptrdata: AddressRange;
  readonly noptrbss: AddressRange;
  readonly rodata: AddressRange;
}

/** A Go executable's types, globals and functions. */
export class GoProgram {
  readonly ptrSize: number;
  readonly bigEndian: boolean;
  /** GOARCH name from the ELF machine ("amd64", "arm64", ...). */
  readonly arch: string;
  /** The Go version from the producer string of the DWARF units ("go1.26.11"), or "". */
  readonly goVersion: string;
  readonly types: readonly GoType[];
  readonly globals: readonly GoGlobal[];
  readonly functions: readonly GoFunction[];
  readonly sections: GoSections;
  /** Start of the runtime type descriptors: symbol runtime.types (or type:* / type.*, else .rodata). */
  readonly runtimeTypesBase: number;

  private readonly byName = new Map<string, GoType>();
  private readonly byRuntimeAddr = new Map<number, GoType>();
  private readonly funcByName = new Map<string, GoFunction>();
  private readonly globalIndex = new Map<string, GoGlobal>();
  private readonly funcStarts: Float64Array;
  private pclntab_: Pclntab | null | undefined;
  private readonly funcOrder: Uint32Array;

  constructor(
    readonly elf: ElfFile,
    readonly dwarf: DwarfData,
  ) {
    this.bigEndian = elf.bigEndian;
    this.arch = elf.goarch;
    const units = dwarf.units();
    this.ptrSize = units.length > 0 ? units[0].addrSize : elf.class64 ? 8 : 4;
    this.sections = {
      data: range(elf, '.data'),
      bss: range(elf, '.bss'),
      noptrdata: range(elf, '.noptrdata'),
      noptrbss: range(elf, '.noptrbss'),
      rodata: range(elf, '.rodata'),
    };
    const typesSym = elf.symbol('runtime.types') ?? elf.symbol('type:*') ?? elf.symbol('type.*');
    this.runtimeTypesBase = typesSym?.value ?? this.sections.rodata.addr;
    // The section holding the type descriptors, to tell absolute addresses from offsets.
    const typesSec = elf.sectionForAddress(this.runtimeTypesBase);
    const typesEnd = typesSec !== undefined ? typesSec.addr + typesSec.size : this.runtimeTypesBase;
    const base = this.runtimeTypesBase;
    const toAddr = (v: number): number => (v >= base && v < typesEnd ? v : base + v);

    const builder = new TypeBuilder(dwarf, this.ptrSize, toAddr);
    builder.build();
    this.types = builder.types;
    for (const t of this.types) {
      const prev = t.name === '' ? undefined : this.byName.get(t.name);
      if (t.name !== '' && (prev === undefined || (prev.runtimeTypeAddress === undefined && t.runtimeTypeAddress !== undefined))) {
        this.byName.set(t.name, t);
      }
      if (t.runtimeTypeAddress !== undefined && !this.byRuntimeAddr.has(t.runtimeTypeAddress)) {
        this.byRuntimeAddr.set(t.runtimeTypeAddress, t);
      }
    }
    addItabTypes({
      elf, ptrSize: this.ptrSize, bigEndian: this.bigEndian, typesBase: this.runtimeTypesBase,
      types: builder.types, byRuntimeAddr: this.byRuntimeAddr, byName: this.byName,
    });

    let goVersion = '';
    const globals: GoGlobal[] = [];
    const functions: GoFunction[] = [];
    const dies = dwarf.dies();
    for (let i = 0; i < dies.length; i++) {
      const d = dies[i];
      if (d.depth === 0 && goVersion === '') {
        const m = /go1[.\d]*/.exec(d.str(DW_AT.producer) ?? '');
        if (m) goVersion = m[0];
      }
      if (d.depth !== 1) continue;
      try {
        if (d.tag === DW_TAG.variable) {
          const g = this.makeGlobal(d, builder);
          if (g !== undefined) globals.push(g);
        } else if (d.tag === DW_TAG.subprogram) {
          const f = this.makeFunction(d, builder);
          if (f !== undefined) functions.push(f);
        }
      } catch {
        // An odd DIE: skip it.
      }
    }
    this.goVersion = goVersion;
    globals.push(...staticPointees(elf, globals, this.sections, this.ptrSize, this.bigEndian));
    globals.sort((a, b) => a.address - b.address);
    this.globals = globals;
    for (const g of globals) if (!this.globalIndex.has(g.name)) this.globalIndex.set(g.name, g);
    this.functions = functions;
    for (const f of functions) if (!this.funcByName.has(f.name)) this.funcByName.set(f.name, f);
    const order = Uint32Array.from(functions.keys()).sort((a, b) => functions[a].lowPc - functions[b].lowPc);
    this.funcOrder = order;
    this.funcStarts = Float64Array.from(order, (i) => functions[i].lowPc);
  }

  private address(d: Die, expr: Uint8Array): number | undefined {
    const loc = decodeSimpleLocation(expr, d.unit.addrSize, !this.bigEndian, this.dwarf.file);
    if (loc.kind === 'addr') return loc.address;
    if (loc.kind === 'addrx') {
      const a = this.dwarf.info.indexedAddress(d.unit, loc.index);
      return typeof a === 'number' ? a : undefined;
    }
    return undefined;
  }

  private makeGlobal(d: Die, b: TypeBuilder): GoGlobal | undefined {
    const name = d.name;
    const expr = d.block(DW_AT.location);
    if (name === undefined || expr === undefined) return undefined;
    const address = this.address(d, expr);
    if (address === undefined) return undefined;
    const type = b.typeAt(d.ref(DW_AT.type));
    return { name, address, size: type?.size ?? 0, type };
  }

  /** The DIE a DW_AT_abstract_origin of `d` refers to (the abstract subprogram or variable of an inlined copy). */
  private origin(d: Die): Die | undefined {
    const o = d.ref(DW_AT.abstract_origin);
    return o === undefined ? undefined : this.dwarf.dieAt(o);
  }

  private makeFunction(d: Die, b: TypeBuilder): GoFunction | undefined {
    // An out-of-line copy of an inlinable function has no name of its own: its abstract origin has it.
    const name = d.name ?? this.origin(d)?.name;
    const low = d.get(DW_AT.low_pc);
    if (name === undefined || typeof low !== 'number') return undefined;
    const hiForm = d.form(DW_AT.high_pc);
    const hi = d.num(DW_AT.high_pc) ?? low;
    // DWARF 4+: a constant-class high_pc is a length from low_pc.
    const highPc = hiForm === DW_FORM.addr || hiForm === 0 || (hiForm >= DW_FORM.addrx1 && hiForm <= DW_FORM.addrx4) || hiForm === DW_FORM.addrx ? hi : low + hi;
    return new DwarfFunction(name, low, highPc, () => {
      const inlined: GoInlinedCall[] = [];
      // An odd DIE among the variables: the function keeps none of them.
      try {
        const own = this.bodyVariables(d, b, 0, inlined);
        return { params: own.params, locals: own.locals, inlined };
      } catch {
        return { params: [], locals: [], inlined: [] };
      }
    });
  }

  /**
   * The parameters and locals of a subprogram or inlined call `d` (locals may sit in lexical blocks); each call
   * inlined into it is added to `inlined` with its own variables (calls inlined into those after them).
   */
  private bodyVariables(d: Die, b: TypeBuilder, depth: number, inlined: GoInlinedCall[]): { params: GoVariable[]; locals: GoVariable[] } {
    const params: GoVariable[] = [];
    const locals: GoVariable[] = [];
    const all = this.dwarf.dies();
    const stack: number[] = [];
    if (d.firstChild >= 0) stack.push(d.firstChild);
    while (stack.length > 0) {
      let i = stack.pop()!;
      while (i >= 0) {
        const c = all[i];
        if (c.tag === DW_TAG.formal_parameter || c.tag === DW_TAG.variable) {
          const v = this.makeVariable(c, b);
          if (v !== undefined) (v.isParam ? params : locals).push(v);
        } else if (c.tag === DW_TAG.lexical_block && c.firstChild >= 0) {
          stack.push(c.firstChild);
        } else if (c.tag === DW_TAG.inlined_subroutine) {
          const name = this.origin(c)?.name;
          let ranges: number[] = [];
          try {
            if (name !== undefined) ranges = this.dwarf.ranges(c);
          } catch {
            // A damaged range list: the call's variables stay unnamed.
          }
          if (name !== undefined && ranges.length > 0) {
            const call = { name, depth: depth + 1, ranges, params: [] as GoVariable[], locals: [] as GoVariable[] };
            inlined.push(call);
            const vars = this.bodyVariables(c, b, depth + 1, inlined);
            call.params = vars.params;
            call.locals = vars.locals;
          }
        }
        i = c.nextSibling;
      }
    }
    return { params, locals };
  }

  private makeVariable(c: Die, b: TypeBuilder): GoVariable | undefined {
    // A variable of an inlined body (or of an out-of-line copy) has its name and type in its abstract origin.
    const o = c.name === undefined ? this.origin(c) : undefined;
    const name = c.name ?? o?.name;
    if (name === undefined) return undefined;
    const isParam = c.tag === DW_TAG.formal_parameter;
    const expr = c.block(DW_AT.location);
    let location: SimpleLocation | undefined;
    let locationList: GoLocationRange[] | undefined;
    if (expr !== undefined) {
      location = decodeSimpleLocation(expr, c.unit.addrSize, !this.bigEndian, this.dwarf.file);
    } else if (c.has(DW_AT.location)) {
      const list = this.dwarf.locationList(c);
      if (list !== undefined) {
        locationList = list.map((e) => ({
          low: e.low,
          high: e.high,
          location: decodeSimpleLocation(e.expr, c.unit.addrSize, !this.bigEndian, this.dwarf.file),
        }));
      }
    }
    return {
      name,
      type: b.typeAt(c.ref(DW_AT.type) ?? o?.ref(DW_AT.type)),
      isParam,
      isResult: isParam && (c.flag(0x4b /* DW_AT_variable_parameter */) || (o?.flag(0x4b) ?? false)),
      location,
      locationList,
    };
  }

  /** A type by its DWARF name ("main.Node", "*main.Node", "map[string]*main.Session"). */
  /** The executable's .gopclntab (functions by pc, inline tree, stack objects), read on first use; undefined without one. */
  get pclntab(): Pclntab | undefined {
    if (this.pclntab_ === undefined) this.pclntab_ = Pclntab.open(this.elf, this.elf.path) ?? null;
    return this.pclntab_ ?? undefined;
  }

  typeByName(name: string): GoType | undefined {
    return this.byName.get(name);
  }

  /** The type whose runtime type descriptor is at `addr` (as found in itabs, efaces, malloc headers). */
  typeByRuntimeAddress(addr: number): GoType | undefined {
    return this.byRuntimeAddr.get(addr);
  }

  functionByName(name: string): GoFunction | undefined {
    return this.funcByName.get(name);
  }

  globalByName(name: string): GoGlobal | undefined {
    return this.globalIndex.get(name);
  }

  /** The global whose bytes hold `address` (a statically allocated value "*main.Cache" included), or undefined. */
  globalAt(address: number): GoGlobal | undefined {
    return globalAt(this.globals, address);
  }

  /** The function whose code contains `pc`. */
  functionAt(pc: number): GoFunction | undefined {
    const s = this.funcStarts;
    let lo = 0;
    let hi = s.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= pc) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const f = this.functions[this.funcOrder[best]];
    return pc < f.highPc ? f : undefined;
  }

  /** The file:line of a pc, from .debug_line. */
  lineAt(pc: number): LineInfo | undefined {
    return this.dwarf.lookupPc(pc);
  }

  /** Offsets of the pointer words in a value of `t` (see layout.ts). */
  pointerMap(t: GoType): Uint32Array {
    return pointerMap(t, this.ptrSize);
  }

  /** runtime.funcval: what a func value points to (code pointer first, captured variables after). */
  get funcval(): GoType | undefined {
    return this.byName.get('runtime.funcval');
  }

  /** The kind of a type, for callers that only hold a runtime type address. */
  kindOfRuntimeType(addr: number): GoKind | undefined {
    return this.byRuntimeAddr.get(addr)?.kind;
  }

  close(): void {
    this.elf.close();
  }
}

function range(elf: ElfFile, name: string): AddressRange {
  const s = elf.section(name);
  return s === undefined ? { addr: 0, size: 0 } : { addr: s.addr, size: s.size };
}

/** Opens a Go executable and builds its GoProgram from its ELF symbols and DWARF. */
export function loadGoProgram(binaryPath: string): GoProgram {
  const elf = ElfFile.open(binaryPath);
  try {
    const dwarf = new DwarfData((n) => elf.sectionData(n), !elf.bigEndian, binaryPath);
    return new GoProgram(elf, dwarf);
  } catch (e) {
    elf.close();
    throw e;
  }
}

/** The global whose bytes hold `address`, from globals sorted by address. */
export function globalAt(sorted: readonly GoGlobal[], address: number): GoGlobal | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].address <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && address < sorted[best].address + sorted[best].size ? sorted[best] : undefined;
}
