import { expect } from 'vitest';

/** Anything with values to compare: a tensor (or any object with `dataSync`), an array or one number. */
export type Actual = number | ArrayLike<number> | { dataSync(): ArrayLike<number>; readonly shape: readonly number[] };

/** What to compare against: values, one number, or a reference `{ shape, values }` whose shape must match too. */
export type Expected = number | ArrayLike<number> | { readonly shape: readonly number[]; readonly values: ArrayLike<number> };

export interface CloseOptions {
  /** Absolute tolerance (default 0 when an options object is given). */
  atol?: number;
  /** Relative tolerance, a multiple of |expected| (default 0 when an options object is given). */
  rtol?: number;
  /**
   * How the two tolerances combine into the bound on |actual − expected|: `'sum'` (default) is
   * `atol + rtol·|e|`, as numpy.isclose; `'max'` is `max(atol, rtol·|e|)`.
   */
  combine?: 'sum' | 'max';
  /** Names the compared values in failure messages. */
  label?: string;
}

const isTensorLike = (x: Actual): x is { dataSync(): ArrayLike<number>; readonly shape: readonly number[] } =>
  typeof x === 'object' && 'dataSync' in x && typeof x.dataSync === 'function';
const isReference = (x: Expected): x is { readonly shape: readonly number[]; readonly values: ArrayLike<number> } =>
  typeof x === 'object' && 'values' in x && 'shape' in x;

/**
 * Element-wise closeness of `actual` to `expected`. A number `tolerance` `t` allows
 * `|a − e| ≤ max(t, t·|e|)` (absolute near zero, relative for large values); an options object
 * sets the absolute and relative parts and how they combine. An expected NaN wants NaN and an
 * expected ±Infinity wants that same infinity; a reference `{ shape, values }` also checks the
 * shape of a tensor `actual`. Lengths must agree.
 */
export function expectClose(actual: Actual, expected: Expected, tolerance: number | CloseOptions = 1e-5): void {
  const opts: CloseOptions = typeof tolerance === 'number' ? { atol: tolerance, rtol: tolerance, combine: 'max' } : tolerance;
  const atol = opts.atol ?? 0;
  const rtol = opts.rtol ?? 0;
  const label = opts.label ?? 'value';
  if (isReference(expected) && isTensorLike(actual)) {
    expect([...actual.shape], `${label}: shape`).toEqual([...expected.shape]);
  }
  const got: ArrayLike<number> = typeof actual === 'number' ? [actual] : isTensorLike(actual) ? actual.dataSync() : actual;
  const want: ArrayLike<number> = typeof expected === 'number' ? [expected] : isReference(expected) ? expected.values : expected;
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const e = want[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`${label}[${i}]: got ${a}, expected NaN`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) expect.fail(`${label}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    const bound = opts.combine === 'max' ? Math.max(atol, rtol * Math.abs(e)) : atol + rtol * Math.abs(e);
    // Written so that a NaN or infinite `a` fails too.
    if (!(Math.abs(a - e) <= bound)) {
      expect.fail(`${label}[${i}]: got ${a}, expected ${e} (difference ${Math.abs(a - e)}, tolerance ${bound})`);
    }
  }
}
