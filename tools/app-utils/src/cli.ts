import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a number: the value must be a finite number for which `check` holds,
 * else the parse fails with `<name> must be <expected>, got '<raw>'` (for example
 * `--epochs must be a positive integer, got 'x'`).
 */
export function numberOption(name: string, check: (v: number) => boolean, expected: string): (raw: string) => number {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new InvalidArgumentError(`${name} must be ${expected}, got '${raw}'`);
    return v;
  };
}

/** A parser for a positive integer option (`--epochs`, `--batch-size`). */
export function positiveInt(name: string): (raw: string) => number {
  return numberOption(name, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
}

/** A parser for a non-negative number option (`--lr`, `--momentum`). */
export function nonNegative(name: string): (raw: string) => number {
  return numberOption(name, (v) => v >= 0, 'a non-negative number');
}

/** A parser for a verbosity option: 0, 1 or 2 (`--verbose must be 0, 1 or 2, got '<raw>'` otherwise). */
export function verbosity(name: string): (raw: string) => 0 | 1 | 2 {
  return (raw: string): 0 | 1 | 2 => {
    if (raw !== '0' && raw !== '1' && raw !== '2') throw new InvalidArgumentError(`${name} must be 0, 1 or 2, got '${raw}'`);
    return Number(raw) as 0 | 1 | 2;
  };
}

/**
 * A commander parse error on one line, for the program `program`: commander writes `error: …` and puts
 * a suggestion on a second line; this gives `program: unknown option '--epoch' (Did you mean --epochs?); see --help`.
 */
export function oneLineError(program: string, message: string): string {
  const text = message
    .trim()
    .replace(/^error:\s*/, '')
    .split(/\s*\n\s*/)
    .join(' ');
  return `${program}: ${text}; see --help\n`;
}
