import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { randomNormal } from './random.js';
import { all, any, argMax, argMin, logSumExp, max, mean, min, moments, norm, prod, sum, variance } from './reduce.js';

/** Within `tol`·(1 + |expected|); an expected NaN or infinity must be matched exactly. */
const expectClose = (t: Tensor, expected: readonly number[], tol = 1e-5): void => closeTo(t, expected, { atol: tol, rtol: tol });

/**
 * Reference reduction written from the definition: visit every element by its multi-index and
 * fold it into the output element whose index drops (or zeroes) the reduced axes.
 */
function referenceReduce(
  values: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  init: number,
  fold: (acc: number, v: number) => number,
): { values: number[]; shape: number[] } {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(outSize).fill(init);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < values.length; flat++) {
    let rem = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o = o * shape[d]! + idx[d]!;
    out[o] = fold(out[o]!, values[flat]!);
  }
  return { values: out, shape: outShape };
}

const shapeAndAxes = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axes: fc.subarray(shape.map((_, i) => i)),
      negate: fc.boolean(),
      keepDims: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    }),
  );

describe('sum', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it('reduces all axes, one axis, negative axes and axis lists', () => {
    expectClose(sum(x), [21]);
    expect(sum(x).shape).toEqual([]);
    expectClose(sum(x, 0), [5, 7, 9]);
    expectClose(sum(x, 1), [6, 15]);
    expectClose(sum(x, -1), [6, 15]);
    expectClose(sum(x, [0, 1]), [21]);
    expectClose(sum(x, [-1, 0]), [21]);
  });

  it('keeps reduced dims as size 1 with keepDims', () => {
    const s = sum(x, 1, true);
    expect(s.shape).toEqual([2, 1]);
    expect(s.toArray()).toEqual([[6], [15]]);
    expect(sum(x, undefined, true).shape).toEqual([1, 1]);
    expect(sum(x, [0], true).toArray()).toEqual([[5, 7, 9]]);
  });

  it('keeps int32 as int32 (wrapping like int32) and counts bools as int32', () => {
    const i = tensor([[1, 2], [3, 4]], undefined, 'int32');
    expect(sum(i, 0).dtype).toBe('int32');
    expect(Array.from(sum(i, 0).dataSync())).toEqual([4, 6]);
    expect(sum(tensor([2147483647, 1], undefined, 'int32')).item()).toBe(-2147483648);
    const b = tensor([[true, false, true], [true, true, true]]);
    expect(sum(b, 1).dtype).toBe('int32');
    expect(Array.from(sum(b, 1).dataSync())).toEqual([2, 3]);
  });

  it('handles empty and size-1 dimensions', () => {
    const e = zeros([0, 3]);
    expect(sum(e, 0).shape).toEqual([3]);
    expectClose(sum(e, 0), [0, 0, 0]);
    expect(sum(e, 1).shape).toEqual([0]);
    expect(sum(e).item()).toBe(0);
    const one = tensor([[[1], [2], [3]]]);
    expect(sum(one, 1).toArray()).toEqual([[6]]);
    expect(sum(one, [0, 2]).toArray()).toEqual([1, 2, 3]);
    expect(sum(tensor(7)).item()).toBe(7);
  });

  it('never returns its input itself, even over no axes', () => {
    const s = sum(x, []);
    expect(s).not.toBe(x);
    expect(s.toArray()).toEqual(x.toArray());
  });

  it('matches a reference reduction on random shapes and axes (incl. middle and mixed axes)', () => {
    fc.assert(
      fc.property(shapeAndAxes, ({ shape, axes, negate, keepDims, seed }) => {
        const t = randomNormal(shape, 0, 1, 'float32', seed);
        const given = negate ? axes.map((a) => a - shape.length) : axes;
        const ref = referenceReduce(t.dataSync(), shape, axes, 0, (a, v) => a + v);
        const got = sum(t, given, keepDims);
        expect(got.shape).toEqual(keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : ref.shape);
        expectClose(got, ref.values);
      }),
      { numRuns: 150 },
    );
  });

  it('reduces a long trailing run accurately (float64 accumulation)', () => {
    // 1e6 copies of 0.1f sum to 1e6·fl32(0.1) = 100000.0014901161; naive float32 accumulation drifts by ~1%.
    const n = 1_000_000;
    const t = tensor(new Float32Array(n).fill(0.1));
    expect(Math.abs(sum(t).item() - n * Math.fround(0.1))).toBeLessThan(0.01);
  });
});

describe('prod', () => {
  it('multiplies along axes', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expectClose(prod(x), [24]);
    expectClose(prod(x, 1), [2, 12]);
    expectClose(prod(x, 0, true), [3, 8]);
    expect(prod(x, 0, true).shape).toEqual([1, 2]);
    expect(prod(zeros([0])).item()).toBe(1);
  });

  it('wraps int32 products exactly like int32 multiplication', () => {
    // 65537² = 2³² + 2·2¹⁶ + 1 ≡ 131073 (mod 2³²); 65536² = 2³² ≡ 0.
    expect(prod(tensor([65537, 65537], undefined, 'int32')).item()).toBe(131073);
    expect(prod(tensor([65536, 65536], undefined, 'int32')).item()).toBe(0);
    expect(prod(tensor([true, true, false])).dtype).toBe('int32');
  });

  it('matches a reference on random shapes', () => {
    fc.assert(
      fc.property(shapeAndAxes, ({ shape, axes, seed }) => {
        const t = randomNormal(shape, 1, 0.2, 'float32', seed);
        const ref = referenceReduce(t.dataSync(), shape, axes, 1, (a, v) => a * v);
        expectClose(prod(t, axes), ref.values, 1e-5);
      }),
      { numRuns: 80 },
    );
  });
});

describe('max and min', () => {
  const x = tensor([[1, 9, -3], [4, -5, 6]]);

  it('reduce along axes with keepDims and negative axes', () => {
    expect(max(x).item()).toBe(9);
    expect(min(x).item()).toBe(-5);
    expectClose(max(x, 0), [4, 9, 6]);
    expectClose(min(x, -1), [-3, -5]);
    expect(max(x, 1, true).toArray()).toEqual([[9], [6]]);
  });

  it('keep the dtype and propagate NaN', () => {
    const i = tensor([[3, 7], [-2, 1]], undefined, 'int32');
    expect(max(i, 1).dtype).toBe('int32');
    expect(Array.from(min(i, 1).dataSync())).toEqual([3, -2]);
    expectClose(max(tensor([1, NaN, 3])), [NaN]);
    expectClose(min(tensor([[NaN, 1], [2, 3]]), 0), [NaN, 1]);
    expectClose(max(tensor([[1, NaN], [2, 3]]), 1), [NaN, 3]);
    expectClose(max(tensor([-Infinity, -Infinity])), [-Infinity]);
  });

  it('match a reference on random shapes', () => {
    fc.assert(
      fc.property(shapeAndAxes, ({ shape, axes, seed }) => {
        const t = randomNormal(shape, 0, 1, 'float32', seed);
        expectClose(max(t, axes), referenceReduce(t.dataSync(), shape, axes, -Infinity, Math.max).values, 0);
        expectClose(min(t, axes), referenceReduce(t.dataSync(), shape, axes, Infinity, Math.min).values, 0);
      }),
      { numRuns: 80 },
    );
  });

  it('refuse to reduce an empty axis', () => {
    expect(() => max(zeros([2, 0]), 1)).toThrow(/max: cannot reduce over axis 1 of shape \[2,0\] because it is empty/);
    expect(() => min(zeros([0]))).toThrow(/min: cannot reduce over axis 0/);
    expect(max(zeros([2, 0]), 0).shape).toEqual([0]);
  });
});

describe('mean', () => {
  it('averages along axes and returns float32 for int32 input', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expectClose(mean(x), [2.5]);
    expectClose(mean(x, 0), [2, 3]);
    expectClose(mean(x, -1, true), [1.5, 3.5]);
    expect(mean(x, -1, true).shape).toEqual([2, 1]);
    const i = mean(tensor([1, 2], undefined, 'int32'));
    expect(i.dtype).toBe('float32');
    expect(i.item()).toBe(1.5);
    expect(mean(tensor([true, false, false, false])).item()).toBe(0.25);
  });

  it('refuses an empty axis instead of returning NaN', () => {
    expect(() => mean(zeros([3, 0]), 1)).toThrow('mean: cannot reduce over axis 1 of shape [3,0] because it is empty (mean of nothing is undefined)');
    expect(() => moments(zeros([2, 0]), [0, 1])).toThrow(/moments: cannot reduce over axis 1/);
    expect(() => variance(zeros([0]))).toThrow(/variance: cannot reduce over axis 0 of shape \[0\]/);
    expect(mean(zeros([3, 0]), 0).shape).toEqual([0]);
  });
});

describe('logSumExp', () => {
  it('equals log(sum(exp(x))) on small values', () => {
    // log(e + e² + e³) = 3 + log(1 + e⁻¹ + e⁻²)
    expectClose(logSumExp(tensor([1, 2, 3])), [3 + Math.log(1 + Math.exp(-1) + Math.exp(-2))]);
    const x = tensor([[0, 0], [1, 2]]);
    expectClose(logSumExp(x, 1), [Math.log(2), Math.log(Math.E + Math.E ** 2)]);
    expect(logSumExp(x, 1, true).shape).toEqual([2, 1]);
    expectClose(logSumExp(x, 0), [Math.log(1 + Math.E), Math.log(1 + Math.E ** 2)]);
  });

  it('stays finite for large inputs and exact for infinities', () => {
    expectClose(logSumExp(tensor([1000, 1000])), [1000 + Math.log(2)]);
    expectClose(logSumExp(tensor([-1000, -1000]), 0, true), [-1000 + Math.log(2)]);
    expectClose(logSumExp(tensor([-Infinity, -Infinity])), [-Infinity]);
    expectClose(logSumExp(tensor([Infinity, 1])), [Infinity]);
    expect(logSumExp(tensor([3], undefined, 'int32')).dtype).toBe('float32');
  });
});

describe('variance and moments', () => {
  it('computes the population variance', () => {
    // mean 2.5, squared deviations 2.25, 0.25, 0.25, 2.25 → 5 / 4
    expectClose(variance(tensor([1, 2, 3, 4])), [1.25]);
    const x = tensor([[1, 2], [3, 6]]);
    expectClose(variance(x, 0), [1, 4]);
    expect(variance(x, 1, true).shape).toEqual([2, 1]);
    expectClose(variance(x, 1, true), [0.25, 2.25]);
  });

  it('returns mean and variance shaped alike', () => {
    const { mean: m, variance: v } = moments(tensor([[1, 2], [3, 6]]), 0);
    expectClose(m, [2, 4]);
    expectClose(v, [1, 4]);
    const k = moments(tensor([[1, 2], [3, 6]]), -1, true);
    expect(k.mean.shape).toEqual([2, 1]);
    expect(k.variance.shape).toEqual([2, 1]);
    expectClose(k.mean, [1.5, 4.5]);
  });

  it('is not fooled by a large offset (centred, not E[x²] − E[x]²)', () => {
    expectClose(variance(tensor([1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4])), [1.25], 1e-4);
  });
});

describe('norm', () => {
  it('computes vector norms', () => {
    const v = tensor([3, -4]);
    expectClose(norm(v), [5]);
    expectClose(norm(v, 2), [5]);
    expectClose(norm(v, 1), [7]);
    expectClose(norm(v, Infinity), [4]);
    expectClose(norm(v, -Infinity), [3]);
    expectClose(norm(tensor([3, 0, 4]), 0), [2]);
    expectClose(norm(tensor([1, 2]), 3), [Math.cbrt(9)]);
  });

  it('flattens without an axis and reduces one axis as vectors', () => {
    const m = tensor([[1, -2], [3, 4]]);
    expectClose(norm(m), [Math.sqrt(30)]);
    expectClose(norm(m, 'fro'), [Math.sqrt(30)]);
    expectClose(norm(m, 'euclidean', 1), [Math.sqrt(5), 5]);
    expectClose(norm(m, 1, 0, true), [4, 6]);
    expect(norm(m, 1, 0, true).shape).toEqual([1, 2]);
  });

  it('computes matrix norms over two axes', () => {
    const m = tensor([[1, -2], [3, 4]]);
    expectClose(norm(m, 'fro', [0, 1]), [Math.sqrt(30)]);
    // Column sums |1|+|3| = 4, |-2|+|4| = 6; row sums 3, 7.
    expectClose(norm(m, 1, [0, 1]), [6]);
    expectClose(norm(m, -1, [0, 1]), [4]);
    expectClose(norm(m, Infinity, [0, 1]), [7]);
    expectClose(norm(m, -Infinity, [0, 1]), [3]);
    // Swapping the axes transposes the matrix: its 1-norm is the original ∞-norm.
    expectClose(norm(m, 1, [1, 0]), [7]);
    const batch = tensor([[[1, -2], [3, 4]], [[0, 0], [0, 1]]]);
    expectClose(norm(batch, Infinity, [-2, -1]), [7, 1]);
    expect(norm(batch, 'fro', [1, 2], true).shape).toEqual([2, 1, 1]);
  });

  it('rejects unsupported orders and axes with a clear message', () => {
    const m = tensor([[1, 2], [3, 4]]);
    expect(() => norm(m, 'fro', 0)).toThrow(/norm: ord 'fro' is a matrix norm and needs two axes/);
    expect(() => norm(m, 2, [0, 1])).toThrow(/norm: matrix norms \(two axes\) support ord .* got 2/);
    expect(() => norm(tensor([[[1]]]), 'euclidean', [0, 1, 2])).toThrow(/norm: axis must be one axis .* or two/);
    expect(() => norm(m, 'l2' as unknown as number)).toThrow(/norm: ord must be 'euclidean', 'fro' or a number, got "l2"/);
    expect(() => norm(m, 1, [1, -1])).toThrow(/norm: the two matrix axes must differ/);
  });
});

describe('all and any', () => {
  const b = tensor([[true, false], [true, true]]);

  it('reduce bool tensors', () => {
    expect(all(b).item()).toBe(0);
    expect(any(b).item()).toBe(1);
    expect(Array.from(all(b, 0).dataSync())).toEqual([1, 0]);
    expect(Array.from(all(b, 1).dataSync())).toEqual([0, 1]);
    expect(Array.from(any(tensor([[false, false], [true, false]]), -1).dataSync())).toEqual([0, 1]);
    expect(all(b, 1, true).shape).toEqual([2, 1]);
    expect(all(b).dtype).toBe('bool');
  });

  it('treat an empty axis as the identity (all → true, any → false)', () => {
    const e = tensor(new Uint8Array(0), [0]);
    expect(all(e).item()).toBe(1);
    expect(any(e).item()).toBe(0);
  });

  it('require bool input', () => {
    expect(() => all(tensor([1, 0]))).toThrow(/all: expected a bool tensor, got float32/);
    expect(() => any(tensor([1, 0], undefined, 'int32'))).toThrow(/any: expected a bool tensor, got int32/);
  });
});

describe('argMax and argMin', () => {
  const x = tensor([[1, 5, 5], [7, 2, 7]]);

  it('return int32 indices of the first extremum', () => {
    expect(argMax(x).dtype).toBe('int32');
    expect(Array.from(argMax(x, 1).dataSync())).toEqual([1, 0]);
    expect(Array.from(argMax(x).dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(argMin(x, -1).dataSync())).toEqual([0, 1]);
    expect(Array.from(argMin(x, 0).dataSync())).toEqual([0, 1, 0]);
    expect(argMax(tensor([4, 9, 2], undefined, 'int32')).item()).toBe(1);
  });

  it('work on a middle axis', () => {
    // shape [2, 3, 2]; along axis 1 each column of each batch is compared.
    const t = tensor([[[1, 6], [3, 2], [3, 9]], [[0, 0], [-1, 5], [2, 5]]]);
    expect(argMax(t, 1).toArray()).toEqual([[1, 2], [2, 1]]);
    expect(argMin(t, 1).toArray()).toEqual([[0, 1], [1, 0]]);
  });

  it('pick the first NaN, as NumPy does', () => {
    expect(argMax(tensor([1, NaN, 3, NaN])).item()).toBe(1);
    expect(argMin(tensor([NaN, -1])).item()).toBe(0);
    expect(Array.from(argMax(tensor([[1, 2], [NaN, 0], [5, NaN]]), 0).dataSync())).toEqual([1, 2]);
  });

  it('reject scalars and empty axes', () => {
    expect(() => argMax(tensor(3))).toThrow(/argMax: expected a tensor of rank ≥ 1, got a scalar/);
    expect(() => argMin(zeros([2, 0]), 1)).toThrow(/argMin: cannot reduce over axis 1/);
  });
});

describe('axis validation', () => {
  const x = tensor([[1, 2], [3, 4]]);

  it('names the op, the valid range and the axis given', () => {
    expect(() => sum(x, 2)).toThrow('sum: axis must be an integer in [-2, 1] for a rank-2 tensor, got 2');
    expect(() => mean(x, -3)).toThrow(/mean: axis must be an integer in \[-2, 1\].*got -3/);
    expect(() => max(x, 0.5)).toThrow(/max: axis must be an integer/);
    expect(() => argMax(x, 2)).toThrow(/argMax: axis must be an integer in \[-2, 1\]/);
  });

  it('rejects repeated axes', () => {
    expect(() => sum(x, [0, -2])).toThrow(/sum: axis -2 is repeated in \[0,-2\]/);
  });
});
