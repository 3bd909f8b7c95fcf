// Shared by the loss tests.

/** Row-wise float64 reference: apply `f` to each (yTrue row, yPred row) pair. */
export function perRow(yTrue: number[][], yPred: number[][], f: (t: number[], p: number[]) => number): number[] {
  return yTrue.map((t, i) => f(t, yPred[i]!));
}

export function meanOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

// `expectClose(actual, expected, tol = 1e-5)`: within `tol` absolutely near zero, relatively above 1.
export { expectClose } from '@descent/test-utils';
