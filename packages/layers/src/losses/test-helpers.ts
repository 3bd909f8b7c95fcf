import { expect } from 'vitest';

/** Row-wise float64 reference: apply `f` to each (yTrue row, yPred row) pair. */
export function perRow(yTrue: number[][], yPred: number[][], f: (t: number[], p: number[]) => number): number[] {
  return yTrue.map((t, i) => f(t, yPred[i]!));
}

export function meanOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function expectClose(actual: ArrayLike<number> | number, expected: number[] | number, tol = 1e-5): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : expected;
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    expect(Number.isFinite(a[i]), `element ${i} is ${a[i]}`).toBe(true);
    expect(Math.abs(a[i]! - e[i]!), `element ${i}: got ${a[i]}, expected ${e[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i]!)));
  }
}
