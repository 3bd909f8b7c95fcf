import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { arange, zeros } from './creation.js';
import { randomNormal } from './random.js';
import {
  broadcastTo, concat, expandDims, flatten, pad, reshape, reverse, slice, split, squeeze, stack, tile, transpose, unstack,
} from './movement.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

/** Transpose from the definition: out[i0..ir] = x[i_{inv(perm)}], by multi-index. */
function referenceTranspose(x: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const size = x.length;
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Array<number>(size);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d] = rem % outShape[d]!;
      rem = Math.floor(rem / outShape[d]!);
    }
    let src = 0;
    for (let d = 0; d < perm.length; d++) src += idx[d]! * inStrides[perm[d]!]!;
    out[flat] = x[src]!;
  }
  return out;
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 5 });
const shapeWithPerm = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
  }),
);

describe('reshape and flatten', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it('reshapes, inferring one -1', () => {
    expect(reshape(x, [3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(reshape(x, [-1]).shape).toEqual([6]);
    expect(reshape(x, [1, -1, 2]).shape).toEqual([1, 3, 2]);
    expect(reshape(tensor([5]), []).shape).toEqual([]);
    expect(reshape(zeros([0, 4]), [-1, 2]).shape).toEqual([0, 2]);
    expect(flatten(x).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
  });

  it('shares storage instead of copying', () => {
    expect(reshape(x, [6]).dataId).toBe(x.dataId);
  });

  it('round-trips there and back', () => {
    fc.assert(
      fc.property(shapeWithPerm, fc.nat(100), ({ shape, perm }, seed) => {
        const t = randomNormal(shape, 0, 1, 'float32', seed);
        const other = perm.map((p) => shape[p]!);
        const back = reshape(reshape(t, other), shape);
        expect(back.shape).toEqual(shape);
        expect(values(back)).toEqual(values(t));
        expect(values(flatten(t))).toEqual(values(t));
      }),
      { numRuns: 100 },
    );
  });

  it('explains bad shapes', () => {
    expect(() => reshape(x, [4, 2])).toThrow('reshape: cannot reshape a tensor of shape [2,3] (6 elements) to [4,2] (8 elements)');
    expect(() => reshape(x, [-1, -1])).toThrow('reshape: only one dimension may be -1, got [-1,-1]');
    expect(() => reshape(x, [4, -1])).toThrow(/reshape: cannot infer the -1 in \[4,-1\] for a tensor of shape \[2,3\]/);
    expect(() => reshape(x, [-2, -3])).toThrow(/reshape: dimensions must be non-negative or -1/);
    expect(() => reshape(x, [1.5, 4])).toThrow(/reshape: shape must be an array of integers, got \[1.5,4\]/);
    expect(() => reshape(zeros([0]), [0, -1])).toThrow(/reshape: cannot infer the -1/);
  });
});

describe('transpose', () => {
  it('swaps matrix axes by default and permutes by perm', () => {
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    const t = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(transpose(t, [1, 0, 2]).toArray()).toEqual([[[1, 2], [5, 6]], [[3, 4], [7, 8]]]);
    expect(transpose(t, [2, 0, 1]).toArray()).toEqual([[[1, 3], [5, 7]], [[2, 4], [6, 8]]]);
    expect(transpose(t).toArray()).toEqual([[[1, 5], [3, 7]], [[2, 6], [4, 8]]]);
    expect(transpose(tensor([[1, 2]], undefined, 'int32')).dtype).toBe('int32');
  });

  it('matches the definition, including large tiled matrices and batches', () => {
    for (const [shape, perm] of [
      [[67, 45], [1, 0]],
      [[3, 40, 50], [0, 2, 1]],
      [[40, 3, 50], [2, 1, 0]],
      [[2, 1, 33, 35], [0, 3, 1, 2]],
    ] as const) {
      const x = randomNormal(shape, 0, 1, 'float32', 7);
      const t = transpose(x, perm);
      expect(t.shape).toEqual(perm.map((p) => shape[p]));
      expect(values(t)).toEqual(referenceTranspose(x.dataSync(), shape, perm));
    }
  });

  it('round-trips through the inverse permutation and matches the definition', () => {
    fc.assert(
      fc.property(shapeWithPerm, fc.nat(100), ({ shape, perm }, seed) => {
        const x = randomNormal(shape, 0, 1, 'float32', seed);
        const t = transpose(x, perm);
        expect(values(t)).toEqual(referenceTranspose(x.dataSync(), shape, perm));
        const inverse = new Array<number>(perm.length);
        perm.forEach((p, i) => (inverse[p] = i));
        const back = transpose(t, inverse);
        expect(back.shape).toEqual(shape);
        expect(values(back)).toEqual(values(x));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects perms that are not permutations of the axes', () => {
    const x = zeros([2, 3]);
    expect(() => transpose(x, [0])).toThrow('transpose: perm must be a permutation of [0..1] for a rank-2 tensor, got [0]');
    expect(() => transpose(x, [0, 0])).toThrow(/transpose: perm must be a permutation .* got \[0,0\]/);
    expect(() => transpose(x, [1, 2])).toThrow(/got \[1,2\]/);
    expect(() => transpose(x, [-1, 0])).toThrow(/got \[-1,0\]/);
  });
});

describe('expandDims and squeeze', () => {
  it('insert and remove size-1 axes', () => {
    const x = tensor([1, 2]);
    expect(expandDims(x).shape).toEqual([1, 2]);
    expect(expandDims(x, 1).shape).toEqual([2, 1]);
    expect(expandDims(x, -1).shape).toEqual([2, 1]);
    expect(expandDims(tensor(4)).shape).toEqual([1]);
    const y = zeros([1, 3, 1, 2]);
    expect(squeeze(y).shape).toEqual([3, 2]);
    expect(squeeze(y, 2).shape).toEqual([1, 3, 2]);
    expect(squeeze(y, [0, -2]).shape).toEqual([3, 2]);
    expect(squeeze(tensor([[7]])).shape).toEqual([]);
  });

  it('explain bad axes', () => {
    expect(() => expandDims(zeros([2]), 2)).toThrow(/expandDims: axis must be an integer in \[-2, 1\]/);
    expect(() => squeeze(zeros([1, 3]), 1)).toThrow('squeeze: cannot squeeze axis 1 of shape [1,3]: its size is 3, not 1');
  });
});

describe('concat and stack', () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);

  it('concatenate along any axis', () => {
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, tensor([[7], [8]])], 1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(concat([a, tensor([[7], [8]]), a], -1).toArray()).toEqual([[1, 2, 7, 1, 2], [3, 4, 8, 3, 4]]);
    expect(concat([tensor([1, 2], undefined, 'int32'), tensor([3], undefined, 'int32')]).dtype).toBe('int32');
    expect(concat([tensor([true]), tensor([false, true])]).toArray()).toEqual([1, 0, 1]);
    expect(concat([zeros([0, 2]), b]).toArray()).toEqual([[5, 6]]);
    expect(concat([a]).toArray()).toEqual(a.toArray());
    // Long chunks (copied with `set`) and short ones (copied by loop) alike.
    const long = arange(0, 80, 1, 'float32').reshape([2, 40]);
    expect(values(concat([long, long], 1))).toEqual([...values(long).slice(0, 40), ...values(long).slice(0, 40), ...values(long).slice(40), ...values(long).slice(40)]);
  });

  it('stack along a new axis', () => {
    const x = tensor([1, 2]);
    const y = tensor([3, 4]);
    expect(stack([x, y]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([x, y], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([x, y], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it('explain mismatched inputs', () => {
    expect(() => concat([])).toThrow('concat: expected a non-empty array of tensors, got an empty array');
    expect(() => concat([a, tensor([1, 2])])).toThrow('concat: all tensors must have the same rank, got [2,2] and [2] (tensors[1])');
    expect(() => concat([a, tensor([[1, 2, 3]])])).toThrow(/concat: shapes must match except along axis 0, got \[2,2\] and \[1,3\]/);
    expect(() => concat([a, tensor([[1, 2]], undefined, 'int32')])).toThrow(/concat: all tensors must have the same dtype, got float32 and int32/);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(/concat: cannot concatenate scalars/);
    expect(() => concat([a, a], 2)).toThrow(/concat: axis must be an integer in \[-2, 1\]/);
    expect(() => stack([tensor([1]), tensor([1, 2])])).toThrow('stack: all tensors must have the same shape, got [1] and [2] (tensors[1])');
  });
});

describe('unstack and split', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it('unstack along an axis', () => {
    expect(unstack(x).map((t) => t.toArray())).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(unstack(x, 1).map((t) => t.toArray())).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(unstack(x, -1)[2]!.shape).toEqual([2]);
    expect(unstack(tensor([7, 8])).map((t) => t.shape)).toEqual([[], []]);
    expect(unstack(zeros([0, 3]))).toEqual([]);
  });

  it('split evenly or by sizes', () => {
    expect(split(x, 3, 1).map((t) => t.toArray())).toEqual([[[1], [4]], [[2], [5]], [[3], [6]]]);
    expect(split(x, [1, 2], 1).map((t) => t.toArray())).toEqual([[[1], [4]], [[2, 3], [5, 6]]]);
    expect(split(x, [2, -1], -1).map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
    expect(split(x, [0, 2]).map((t) => t.shape)).toEqual([[0, 3], [2, 3]]);
    expect(split(x, 2).map((t) => t.toArray())).toEqual([[[1, 2, 3]], [[4, 5, 6]]]);
  });

  it('explain bad splits', () => {
    expect(() => split(x, 2, 1)).toThrow('split: axis 1 of shape [2,3] has size 3, which does not divide into 2 equal splits');
    expect(() => split(x, [1, 1], 1)).toThrow('split: sizes [1,1] add up to 2, but axis 1 of shape [2,3] has size 3');
    expect(() => split(x, [-1, -1], 1)).toThrow(/split: sizes must be non-negative with at most one -1/);
    expect(() => split(x, [4, -1], 1)).toThrow(/split: sizes \[4,-1\] add up to more than the size 3 of axis 1/);
    expect(() => split(x, 0)).toThrow(/split: the number of splits must be a positive integer, got 0/);
    expect(() => unstack(tensor(1))).toThrow(/unstack: expected a tensor of rank ≥ 1/);
  });
});

describe('slice', () => {
  const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);

  it('cuts blocks, with -1 meaning to the end and short lists padded', () => {
    expect(slice(x, [1, 1], [2, 2]).toArray()).toEqual([[6, 7], [10, 11]]);
    expect(slice(x, [0, 2], [-1, -1]).toArray()).toEqual([[3, 4], [7, 8], [11, 12]]);
    expect(slice(x, 1).toArray()).toEqual([[5, 6, 7, 8], [9, 10, 11, 12]]);
    expect(slice(x, 1, 1).toArray()).toEqual([[5, 6, 7, 8]]);
    expect(slice(x, [2, 3]).toArray()).toEqual([[12]]);
    expect(slice(x, [3, 0], [0, 4]).shape).toEqual([0, 4]);
    expect(slice(tensor([1, 2, 3], undefined, 'int32'), [1], [2]).toArray()).toEqual([2, 3]);
  });

  it('checks bounds', () => {
    expect(() => slice(x, [0, 5])).toThrow('slice: begin[1] = 5 is out of bounds for axis 1 of shape [3,4] (expected 0..4)');
    expect(() => slice(x, [2, 0], [2, 1])).toThrow('slice: begin [2,0] + size [2,1] goes past the end of axis 0 of shape [3,4] (2 + 2 > 3)');
    expect(() => slice(x, [-1, 0])).toThrow(/slice: begin\[0\] = -1 is out of bounds/);
    expect(() => slice(x, [0, 0, 0])).toThrow('slice: begin has 3 entries but the tensor has rank 2');
    expect(() => slice(x, [0, 0], [1, -2])).toThrow(/slice: size\[1\] must be non-negative or -1, got -2/);
  });
});

describe('pad', () => {
  it('adds constant borders', () => {
    expect(pad(tensor([[1, 2], [3, 4]]), [[1, 0], [0, 2]]).toArray()).toEqual([[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]]);
    expect(pad(tensor([1, 2]), [[2, 1]], 9).toArray()).toEqual([9, 9, 1, 2, 9]);
    expect(pad(tensor([1], undefined, 'int32'), [[1, 1]], -3).toArray()).toEqual([-3, 1, -3]);
    expect(pad(tensor([true]), [[1, 0]]).toArray()).toEqual([0, 1]);
    expect(pad(zeros([0, 2]), [[1, 1], [0, 0]], 5).toArray()).toEqual([[5, 5], [5, 5]]);
  });

  it('explains bad paddings', () => {
    expect(() => pad(tensor([1, 2]), [[1, 1], [1, 1]])).toThrow('pad: paddings must have one [before, after] pair per axis (1), got [[1,1],[1,1]]');
    expect(() => pad(tensor([1, 2]), [[-1, 1]])).toThrow('pad: paddings[0] must be a pair of non-negative integers, got [-1,1]');
    expect(() => pad(tensor([1], undefined, 'int32'), [[1, 1]], 0.5)).toThrow(/pad: constantValue must be an integer for an int32 tensor, got 0.5/);
  });
});

describe('tile and broadcastTo', () => {
  it('tile repeats along each axis', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(tile(x, [2, 1]).toArray()).toEqual([[1, 2], [3, 4], [1, 2], [3, 4]]);
    expect(tile(x, [1, 3]).toArray()).toEqual([[1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4]]);
    expect(tile(tensor([1, 2], undefined, 'int32'), [2]).toArray()).toEqual([1, 2, 1, 2]);
    expect(tile(x, [0, 2]).shape).toEqual([0, 4]);
  });

  it('broadcastTo follows NumPy rules', () => {
    expect(broadcastTo(tensor([1, 2, 3]), [2, 3]).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(broadcastTo(tensor([[1], [2]]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(broadcastTo(tensor(5), [2]).toArray()).toEqual([5, 5]);
    expect(broadcastTo(tensor([[1, 2]]), [2, 1, 2]).toArray()).toEqual([[[1, 2]], [[1, 2]]]);
    expect(broadcastTo(tensor([1, 2]), [0, 2]).shape).toEqual([0, 2]);
    expect(broadcastTo(tensor([[1, 2]]), [1, 1, 2]).shape).toEqual([1, 1, 2]);
  });

  it('explain bad arguments', () => {
    expect(() => tile(tensor([1, 2]), [2, 2])).toThrow('tile: reps must have one non-negative integer per axis (1), got [2,2]');
    expect(() => broadcastTo(tensor([1, 2, 3]), [3, 2])).toThrow(
      'broadcastTo: cannot broadcast shape [3] to [3,2]: axis 0 has size 3, which is neither 1 nor 2',
    );
    expect(() => broadcastTo(tensor([[1, 2]]), [2])).toThrow('broadcastTo: cannot broadcast shape [1,2] to the lower-rank [2]');
  });
});

describe('bool tensors', () => {
  it('move like any other dtype', () => {
    const b = tensor([[true, false, false], [false, false, true]]);
    expect(transpose(b).dtype).toBe('bool');
    expect(transpose(b).toArray()).toEqual([[1, 0], [0, 0], [0, 1]]);
    expect(reverse(b, 1).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(tile(b, [1, 2]).toArray()).toEqual([[1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 1]]);
    expect(slice(b, [0, 2], [2, 1]).toArray()).toEqual([[0], [1]]);
    expect(broadcastTo(tensor([true]), [2, 2]).toArray()).toEqual([[1, 1], [1, 1]]);
    expect(stack([b, b], 1).shape).toEqual([2, 2, 3]);
  });
});

describe('reverse', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it('reverses the given axes, or all', () => {
    expect(reverse(x, 0).toArray()).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(reverse(x, -1).toArray()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(reverse(x).toArray()).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(reverse(x, [0, 1]).toArray()).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(reverse(tensor([[7]])).toArray()).toEqual([[7]]);
    expect(reverse(tensor([1, 2, 3], undefined, 'int32')).toArray()).toEqual([3, 2, 1]);
  });

  it('is its own inverse', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) => fc.record({ shape: fc.constant(shape), axes: fc.subarray(shape.map((_, i) => i)) })),
        ({ shape, axes }) => {
          const t = randomNormal(shape, 0, 1, 'float32', 3);
          expect(values(reverse(reverse(t, axes), axes))).toEqual(values(t));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad axes', () => {
    expect(() => reverse(x, 2)).toThrow(/reverse: axis must be an integer in \[-2, 1\] for a rank-2 tensor, got 2/);
  });
});
