import { describe, expect, it } from 'vitest';
import { add, div, maximum, minimum, mul, squaredDifference, sub } from '../ops/binary.js';
import { tensor } from '../ops/convert.js';

const A = [1.5, -2, 0.25, 7, -0.5, 3];
const B = [0.5, 4, -1, 2, -0.25, 3];
const S = -1.25;
const FORMULAS = {
  add: [add, (x: number, y: number) => x + y],
  sub: [sub, (x: number, y: number) => x - y],
  mul: [mul, (x: number, y: number) => x * y],
  div: [div, (x: number, y: number) => x / y],
  maximum: [maximum, (x: number, y: number) => Math.max(x, y)],
  minimum: [minimum, (x: number, y: number) => Math.min(x, y)],
  squaredDifference: [squaredDifference, (x: number, y: number) => (x - y) * (x - y)],
} as const;

describe('float32 binary fast paths (same shape, scalar on either side)', () => {
  for (const [name, [op, f]] of Object.entries(FORMULAS)) {
    it(name, () => {
      const a = tensor(A, [2, 3]);
      expect(Array.from(op(a, tensor(B, [2, 3])).dataSync())).toEqual(A.map((x, i) => Math.fround(f(x, B[i]!))));
      expect(Array.from(op(a, tensor(S)).dataSync())).toEqual(A.map((x) => Math.fround(f(x, S))));
      expect(Array.from(op(tensor([S]), a).dataSync())).toEqual(A.map((x) => Math.fround(f(S, x))));
      expect(op(tensor([S]), a).shape).toEqual([2, 3]);
    });
  }
});
