/**
 * Shared helpers for the gradient tests: a seeded generator for shapes and values, and
 * `expectGradCheck`, the one place every gradient test compares against finite differences.
 */
import type { Tensor, TensorLike } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import { expect } from 'vitest';
import type { GradCheckOptions } from '../grad-check.js';
import { gradCheck } from '../grad-check.js';

/** Small deterministic generator (float64), independent of the tensor package's global seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed * 2654435761) >>> 0 || 1;
  }
  next(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function randomShape(rng: Rng, minRank: number, maxRank: number, maxDim = 4): number[] {
  const rank = rng.int(minRank, maxRank);
  return Array.from({ length: rank }, () => rng.int(1, maxDim));
}

/** A shape that broadcasts against `shape`: some leading axes dropped, some axes set to 1. */
export function broadcastPartner(rng: Rng, shape: readonly number[]): number[] {
  const drop = rng.int(0, shape.length);
  return shape.slice(drop).map((d) => (rng.next() < 0.4 ? 1 : d));
}

/** Float32 tensor of uniform values in [lo, hi). */
export function uniform(rng: Rng, shape: readonly number[], lo = -1, hi = 1): Tensor {
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => rng.uniform(lo, hi)), shape);
}

/** Values with magnitude in [lo, hi] and random sign: far from kinks at 0. */
export function awayFromZero(rng: Rng, shape: readonly number[], lo = 0.2, hi = 1): Tensor {
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => (rng.bool() ? 1 : -1) * rng.uniform(lo, hi)), shape);
}

/** Pairwise distinct values, at least `gap` apart (no ties for max/min/maxPool). */
export function distinct(rng: Rng, shape: readonly number[], gap = 0.05): Tensor {
  const n = sizeOf(shape);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return tensor(Float32Array.from(order, (k) => (k - n / 2) * gap), shape);
}

/** Int32 tensor of indices in [0, n). */
export function indices(rng: Rng, shape: readonly number[], n: number): Tensor {
  return tensor(Int32Array.from({ length: sizeOf(shape) }, () => rng.int(0, n - 1)), shape, 'int32');
}

/** gradCheck `f` at `inputs` and fail the test with the report's worst element if it does not pass. */
export function expectGradCheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly TensorLike[], opts: GradCheckOptions = {}): void {
  const report = gradCheck(f, inputs, { ...opts, throwOnFailure: false });
  expect(report.checked).toBeGreaterThan(0);
  expect(report.ok, `gradCheck failed: ${JSON.stringify(report.worst)} (${report.failures}/${report.checked} elements)`).toBe(true);
}

/** Elementwise closeness of a tensor to plain numbers. */
// `expectClose(actual, expected, tol = 1e-5)`: within `tol` absolutely near zero, relatively above 1.
export { expectClose } from '@descent/test-utils';
