import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { mulberry32, nonNegative, numberOption, oneLineError, positiveInt, verbosity } from './index.js';

describe('number option parsers', () => {
  it('accept the numbers that pass the check and name the option, the expectation and the text otherwise', () => {
    expect(positiveInt('--epochs')('12')).toBe(12);
    expect(() => positiveInt('--epochs')('0')).toThrow("--epochs must be a positive integer, got '0'");
    expect(() => positiveInt('--epochs')('1.5')).toThrow("--epochs must be a positive integer, got '1.5'");
    expect(nonNegative('--lr')('0')).toBe(0);
    expect(nonNegative('--lr')('2e-3')).toBe(0.002);
    expect(() => nonNegative('--lr')('-1')).toThrow("--lr must be a non-negative number, got '-1'");
    const digits = numberOption('--digits', (v) => Number.isInteger(v) && v >= 1 && v <= 6, 'an integer from 1 to 6');
    expect(digits('6')).toBe(6);
    expect(() => digits('7')).toThrow("--digits must be an integer from 1 to 6, got '7'");
    // Blank, non-numeric and infinite texts are refused before the check runs.
    expect([verbosity('--verbose')('0'), verbosity('--verbose')('2')]).toEqual([0, 2]);
    expect(() => verbosity('--verbose')('3')).toThrow("--verbose must be 0, 1 or 2, got '3'");
    for (const raw of ['', '  ', 'abc', 'Infinity']) expect(() => numberOption('--n', () => true, 'a number')(raw)).toThrow(`--n must be a number, got '${raw}'`);
  });

  it('fail a commander parse with the message on one line', () => {
    const errors: string[] = [];
    const cli = new Command('demo')
      .exitOverride()
      .configureOutput({ writeErr: (m) => errors.push(m), outputError: (m, write) => write(oneLineError('demo', m)) })
      .option('--epochs <n>', 'epochs', positiveInt('--epochs'));
    expect(() => cli.parse(['--epochs', '-3'], { from: 'user' })).toThrow(CommanderError);
    expect(errors).toEqual(["demo: option '--epochs <n>' argument '-3' is invalid. --epochs must be a positive integer, got '-3'; see --help\n"]);
  });
});

describe('oneLineError', () => {
  it("drops commander's 'error:' prefix and joins the suggestion line", () => {
    expect(oneLineError('demo', "error: unknown option '--epoch'\n(Did you mean --epochs?)\n")).toBe("demo: unknown option '--epoch' (Did you mean --epochs?); see --help\n");
  });
});

describe('mulberry32', () => {
  it('gives the published generator’s values (checked against a transcription of its C code) in [0, 1)', () => {
    const a = mulberry32(1);
    expect([a(), a()]).toEqual([0.6270739405881613, 0.002735721180215478]);
    const b = mulberry32(42);
    expect([b(), b(), b()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    const c = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const v = c();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});
