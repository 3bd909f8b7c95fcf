import { closestName } from '@descent/tensor';

/** Interval notation used in messages, e.g. `[0, 1)`. */
export interface Range {
  min?: number;
  max?: number;
  /** Whether `min` itself is allowed (default true). */
  minInclusive?: boolean;
  /** Whether `max` itself is allowed (default true). */
  maxInclusive?: boolean;
  integer?: boolean;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function rangeText(r: Range): string {
  const lo = r.min === undefined ? '(-∞' : `${r.minInclusive === false ? '(' : '['}${r.min}`;
  const hi = r.max === undefined ? '∞)' : `${r.max}${r.maxInclusive === false ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

/** `value` as a number in `range`, or an error naming the optimizer, the option and the value. */
export function checkNumber(owner: string, option: string, value: unknown, range: Range = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`${owner}: ${option} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) throw new Error(`${owner}: ${option} must be a finite number, got ${value}`);
  if (range.integer === true && !Number.isInteger(value)) {
    throw new Error(`${owner}: ${option} must be an integer, got ${value}`);
  }
  const tooLow = range.min !== undefined && (range.minInclusive === false ? value <= range.min : value < range.min);
  const tooHigh = range.max !== undefined && (range.maxInclusive === false ? value >= range.max : value > range.max);
  if (tooLow || tooHigh) {
    const what = range.integer === true ? 'an integer' : 'a number';
    throw new Error(`${owner}: ${option} must be ${what} in ${rangeText(range)}, got ${value}`);
  }
  return value;
}

/** Like `checkNumber`, but `null`/`undefined` pass through as `null` (an option that is off). */
export function checkOptionalNumber(owner: string, option: string, value: unknown, range: Range = {}): number | null {
  if (value === null || value === undefined) return null;
  return checkNumber(owner, option, value, range);
}

export function checkBoolean(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${owner}: ${option} must be true or false, got ${describe(value)}`);
  return value;
}

/** Reject option names the optimizer does not know, suggesting the closest one. */
export function checkOptionNames(owner: string, options: object, valid: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      const guess = closestName(key, valid);
      const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
      throw new Error(`${owner}: unknown option '${key}'.${hint} Valid options: ${valid.join(', ')}`);
    }
  }
}
