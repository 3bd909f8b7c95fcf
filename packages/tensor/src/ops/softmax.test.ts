import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { randomNormal } from './random.js';
import { logSoftmax, softmax } from './softmax.js';

/** Within `tol`·(1 + |expected|); an expected NaN or infinity must be matched exactly. */
const expectClose = (t: Tensor, expected: readonly number[], tol = 1e-6): void => closeTo(t, expected, { atol: tol, rtol: tol });

/** softmax from the definition, in float64, along `axis` of a row-major array. */
function referenceSoftmax(values: ArrayLike<number>, shape: readonly number[], axis: number, log: boolean): number[] {
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = values.length / (n * inner);
  const out = new Array<number>(values.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(values[(o * n + j) * inner + k]!);
      for (let j = 0; j < n; j++) {
        const i = (o * n + j) * inner + k;
        out[i] = log ? values[i]! - Math.log(s) : Math.exp(values[i]!) / s;
      }
    }
  }
  return out;
}

describe('softmax', () => {
  it('normalizes exponentials along the last axis', () => {
    // e¹, e², e³ over their sum e + e² + e³ = 30.19287485
    const s = 1 / (Math.E + Math.E ** 2 + Math.E ** 3);
    expectClose(softmax(tensor([1, 2, 3])), [Math.E * s, Math.E ** 2 * s, Math.E ** 3 * s]);
    expectClose(softmax(tensor([[0, 0], [0, Math.log(3)]])), [0.5, 0.5, 0.25, 0.75]);
  });

  it('works along a leading axis', () => {
    // columns [1, 2] and [1, 3]: 1/(1+e), e/(1+e); 1/(1+e²), e²/(1+e²)
    const t = softmax(tensor([[1, 1], [2, 3]]), 0);
    const a = 1 / (1 + Math.E);
    const b = 1 / (1 + Math.E ** 2);
    expectClose(t, [a, b, 1 - a, 1 - b]);
  });

  it('is stable for large inputs', () => {
    expectClose(softmax(tensor([1000, 1001])), [1 / (1 + Math.E), Math.E / (1 + Math.E)]);
    expectClose(softmax(tensor([-1000, -1000, -1000])), [1 / 3, 1 / 3, 1 / 3]);
  });

  it('turns int32 into float32 and keeps the shape, including size-1 and empty axes', () => {
    const t = softmax(tensor([[1, 1]], undefined, 'int32'));
    expect(t.dtype).toBe('float32');
    expectClose(t, [0.5, 0.5]);
    expectClose(softmax(tensor([[5], [7]])), [1, 1]);
    expect(softmax(zeros([2, 0])).shape).toEqual([2, 0]);
    expect(softmax(zeros([0, 3]), 0).shape).toEqual([0, 3]);
  });

  it('matches the definition on random shapes and axes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.record({ shape: fc.constant(shape), axis: fc.integer({ min: 0, max: shape.length - 1 }), seed: fc.nat(1000) }),
        ),
        ({ shape, axis, seed }) => {
          const x = randomNormal(shape, 0, 3, 'float32', seed);
          expectClose(softmax(x, axis), referenceSoftmax(x.dataSync(), shape, axis, false));
          expectClose(softmax(x, axis - shape.length), referenceSoftmax(x.dataSync(), shape, axis, false));
          expectClose(logSoftmax(x, axis), referenceSoftmax(x.dataSync(), shape, axis, true), 1e-5);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('logSoftmax', () => {
  it('equals x − logSumExp(x)', () => {
    const lse = 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2));
    expectClose(logSoftmax(tensor([1, 2, 3])), [1 - lse, 2 - lse, 3 - lse]);
  });

  it('stays finite where softmax underflows', () => {
    // log(1 + e⁻¹⁰⁰⁰) is 0 to double precision, so the result is exactly [0, -1000].
    expectClose(logSoftmax(tensor([0, -1000])), [0, -1000]);
    expectClose(logSoftmax(tensor([[0, -1000], [2, 2]]), 0), [-2 - Math.log1p(Math.exp(-2)), -1002, -Math.log1p(Math.exp(-2)), 0]);
  });
});

describe('softmax errors', () => {
  it('name the op and the problem', () => {
    expect(() => softmax(tensor([true, false]))).toThrow('softmax: expected a float32 or int32 tensor, got bool');
    expect(() => logSoftmax(tensor(1))).toThrow('logSoftmax: expected a tensor of rank ≥ 1, got a scalar');
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(/softmax: axis must be an integer in \[-2, 1\] for a rank-2 tensor, got 2/);
  });
});
