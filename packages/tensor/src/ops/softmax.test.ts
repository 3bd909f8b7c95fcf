import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { randomNormal } from './random.js';
import { logSoftmax, softmax, softmaxCrossEntropy } from './softmax.js';

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

describe('softmaxCrossEntropy', () => {
  it('is −Σ t·log softmax(z) per row (hand values)', () => {
    // Row 0: three equal logits, target class 0 → log 3. Row 1: logits 1, 2, 3, class 2 → log(1 + e⁻¹ + e⁻²).
    // Row 2: soft target (0.25, 0.75) over logits (0, log 3): −0.25·log(1/4) − 0.75·log(3/4).
    const z = tensor([0, 0, 0, 1, 2, 3, 0, Math.log(3), 0], [3, 3]);
    const t = tensor([1, 0, 0, 0, 0, 1, 0.25, 0.75, 0], [3, 3]);
    const row0 = Math.log(3);
    const row1 = Math.log(1 + Math.exp(-1) + Math.exp(-2));
    const lse2 = Math.log(1 + 3 + 1);
    const row2 = -0.25 * (0 - lse2) - 0.75 * (Math.log(3) - lse2);
    expectClose(softmaxCrossEntropy(z, t), [row0, row1, row2]);
  });

  it('matches the definition in float64 on random rows, with leading axes', () => {
    const z = randomNormal([2, 3, 5], 0, 3, 'float32', 1);
    const t = randomNormal([2, 3, 5], 0, 1, 'float32', 2);
    const zv = z.dataSync();
    const tv = t.dataSync();
    const lp = referenceSoftmax(zv, [2, 3, 5], 2, true);
    const want = Array.from({ length: 6 }, (_, r) => -lp.slice(r * 5, r * 5 + 5).reduce((acc, v, j) => acc + tv[r * 5 + j]! * v, 0));
    const got = softmaxCrossEntropy(z, t);
    expect(got.shape).toEqual([2, 3]);
    expectClose(got, want, 1e-5);
  });

  it('takes int32 targets and an empty class axis (loss −0 per row, as −Σ over nothing)', () => {
    expectClose(softmaxCrossEntropy(tensor([0, 0], [1, 2]), tensor([0, 1], [1, 2], 'int32')), [Math.log(2)]);
    const empty = softmaxCrossEntropy(zeros([2, 0]), zeros([2, 0]));
    expect(empty.shape).toEqual([2]);
    expect(Array.from(empty.dataSync(), (v) => Object.is(v, -0))).toEqual([true, true]);
  });

  it('names the op and what it got for bad input', () => {
    expect(() => softmaxCrossEntropy(zeros([2, 3]), zeros([2, 4]))).toThrow("softmaxCrossEntropy: targets must have the logits' shape [2,3], got [2,4]");
    expect(() => softmaxCrossEntropy(zeros([2]), tensor([true, false], [2], 'bool'))).toThrow('softmaxCrossEntropy: targets must be float32 or int32, got bool');
    expect(() => softmaxCrossEntropy(tensor(1), tensor(1))).toThrow('softmaxCrossEntropy: expected a tensor of rank ≥ 1, got a scalar');
  });
});
