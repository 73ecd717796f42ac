// The numeric options of the commands, validated the same way everywhere: --limit/-n (a whole number >= 0, 0 = all
// rows) on every listing command, and numberOption for any other number (--threshold...). A bad value ends the
// command with one line (`goheap: --limit: expected a whole number >= 0 (0: all), got abc`) and exit status 1.
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';

export interface NumberOptionSpec {
  describe: string;
  default: number;
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
  /** Only whole numbers. */
  integer?: boolean;
  alias?: string;
}

/** What a numeric option accepts, in words: "a whole number >= 0", "a number from 0 to 1". */
function accepted(spec: NumberOptionSpec): string {
  const what = spec.integer ? 'a whole number' : 'a number';
  if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${what} >= ${spec.min}`;
  if (spec.max !== undefined) return `${what} <= ${spec.max}`;
  return what;
}

/**
 * Checks the raw value of option `name` (as yargs parsed it: a number, NaN for text, an array when given twice, in
 * which case the last one counts) and returns it as a number; throws UsageError naming the option otherwise.
 */
export function parseNumberOption(name: string, raw: unknown, spec: NumberOptionSpec, hint = ''): number {
  const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const text = typeof last === 'string' ? last.trim() : last;
  // Decimal only: "0x10", "1e2" for a count, " " are refused rather than read the way Number() would.
  const form = spec.integer ? /^\+?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  const v = typeof text === 'number' ? text : typeof text === 'string' && form.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isFinite(v) && (!spec.integer || Number.isInteger(v)) &&
    (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
  if (!ok) {
    const shown = typeof last === 'number' && Number.isNaN(last) ? 'text that is not a number' : JSON.stringify(last) ?? String(last);
    throw new UsageError(`--${name}: expected ${accepted(spec)}${hint}, got ${shown}`);
  }
  return v;
}

/** Adds a validated numeric option `--name` (see NumberOptionSpec). */
export function numberOption<T>(y: Argv<T>, name: string, spec: NumberOptionSpec): Argv<T> {
  return validated(y.option(name, {
    // 'string' keeps the user's text for the error message (yargs turns "abc" into NaN for type 'number').
    type: 'string', alias: spec.alias, default: spec.default, describe: `${spec.describe} (${accepted(spec)})`,
  }), name, spec, '');
}

/** Adds --limit/-n N: rows to print, a whole number >= 0 where 0 means all (use limitRows to apply it). */
export function limitOption<T>(y: Argv<T>, def: number): Argv<T> {
  const spec: NumberOptionSpec = { describe: 'rows to print, 0 for all', default: def, min: 0, integer: true, alias: 'n' };
  return validated(y.option('limit', { type: 'string', alias: 'n', default: def, describe: 'rows to print (0: all)' }),
    'limit', spec, ' (0: all)');
}

/**
 * Replaces the option's raw value by the checked number before the command runs. A middleware rather than yargs'
 * coerce, which would turn the UsageError into its own error class.
 */
function validated<T>(y: Argv<T>, name: string, spec: NumberOptionSpec, hint: string): Argv<T> {
  return y.middleware((argv) => {
    const a = argv as Record<string, unknown>;
    const v = parseNumberOption(name, a[name], spec, hint);
    a[name] = v;
    if (spec.alias) a[spec.alias] = v;
  }) as unknown as Argv<T>;
}

/** The first `limit` rows (all of them when `limit` is 0, the --limit convention). */
export function limitRows<T>(rows: readonly T[], limit: number): T[] {
  return limit > 0 ? rows.slice(0, limit) : rows.slice();
}

/** `limit` as a count to stop at: Infinity for 0 (all). */
export function limitCount(limit: number): number {
  return limit > 0 ? limit : Number.POSITIVE_INFINITY;
}
