import { expect } from 'vitest';
import type { FuzzHarness } from './fuzz.js';

/** What `tensorOracle` reads of a result tensor. */
export interface ResultTensor {
  readonly shape: readonly number[];
  readonly size: number;
  dataSync(): ArrayLike<number>;
}

/** The two memory functions of `@descent/tensor` that `tensorOracle` needs (passed in: this package imports no Descent package). */
export interface ScopeOps {
  withScope<R>(fn: () => R): R;
  dispose(x: unknown): void;
}

/**
 * `fz.oracle` for calls that return one tensor or several: `fn` runs in a scope, and every result
 * must have a shape of whole non-negative sizes, a size equal to the product of the shape and that
 * many values, then pass `check`; the results are disposed afterwards. The fuzz suites of tensor
 * ops and layers share it.
 */
export function tensorOracle<T extends ResultTensor>(
  fz: FuzzHarness,
  ops: ScopeOps,
): (prop: string, names: readonly string[], fn: () => T | T[], check: (r: T) => void) => void {
  return (prop, names, fn, check) =>
    fz.oracle(prop, names, () => ops.withScope(fn), (result) => {
      const rs = Array.isArray(result) ? result : [result];
      try {
        for (const r of rs) {
          expect(r.shape.every((d) => Number.isInteger(d) && d >= 0), `bad shape ${String(r.shape)}`).toBe(true);
          expect(r.size === r.shape.reduce((a, b) => a * b, 1), 'size is not the product of the shape').toBe(true);
          expect(r.dataSync().length === r.size, 'data length is not the size').toBe(true);
          check(r);
        }
      } finally {
        ops.dispose(rs);
      }
    });
}
