import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastWalk,
  mergeCopyAxes,
  assertValidShape, broadcastShapes, broadcastedAxes, formatShape, normalizeAxes, normalizeAxis, reducedShape, shapesEqual,
  sizeFromShape, stridesOf,
} from './shape.js';

const dim = fc.integer({ min: 0, max: 5 });
const shapeArb = fc.array(dim, { maxLength: 5 });

/** A shape plus another derived from it by dropping leading axes and setting some axes to 1: always broadcastable. */
const compatiblePair = shapeArb.chain((s) =>
  fc.tuple(
    fc.constant(s),
    fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([drop, ones]) =>
      s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
    ),
  ),
);

describe('broadcastShapes (properties)', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(compatiblePair, ([a, b]) => {
        expect(broadcastShapes('t', a, b)).toEqual(broadcastShapes('t', b, a));
      }),
    );
  });

  it('gives the larger rank and, per aligned axis, the non-1 size', () => {
    fc.assert(
      fc.property(compatiblePair, ([a, b]) => {
        const out = broadcastShapes('t', a, b);
        const rank = Math.max(a.length, b.length);
        expect(out).toHaveLength(rank);
        for (let i = 0; i < rank; i++) {
          const da = a[a.length - rank + i] ?? 1;
          const db = b[b.length - rank + i] ?? 1;
          expect(da === db || da === 1 || db === 1).toBe(true);
          expect(out[i]).toBe(da === 1 ? db : da);
        }
      }),
    );
  });

  it('has the empty shape as identity and is idempotent', () => {
    fc.assert(
      fc.property(shapeArb, (s) => {
        expect(broadcastShapes('t', s, [])).toEqual(s);
        expect(broadcastShapes('t', [], s)).toEqual(s);
        expect(broadcastShapes('t', s, s)).toEqual(s);
      }),
    );
  });

  it('is associative over three compatible shapes', () => {
    const triple = compatiblePair.chain(([a, b]) =>
      fc.tuple(fc.constant(a), fc.constant(b), fc.integer({ min: 0, max: a.length }).map((drop) => a.slice(drop).map((d, i) => (i % 2 ? 1 : d)))),
    );
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        expect(broadcastShapes('t', broadcastShapes('t', a, b), c)).toEqual(broadcastShapes('t', a, broadcastShapes('t', b, c)));
      }),
    );
  });

  it('throws, naming the op, both shapes and the axis, when two sizes differ and neither is 1', () => {
    const clash = fc
      .tuple(shapeArb, fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }), shapeArb)
      .filter(([, x, y]) => x !== y)
      .map(([prefix, x, y, tail]) => ({ a: [...prefix, x, ...tail], b: [y, ...tail], axis: -(tail.length + 1) }));
    fc.assert(
      fc.property(clash, ({ a, b, axis }) => {
        const da = a[a.length + axis]!;
        const db = b[b.length + axis]!;
        expect(() => broadcastShapes('myOp', a, b)).toThrow(
          `myOp: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${axis} is ${da} vs ${db}; each pair must be equal or 1)`,
        );
      }),
    );
  });

  it('broadcastedAxes lists exactly the output axes an input was stretched along', () => {
    fc.assert(
      fc.property(compatiblePair, ([out, input]) => {
        const full = broadcastShapes('t', out, input);
        const axes = broadcastedAxes(input, full);
        const offset = full.length - input.length;
        for (let i = 0; i < full.length; i++) {
          const d = i < offset ? 1 : input[i - offset]!;
          expect(axes.includes(i)).toBe(d === 1 && full[i] !== 1);
        }
        // Summing over those axes (keeping dims) and dropping the leading ones recovers the input's size.
        const kept = reducedShape(full, axes, true).slice(offset);
        expect(sizeFromShape(kept)).toBe(sizeFromShape(input));
      }),
    );
  });
});

describe('broadcastShapes (examples)', () => {
  it('follows the NumPy documentation examples', () => {
    // numpy.org "Broadcasting": 256x256x3 with 3; 8x1x6x1 with 7x1x5; 5x4 with 1; 15x3x5 with 15x1x5.
    expect(broadcastShapes('t', [256, 256, 3], [3])).toEqual([256, 256, 3]);
    expect(broadcastShapes('t', [8, 1, 6, 1], [7, 1, 5])).toEqual([8, 7, 6, 5]);
    expect(broadcastShapes('t', [5, 4], [1])).toEqual([5, 4]);
    expect(broadcastShapes('t', [15, 3, 5], [15, 1, 5])).toEqual([15, 3, 5]);
    expect(broadcastShapes('t', [0], [1])).toEqual([0]);
    expect(() => broadcastShapes('t', [2, 1], [8, 4, 3])).toThrow(/dimension -2 is 2 vs 4/);
    expect(() => broadcastShapes('t', [0], [2])).toThrow(/dimension -1 is 0 vs 2/);
  });
});

describe('shape helpers', () => {
  it('sizeFromShape and stridesOf', () => {
    expect(sizeFromShape([])).toBe(1);
    expect(sizeFromShape([2, 3, 4])).toBe(24);
    expect(sizeFromShape([2, 0])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });

  it('shapesEqual and formatShape', () => {
    expect(shapesEqual([1, 2], [1, 2])).toBe(true);
    expect(shapesEqual([1, 2], [2, 1])).toBe(false);
    expect(shapesEqual([1], [1, 1])).toBe(false);
    expect(formatShape([2, 3])).toBe('[2,3]');
    expect(formatShape([])).toBe('[]');
  });

  it('normalizeAxis accepts negatives and rejects out-of-range axes', () => {
    expect(normalizeAxis('sum', -1, 3)).toBe(2);
    expect(normalizeAxis('sum', 0, 3)).toBe(0);
    expect(() => normalizeAxis('sum', 3, 3)).toThrow('sum: axis must be an integer in [-3, 2] for a rank-3 tensor, got 3');
    expect(() => normalizeAxis('sum', -4, 3)).toThrow('sum: axis must be an integer in [-3, 2] for a rank-3 tensor, got -4');
    expect(() => normalizeAxis('sum', 0.5, 3)).toThrow(/^sum: axis must be an integer/);
  });

  it('normalizeAxes sorts, resolves negatives and rejects repeats', () => {
    expect(normalizeAxes('mean', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeAxes('mean', null, 2)).toEqual([0, 1]);
    expect(normalizeAxes('mean', -1, 3)).toEqual([2]);
    expect(normalizeAxes('mean', [2, -3], 3)).toEqual([0, 2]);
    expect(normalizeAxes('mean', [], 3)).toEqual([]);
    expect(() => normalizeAxes('mean', [1, -2], 3)).toThrow('mean: axis -2 is repeated in [1,-2]');
  });

  it('reducedShape drops or keeps reduced axes', () => {
    expect(reducedShape([2, 3, 4], [0, 2])).toEqual([3]);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
    expect(reducedShape([2, 3], [])).toEqual([2, 3]);
  });

  it('assertValidShape names the op', () => {
    expect(() => assertValidShape('reshape', [2, -1])).toThrow('reshape: shape entries must be non-negative integers, got [2,-1]');
    expect(() => assertValidShape('reshape', [NaN])).toThrow(/^reshape: shape entries/);
    expect(() => assertValidShape('reshape', [0, 3])).not.toThrow();
  });
});

describe('mergeCopyAxes', () => {
  it('merges axes contiguous in both layouts and drops size-1 axes', () => {
    // A contiguous [2,3,4] block into a contiguous destination: one run of 24.
    expect(mergeCopyAxes([2, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({ dims: [24], srcStrides: [1], dstStrides: [1] });
    // Transposing the last two axes of [2,3,4] (source strides permuted): only the batch axis
    // could merge, and it does not, because the inner axes are not contiguous in the source.
    expect(mergeCopyAxes([2, 4, 3], [12, 1, 4], [12, 3, 1])).toEqual({ dims: [2, 4, 3], srcStrides: [12, 1, 4], dstStrides: [12, 3, 1] });
    // Size-1 axes vanish; a broadcast (stride 0) axis stays separate.
    expect(mergeCopyAxes([1, 5, 1, 2], [0, 2, 0, 1], [10, 2, 2, 1])).toEqual({ dims: [10], srcStrides: [1], dstStrides: [1] });
    expect(mergeCopyAxes([3, 2], [0, 1], [2, 1])).toEqual({ dims: [3, 2], srcStrides: [0, 1], dstStrides: [2, 1] });
  });

  it('returns null for an empty block', () => {
    expect(mergeCopyAxes([2, 0, 3], [0, 3, 1], [0, 3, 1])).toBeNull();
  });
});

describe('broadcastWalk', () => {
  it('merges same-shape operands into one run', () => {
    expect(broadcastWalk('add', [[2, 3, 4], [2, 3, 4]])).toEqual({ outShape: [2, 3, 4], dims: [24], strides: [[1], [1]] });
  });

  it('gives a bias add one run per row, the bias restarting each row', () => {
    expect(broadcastWalk('add', [[5, 3], [3]])).toEqual({ outShape: [5, 3], dims: [5, 3], strides: [[3, 1], [0, 1]] });
  });

  it('drops size-1 dims and keeps a column broadcast apart', () => {
    // [4,1] against [1,6]: a walks rows (stride 1 per row, 0 along columns), b the reverse.
    expect(broadcastWalk('mul', [[4, 1], [1, 6]])).toEqual({ outShape: [4, 6], dims: [4, 6], strides: [[1, 0], [0, 1]] });
  });

  it('is one dim of 1 with stride 0 for a size-1 output', () => {
    expect(broadcastWalk('add', [[], [1, 1]])).toEqual({ outShape: [1, 1], dims: [1], strides: [[0], [0]] });
  });

  it('names the op when the shapes do not broadcast', () => {
    expect(() => broadcastWalk('sub', [[2, 3], [4]])).toThrow(/sub/);
  });
});
