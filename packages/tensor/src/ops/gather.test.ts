import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { gather, scatterAdd, unsortedSegmentSum } from './gather.js';
import { randomNormal, randomUniform } from './random.js';

const int = (v: number[] | number[][]) => tensor(v, undefined, 'int32');

describe('gather', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);

  it('picks rows, columns and repeated indices', () => {
    expect(gather(x, int([2, 0])).toArray()).toEqual([[7, 8, 9], [1, 2, 3]]);
    expect(gather(x, [1, 1], 1).toArray()).toEqual([[2, 2], [5, 5], [8, 8]]);
    expect(gather(x, [2], -1).toArray()).toEqual([[3], [6], [9]]);
    expect(gather(x, 1).toArray()).toEqual([4, 5, 6]);
    expect(x.gather([0]).shape).toEqual([1, 3]);
  });

  it('inserts the shape of the indices at the axis', () => {
    const g = gather(x, int([[0, 1], [2, 2]]), 1);
    expect(g.shape).toEqual([3, 2, 2]);
    expect(g.toArray()).toEqual([[[1, 2], [3, 3]], [[4, 5], [6, 6]], [[7, 8], [9, 9]]]);
    expect(gather(x, int([])).shape).toEqual([0, 3]);
  });

  it('keeps the dtype and copies long rows', () => {
    expect(gather(int([5, 6, 7]), [2, 0]).toArray()).toEqual([7, 5]);
    expect(gather(int([5, 6, 7]), [2, 0]).dtype).toBe('int32');
    expect(gather(tensor([true, false]), [1, 0, 0]).toArray()).toEqual([0, 1, 1]);
    expect(gather(tensor([true, false]), [1]).dtype).toBe('bool');
    const wide = randomNormal([3, 50], 0, 1, 'float32', 1);
    const rows = wide.toArray() as number[][];
    expect(gather(wide, [2, 1]).toArray()).toEqual([rows[2], rows[1]]);
  });

  it('checks the indices', () => {
    expect(() => gather(x, [3])).toThrow('gather: indices must be in [0, 3) (axis 0 of x has shape [3,3]), got 3 at flat position 0');
    expect(() => gather(x, [0, -1], 1)).toThrow(/gather: indices must be in \[0, 3\) .* got -1 at flat position 1/);
    expect(() => gather(x, tensor([0, 1]))).toThrow("gather: indices must be int32, got float32 (cast with cast(x, 'int32'))");
    expect(() => gather(x, [0.5])).toThrow(/gather: indices must be integers/);
    expect(() => gather(tensor(1), [0])).toThrow('gather: expected x of rank ≥ 1, got a scalar');
    expect(() => gather(x, [0], 2)).toThrow(/gather: axis must be an integer in \[-2, 1\]/);
  });
});

describe('scatterAdd', () => {
  it('adds slices at their indices, accumulating repeats', () => {
    expect(scatterAdd(tensor([1, 2, 3]), [0, 2, 0], 4).toArray()).toEqual([4, 0, 2, 0]);
    expect(scatterAdd(tensor([[1, 2], [3, 4], [5, 6]]), [1, 1, 0], 2).toArray()).toEqual([[5, 6], [4, 6]]);
    expect(scatterAdd(int([1, 2]), [1, 1], 3).toArray()).toEqual([0, 3, 0]);
    expect(scatterAdd(int([1, 2]), [1, 1], 3).dtype).toBe('int32');
  });

  it('scatters along an inner axis with multi-dimensional indices', () => {
    // updates [2, (2, 2)] scattered into axis 1 of size 3.
    const u = tensor([[[1, 2], [3, 4]], [[10, 20], [30, 40]]]);
    const out = scatterAdd(u, int([[0, 2], [2, 2]]), 3, 1);
    expect(out.shape).toEqual([2, 3]);
    expect(out.toArray()).toEqual([[1, 0, 2 + 3 + 4], [10, 0, 20 + 30 + 40]]);
  });

  it('is the adjoint of gather: <gather(x, i), y> = <x, scatterAdd(y, i, n)>', () => {
    fc.assert(
      fc.property(
        fc.record({
          outer: fc.integer({ min: 1, max: 3 }),
          n: fc.integer({ min: 1, max: 5 }),
          inner: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 0, max: 6 }),
          seed: fc.nat(1000),
        }),
        ({ outer, n, inner, m, seed }) => {
          const x = randomNormal([outer, n, inner], 0, 1, 'float32', seed);
          const idx = randomUniform([m], 0, n, 'int32', seed + 1);
          const y = randomNormal([outer, m, inner], 0, 1, 'float32', seed + 2);
          const g = gather(x, idx, 1).dataSync();
          const s = scatterAdd(y, idx, n, 1).dataSync();
          const yv = y.dataSync();
          const xv = x.dataSync();
          let lhs = 0;
          let rhs = 0;
          for (let i = 0; i < g.length; i++) lhs += g[i]! * yv[i]!;
          for (let i = 0; i < s.length; i++) rhs += xv[i]! * s[i]!;
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('checks shapes, sizes and indices', () => {
    expect(() => scatterAdd(tensor([1, 2]), [0], 2)).toThrow('scatterAdd: updates of shape [2] must have indices\' shape [1] starting at axis 0');
    expect(() => scatterAdd(tensor([1, 2]), [0, 2], 2)).toThrow('scatterAdd: indices must be in [0, 2) (size is 2), got 2 at flat position 1');
    expect(() => scatterAdd(tensor([1]), [0], -1)).toThrow('scatterAdd: size must be a non-negative integer, got -1');
    expect(() => scatterAdd(tensor([true]), [0], 1)).toThrow('scatterAdd: updates must be float32 or int32, got bool');
    expect(() => scatterAdd(tensor([[1]]), [0], 1, 2)).toThrow(/scatterAdd: axis must be an integer in \[0, 1\]/);
  });
});

describe('unsortedSegmentSum', () => {
  it('sums rows that share a segment id', () => {
    const data = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(unsortedSegmentSum(data, [0, 2, 0], 3).toArray()).toEqual([[6, 8], [0, 0], [3, 4]]);
    expect(unsortedSegmentSum(tensor([1, 2, 3, 4]), int([1, 1, 1, 0]), 2).toArray()).toEqual([4, 6]);
    expect(unsortedSegmentSum(tensor([[1, 2], [3, 4]]), int([[0, 1], [1, 1]]), 2).toArray()).toEqual([1, 9]);
    expect(unsortedSegmentSum(zeros([0, 2]), int([]), 2).toArray()).toEqual([[0, 0], [0, 0]]);
  });

  it('checks the segment ids', () => {
    expect(() => unsortedSegmentSum(tensor([1, 2]), [0, 3], 3)).toThrow(
      'unsortedSegmentSum: segmentIds must be in [0, 3) (numSegments is 3), got 3 at flat position 1',
    );
    expect(() => unsortedSegmentSum(tensor([[1, 2]]), [0, 0], 1)).toThrow(
      "unsortedSegmentSum: segmentIds of shape [2] must be a prefix of data's shape [1,2]",
    );
    expect(() => unsortedSegmentSum(tensor([1]), tensor([0]), 1)).toThrow(/unsortedSegmentSum: segmentIds must be int32, got float32/);
  });
});
