// What a fixture program prints of its own goroutines: runtime.Stack's text, read into frames to compare with
// goheap's goroutine groups.

export interface StackFrame { function: string; file: string; line: number }

/** The frames of runtime.Stack's text for one goroutine (function without arguments, file, line), up to `created by`. */
export function stackFrames(text: string): StackFrame[] {
  const lines = text.split('\n');
  const out: StackFrame[] = [];
  for (let k = 1; k + 1 < lines.length; k += 2) {
    if (lines[k].startsWith('created by ')) break;
    const m = /^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?$/.exec(lines[k + 1]);
    if (!m) throw new Error(`not a runtime.Stack frame: ${lines[k + 1]}`);
    out.push({ function: lines[k].replace(/\(.*\)$/, ''), file: m[1], line: Number(m[2]) });
  }
  return out;
}
