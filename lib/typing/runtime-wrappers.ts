// The runtime's own spellings of user types, and what replaces them. Some objects are first reached through a
// type that says less than the truth: a channel or map header as runtime.hchan / runtime.hmap / maps.Map, a Swiss
// map directory through its malloc header (the element type *internal/runtime/maps.table, no K or V) and the
// tables it points to as maps.table. The map's or channel's static type (from the pointer that holds it: DWARF's
// hchan<T>, map<K,V>, table<K,V>) then replaces them. And some objects are allocated as a larger runtime type than
// the public one the program holds: on Go 1.23+ time.NewTimer, NewTicker and AfterFunc return the runtime's
// timeTimer (src/runtime/time.go: {c; init; timer}, the public {C; initTimer} first), so a *time.Timer pointing
// at an object of timeTimer's size class types it as runtime.timeTimer whole (its f and arg: the AfterFunc closure
// and what it captures; c is typed as the public C, a chan time.Time, in slots.ts). A channel's timer field points
// inside such a timeTimer (at its runtime.timer), which types it whole the same way; before Go 1.23 the P's timer
// heap points inside each time.Timer and time.Ticker the same way.
import type { GoProgram } from '../gotypes/index.js';

/** What a Go type id is to the runtime-spelling rules. */
export const enum SpellingKind {
  None = 0,
  /** runtime.hchan, runtime.hmap, internal/runtime/maps.Map: replaced by a container header type. */
  ContainerHeader = 1,
  /** *internal/runtime/maps.table, a Swiss directory's element: [n]*maps.table is replaced by [n]*table<K,V>. */
  TablePointer = 2,
  /** internal/runtime/maps.table: replaced by table<K,V>. */
  Table = 3,
}

export interface RuntimeSpellings {
  /** Per Go type id: its SpellingKind. */
  spelling: Uint8Array;
  /**
   * Per Go type id: the runtime type an object holding it may really be (time.Timer -> runtime.timeTimer, and the
   * runtime.timer a channel's timer field points to -> the runtime.timeTimer around it), or -1.
   */
  wrapper: Int32Array;
  /** Per Go type id with a wrapper: its offset in the wrapper (0 for time.Timer, timeTimer.timer's for runtime.timer). */
  wrapperOffset: Int32Array;
  /**
   * Before Go 1.23, where runtime.timer's wrapper is time.Timer: time.Ticker's type id and the offset of the timer's
   * period word in either (a ticker's is not zero); undefined otherwise.
   */
  periodic: { ticker: number; period: number } | undefined;
}

export function runtimeSpellings(program: GoProgram): RuntimeSpellings {
  const nt = program.types.length;
  const spelling = new Uint8Array(nt);
  const mark = (name: string, kind: SpellingKind) => {
    const t = program.typeByName(name);
    if (t !== undefined) spelling[t.id] = kind;
  };
  for (const name of ['runtime.hchan', 'runtime.hmap', 'internal/runtime/maps.Map']) mark(name, SpellingKind.ContainerHeader);
  mark('*internal/runtime/maps.table', SpellingKind.TablePointer);
  mark('internal/runtime/maps.table', SpellingKind.Table);
  const wrapper = new Int32Array(nt).fill(-1);
  const wrapperOffset = new Int32Array(nt);
  for (const name of WRAPPED) {
    const t = program.typeByName(name);
    const w = allocatedAs(program, name);
    if (t !== undefined && w !== undefined) wrapper[t.id] = program.typeByName(w)!.id;
  }
  // Go 1.23+: a channel's timer field (hchan.timer, *runtime.timer) points at the timer inside the timeTimer that
  // time.After, NewTimer and NewTicker allocate; the runtime's other timers (a goroutine's sleep timer) stand alone,
  // in a smaller size class.
  const timeTimer = program.typeByName('runtime.timeTimer');
  const timer = program.typeByName('runtime.timer');
  const inner = timeTimer?.fields?.find((f) => f.name === 'timer' && f.type.id === timer?.id);
  if (timeTimer !== undefined && timer !== undefined && inner !== undefined && timer.size > 0 && timer.size < timeTimer.size) {
    wrapper[timer.id] = timeTimer.id;
    wrapperOffset[timer.id] = inner.offset;
  }
  // Before Go 1.23: the P's timer heap (p.timers, []*runtime.timer) points at the runtime timer inside each time.Timer
  // and time.Ticker ({C; r runtimeTimer}, r laid out as runtime.timer); a ticker's period is not zero.
  let periodic: RuntimeSpellings['periodic'];
  const publicTimer = program.typeByName('time.Timer');
  const r = publicTimer?.fields?.find((f) => f.name === 'r');
  const period = timer?.fields?.find((f) => f.name === 'period');
  if (timeTimer === undefined && timer !== undefined && publicTimer !== undefined && r !== undefined && period !== undefined
    && r.type.size === timer.size && timer.size > 0 && timer.size < publicTimer.size) {
    wrapper[timer.id] = publicTimer.id;
    wrapperOffset[timer.id] = r.offset;
    const ticker = program.typeByName('time.Ticker');
    if (ticker !== undefined && ticker.size === publicTimer.size) periodic = { ticker: ticker.id, period: r.offset + period.offset };
  }
  return { spelling, wrapper, wrapperOffset, periodic };
}

/** The public types the runtime allocates as a larger type of its own (when the binary has it). */
const WRAPPED = ['time.Timer', 'time.Ticker'];

/**
 * The runtime type objects of public type `name` are allocated as ("runtime.timeTimer" for time.Timer and
 * time.Ticker on Go 1.23+), so that they carry that name; undefined for any other type or an older Go.
 */
export function allocatedAs(program: GoProgram, name: string): string | undefined {
  if (!WRAPPED.includes(name)) return undefined;
  const timeTimer = program.typeByName('runtime.timeTimer');
  const t = program.typeByName(name);
  return timeTimer !== undefined && timeTimer.size > 0 && t !== undefined && t.size < timeTimer.size ? timeTimer.name : undefined;
}
