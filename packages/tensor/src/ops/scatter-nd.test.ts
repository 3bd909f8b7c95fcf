import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { arange } from './creation.js';
import { randomUniform } from './random.js';
import { gatherND, scatterND, tensorScatterAdd, tensorScatterUpdate } from './scatter-nd.js';

const int = (v: number[] | number[][] | number[][][]) => tensor(v, undefined, 'int32');

/** Naive reference: walk the index tuples over nested arrays. */
function naiveGatherND(x: unknown, tuples: number[][]): unknown[] {
  return tuples.map((tuple) => tuple.reduce<unknown>((node, i) => (node as unknown[])[i], x));
}

describe('gatherND', () => {
  const x = arange(24).reshape([2, 3, 4]);

  it('picks elements, rows and blocks (NumPy x[[1, 0], [2, 1]])', () => {
    expect(gatherND(x, [[1, 2], [0, 1]]).toArray()).toEqual([[20, 21, 22, 23], [4, 5, 6, 7]]);
    expect(gatherND(x, [[1, 2, 3], [0, 0, 1]]).toArray()).toEqual([23, 1]);
    expect(gatherND(x, [[1]]).toArray()).toEqual([(x.toArray() as number[][][])[1]]);
    expect(gatherND([[1, 2], [3, 4]], [[1, 0], [0, 1]]).toArray()).toEqual([3, 2]);
  });

  it('keeps the leading shape of the indices and the dtype', () => {
    const g = gatherND(int([[5, 6], [7, 8]]), int([[[0, 1]], [[1, 1]]]));
    expect(g.shape).toEqual([2, 1]);
    expect(g.toArray()).toEqual([[6], [8]]);
    expect(g.dtype).toBe('int32');
    expect(gatherND(x, tensor([], [0, 2], 'int32')).shape).toEqual([0, 4]);
    // Empty tuples take all of x, once per tuple.
    expect(gatherND(int([1, 2]), tensor([], [3, 0], 'int32')).toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('matches a naive nested-array walk on random tuples', () => {
    const data = randomUniform([4, 5, 3], -5, 5, 'float32', 2);
    const raw = randomUniform([6, 2], 0, 3, 'int32', 3).toArray() as number[][];
    expect(gatherND(data, raw).toArray()).toEqual(naiveGatherND(data.toArray(), raw));
  });

  it('refuses out-of-range and negative tuples naming the tuple (TF.js returns zeros)', () => {
    expect(() => gatherND(x, [[0, 1], [1, 3]])).toThrow('gatherND: indices[1] = [1, 3] is out of range for x of shape [2,3,4]: entry 1 must be in [0, 3), got 3');
    expect(() => gatherND(x, [[[0, -1]]])).toThrow(/gatherND: indices\[0, 0\] = \[0, -1\] is out of range .* got -1/);
    expect(() => gatherND(x, [[0, 0, 0, 0]])).toThrow('gatherND: index tuples (last axis of indices, shape [1,4]) have 4 entries but x of shape [2,3,4] has only 3 axes');
    expect(() => gatherND(x, 1)).toThrow(/gatherND: indices must have rank ≥ 1/);
    expect(() => gatherND(x, tensor([[0.0, 1]]))).toThrow("gatherND: indices must be int32, got float32 (cast with cast(x, 'int32'))");
  });
});

describe('scatterND', () => {
  it('scatters into zeros, adding duplicates (TF scatter_nd)', () => {
    expect(scatterND([[1], [3], [1]], [10, 20, 5], [4]).toArray()).toEqual([0, 15, 0, 20]);
    expect(scatterND([[0, 1], [1, 0]], [7, 8], [2, 2]).toArray()).toEqual([[0, 7], [8, 0]]);
    // Whole rows: TF's documented example (indices [[0], [2]], updates of shape [2, 4, 4], shape [4, 4, 4]).
    const rows = scatterND([[0], [2]], tensor(Array.from({ length: 32 }, (_, i) => i % 4 + 1), [2, 4, 4]), [4, 4, 4]);
    expect(rows.shape).toEqual([4, 4, 4]);
    expect((rows.toArray() as number[][][])[1]).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect((rows.toArray() as number[][][])[2]![3]).toEqual([1, 2, 3, 4]);
  });

  it('keeps int32 and handles no updates', () => {
    const s = scatterND([[2]], int([4]), [3]);
    expect(s.toArray()).toEqual([0, 0, 4]);
    expect(s.dtype).toBe('int32');
    expect(scatterND(tensor([], [0, 1], 'int32'), tensor([], [0]), [3]).toArray()).toEqual([0, 0, 0]);
  });

  it('is the adjoint of gatherND: <gatherND(x, i), u> = <x, scatterND(i, u, x.shape)>', () => {
    const x = randomUniform([3, 4, 2], -1, 1, 'float32', 4);
    const i = randomUniform([5, 2], 0, 3, 'int32', 5);
    const u = randomUniform([5, 2], -1, 1, 'float32', 6);
    const left = gatherND(x, i).mul(u).sum().item();
    const right = x.mul(scatterND(i, u, [3, 4, 2])).sum().item();
    expect(left).toBeCloseTo(right, 5);
  });

  it('refuses bad shapes, dtypes and indices', () => {
    expect(() => scatterND([[4]], [1], [4])).toThrow('scatterND: indices[0] = [4] is out of range for shape [4]: entry 0 must be in [0, 4), got 4');
    expect(() => scatterND([[1]], [1, 2], [4])).toThrow("scatterND: updates must have shape [1] (indices' shape [1,1] without its last axis, then shape [4] after its first 1 axes), got [2]");
    expect(() => scatterND([[1]], [true], [4])).toThrow('scatterND: updates must be float32 or int32, got bool (duplicates add up)');
    expect(() => scatterND([[1]], [1], [-1])).toThrow('scatterND: shape must be an array of non-negative integers, got [-1]');
  });
});

describe('tensorScatterAdd and tensorScatterUpdate', () => {
  it('adds updates onto x, duplicates accumulating', () => {
    expect(tensorScatterAdd([1, 1, 1], [[0], [2], [0]], [5, 7, 1]).toArray()).toEqual([7, 1, 8]);
    const x = int([[1, 2], [3, 4]]);
    const r = tensorScatterAdd(x, [[1]], [[10, 20]]);
    expect(r.toArray()).toEqual([[1, 2], [13, 24]]);
    expect(r.dtype).toBe('int32');
  });

  it('replaces slices; the last of repeated tuples wins', () => {
    expect(tensorScatterUpdate([[1, 2], [3, 4]], [[1, 0]], [9]).toArray()).toEqual([[1, 2], [9, 4]]);
    expect(tensorScatterUpdate([0, 0, 0], [[1], [1]], [5, 6]).toArray()).toEqual([0, 6, 0]);
    expect(tensorScatterUpdate([0, 0, 0, 0], [[3], [1], [3], [0]], [1, 2, 3, 4]).toArray()).toEqual([4, 2, 0, 3]);
    expect(tensorScatterUpdate([[1, 2], [3, 4]], [[0]], [[-1, -2]]).toArray()).toEqual([[-1, -2], [3, 4]]);
    const b = tensorScatterUpdate(tensor([true, true, false]), [[0], [2]], [false, true]);
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([0, 1, 1]);
    expect(tensorScatterUpdate(int([1, 2]), [[1]], [7]).dtype).toBe('int32');
  });

  it('matches a naive loop on random updates with repeats', () => {
    const x = randomUniform([4, 3], -1, 1, 'float32', 7);
    const idx = randomUniform([10, 1], 0, 4, 'int32', 8).toArray() as number[][];
    const upd = randomUniform([10, 3], -1, 1, 'float32', 9);
    const expectUpdate = x.toArray() as number[][];
    const expectAdd = x.toArray() as number[][];
    const u = upd.toArray() as number[][];
    idx.forEach(([r], j) => {
      expectUpdate[r!] = [...u[j]!];
      expectAdd[r!] = expectAdd[r!]!.map((v, c) => v + u[j]![c]!);
    });
    expect(tensorScatterUpdate(x, idx, upd).toArray()).toEqual(expectUpdate);
    const added = tensorScatterAdd(x, idx, upd).toArray() as number[][];
    added.flat().forEach((v, i) => expect(v).toBeCloseTo(expectAdd.flat()[i]!, 5));
  });

  it('refuses mismatched dtypes, shapes and indices', () => {
    expect(() => tensorScatterAdd(int([1]), [[0]], tensor([1.5]))).toThrow("tensorScatterAdd: updates must have x's dtype int32, got float32");
    expect(() => tensorScatterAdd(int([1]), [[0]], [1.5])).toThrow(/tensorScatterAdd: updates must be int32 values like x/);
    expect(() => tensorScatterAdd(tensor([true]), [[0]], [true])).toThrow('tensorScatterAdd: x must be float32 or int32, got bool');
    expect(() => tensorScatterUpdate([1, 2], [[2]], [0])).toThrow('tensorScatterUpdate: indices[0] = [2] is out of range for x of shape [2]: entry 0 must be in [0, 2), got 2');
    expect(() => tensorScatterUpdate([[1, 2]], [[0]], [1])).toThrow(/tensorScatterUpdate: updates must have shape \[1,2\]/);
  });
});
