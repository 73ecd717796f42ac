// What lib/graph/stack-objects.ts needs from the executable to treat stack objects as roots: each function's stack
// object records (lib/pclntab), the frame geometry of the architecture, and the offsets of g.waiting, sudog.elem and
// sudog.waitlink from DWARF (sudog.elem is a maybeTraceablePtr {vp, vu} on 1.26, whose vu word is the truth).
import type { StackObjectSource } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';

const LR_MIN_FRAME: Record<string, number> = { arm64: 8, arm: 4, riscv64: 8, loong64: 8, mips: 4, mipsle: 4, mips64: 8, mips64le: 8, s390x: 8, ppc64: 32, ppc64le: 32 };

/** The source of stack objects for `program`, or undefined when its pclntab or architecture is not supported. */
export function stackObjectSource(program: GoProgram): StackObjectSource | undefined {
  const t = program.pclntab;
  if (!t) return undefined;
  const x86 = program.arch === 'amd64' || program.arch === '386';
  if (!x86 && LR_MIN_FRAME[program.arch] === undefined) return undefined;
  const field = (type: string, name: string): { offset: number; size: number; inner: number } | undefined => {
    const f = program.typeByName(type)?.fields?.find((x) => x.name === name);
    if (!f) return undefined;
    const vu = f.type.fields?.find((x) => x.name === 'vu');
    return { offset: f.offset, size: f.type.size, inner: vu ? vu.offset : 0 };
  };
  const waiting = field('runtime.g', 'waiting');
  const elem = field('runtime.sudog', 'elem');
  const waitlink = field('runtime.sudog', 'waitlink');
  const c = field('runtime.sudog', 'c');
  const elemtype = field('runtime.hchan', 'elemtype');
  return {
    recordsAt: (pc) => {
      const f = t.funcAt(pc);
      return f ? t.stackObjects(f) : [];
    },
    usesLR: !x86,
    minFrameSize: x86 ? 0 : LR_MIN_FRAME[program.arch],
    framePointer: program.arch === 'amd64' || program.arch === 'arm64',
    gWaiting: waiting ? waiting.offset : -1,
    sudogElem: elem ? elem.offset + elem.inner : -1,
    sudogWaitlink: waitlink ? waitlink.offset : -1,
    sudogC: c ? c.offset + c.inner : -1,
    hchanElemtype: elemtype ? elemtype.offset : -1,
    typeSize: (a) => program.typeByRuntimeAddress(a)?.size ?? 0,
  };
}
