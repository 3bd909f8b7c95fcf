import { describe, expect, it } from 'vitest';
import { runKernel } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { randomUniform } from './random.js';
import { argsort, sort, topk } from './sort.js';

const int = (v: number[] | number[][]) => tensor(v, undefined, 'int32');

/**
 * Naive reference: the rows of the last axis as (value, position) pairs, ordered by a comparison
 * written from the documented order (NaN largest, ties by position), sorted with Array.prototype.sort.
 */
function reference(values: ArrayLike<number>, n: number, descending: boolean): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < values.length / n; r++) {
    const pairs = Array.from({ length: n }, (_, j) => ({ v: values[r * n + j]!, j }));
    const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);
    pairs.sort((a, b) => {
      const an = Number.isNaN(a.v);
      const bn = Number.isNaN(b.v);
      if (an !== bn) return (an ? 1 : -1) * (descending ? -1 : 1);
      if (!an && rank(a.v) !== rank(b.v)) return (rank(a.v) - rank(b.v)) * (descending ? -1 : 1);
      return a.j - b.j;
    });
    rows.push(pairs.map((p) => p.j));
  }
  return rows;
}

const rows = (t: Tensor, n: number): number[][] => {
  const d = Array.from(t.dataSync());
  return Array.from({ length: d.length / n }, (_, r) => d.slice(r * n, r * n + n));
};

describe('sort and argsort', () => {
  it('sorts along the last axis, ascending or descending, stably (NumPy argsort kind="stable")', () => {
    expect(argsort([3, 1, 3, 2]).toArray()).toEqual([1, 3, 0, 2]);
    expect(argsort([3, 1, 3, 2], { descending: true }).toArray()).toEqual([0, 2, 3, 1]);
    expect(sort([3, 1, 3, 2]).toArray()).toEqual([1, 2, 3, 3]);
    expect(sort([[3, 1, 2], [0, -5, 7]], { descending: true }).toArray()).toEqual([[3, 2, 1], [7, 0, -5]]);
    expect(argsort([3, 1, 3, 2]).dtype).toBe('int32');
  });

  it('puts NaN after +Infinity and keeps -0 and 0 in position order (as NumPy for ascending sorts)', () => {
    // np.argsort(np.float32([2, nan, -inf, 0, -0., inf, nan, 1]), kind='stable') = [2 3 4 7 0 5 1 6]
    const y = tensor([2, NaN, -Infinity, 0, -0, Infinity, NaN, 1]);
    expect(argsort(y).toArray()).toEqual([2, 3, 4, 7, 0, 5, 1, 6]);
    const s = sort(y).dataSync();
    expect(Array.from(s)).toEqual([-Infinity, 0, -0, 1, 2, Infinity, NaN, NaN]);
    expect(Object.is(s[1], 0) && Object.is(s[2], -0)).toBe(true);
    expect(argsort(y, { descending: true }).toArray()).toEqual([1, 6, 5, 0, 7, 3, 4, 2]);
  });

  it('sorts along any axis and keeps int32', () => {
    const x = int([[3, 1, 2], [0, 5, -1]]);
    expect(sort(x, { axis: 0 }).toArray()).toEqual([[0, 1, -1], [3, 5, 2]]);
    expect(sort(x, { axis: 0 }).dtype).toBe('int32');
    expect(argsort(x, { axis: -2, descending: true }).toArray()).toEqual([[0, 1, 0], [1, 0, 1]]);
    const t = randomUniform([2, 5, 3], -2, 2, 'int32', 3);
    const viaLast = sort(t.transpose([0, 2, 1])).transpose([0, 2, 1]);
    expect(sort(t, { axis: 1 }).toArray()).toEqual(viaLast.toArray());
  });

  it('matches the naive reference on random rows with many ties (both orders, int32 and float32)', () => {
    for (const [shape, dtype] of [[[4, 9], 'int32'], [[3, 70], 'int32'], [[2, 3, 40], 'float32']] as const) {
      const x = dtype === 'int32' ? randomUniform([...shape], -3, 3, 'int32', 11) : randomUniform([...shape], 0, 1, 'float32', 12).mul(4).floor();
      const n = shape[shape.length - 1]!;
      for (const descending of [false, true]) {
        expect(rows(argsort(x, { descending }), n)).toEqual(reference(x.dataSync(), n, descending));
      }
    }
  });

  it('handles empty rows and a size-1 axis', () => {
    expect(sort(tensor([], [2, 0])).shape).toEqual([2, 0]);
    expect(argsort(tensor([], [0, 3])).shape).toEqual([0, 3]);
    expect(sort([[5], [4]]).toArray()).toEqual([[5], [4]]);
  });

  it('refuses bad input, naming the op', () => {
    expect(() => sort(tensor(1))).toThrow('sort: expected x of rank ≥ 1, got a scalar');
    expect(() => argsort(tensor([true, false]))).toThrow('argsort: x must be float32 or int32, got bool (cast it first)');
    expect(() => sort([1, 2], { axis: 1 })).toThrow(/sort: axis must be an integer in \[-1, 0\] for a rank-1 tensor, got 1/);
    expect(() => sort([1, 2], { descending: 'yes' as unknown as boolean })).toThrow('sort: descending must be a boolean, got "yes"');
    expect(() => argsort([1, 2], 1 as unknown as object)).toThrow(/argsort: options must be an object/);
  });
});

describe('topk', () => {
  it('returns the k largest, largest first, lower index first on ties (TF top_k)', () => {
    const { values, indices } = topk([1, 4, 2, 4], 2);
    expect(values.toArray()).toEqual([4, 4]);
    expect(indices.toArray()).toEqual([1, 3]);
    expect(indices.dtype).toBe('int32');
    const r = topk([[0.1, 0.7, 0.2], [5, -1, 5]], 2);
    expect(r.values.toArray()).toEqual([[Math.fround(0.7), Math.fround(0.2)], [5, 5]]);
    expect(r.indices.toArray()).toEqual([[1, 2], [0, 2]]);
    expect(topk([3, 9, 1]).indices.toArray()).toEqual([1]);
  });

  it('counts NaN as the largest value', () => {
    const { values, indices } = topk([1, NaN, Infinity, NaN], 3);
    expect(indices.toArray()).toEqual([1, 3, 2]);
    expect(Array.from(values.dataSync())).toEqual([NaN, NaN, Infinity]);
  });

  it('with sorted = false gives the same entries in order of position', () => {
    const { values, indices } = topk([[1, 9, 3, 7, 5], [2, 2, 8, 0, 2]], 3, false);
    expect(indices.toArray()).toEqual([[1, 3, 4], [0, 1, 2]]);
    expect(values.toArray()).toEqual([[9, 7, 5], [2, 2, 8]]);
  });

  it('matches the naive reference for small k (insertion path) and large k (full sort), k = 0 and k = n', () => {
    const x = randomUniform([5, 60], -4, 4, 'int32', 5);
    const ref = reference(x.dataSync(), 60, true);
    for (const k of [0, 1, 3, 32, 33, 59, 60]) {
      const { values, indices } = topk(x, k);
      expect(indices.shape).toEqual([5, k]);
      expect(rows(indices, k === 0 ? 1 : k).flat()).toEqual(ref.map((row) => row.slice(0, k)).flat());
      const xs = x.dataSync();
      expect(Array.from(values.dataSync())).toEqual(ref.flatMap((row, r) => row.slice(0, k).map((j) => xs[r * 60 + j])));
    }
  });

  it('the kernel gives the same positions through its three paths (insertion, packed keys, comparator)', () => {
    const x = randomUniform([3, 200], 0, 1, 'float32', 9).mul(10).round();
    for (const descending of [false, true]) {
      const full = runKernel('ArgSort', [x], { k: 200, descending }).slice([0, 0], [3, 20]);
      expect(runKernel('ArgSort', [x], { k: 20, descending }).toArray()).toEqual(full.toArray());
    }
    // bool storage (Uint8Array) takes the comparator sort; int32 the packed keys.
    const b = randomUniform([2, 50], 0, 2, 'int32', 4);
    for (const descending of [false, true]) {
      expect(runKernel('ArgSort', [b.cast('bool')], { k: 50, descending }).toArray()).toEqual(runKernel('ArgSort', [b], { k: 50, descending }).toArray());
    }
    expect(topk([0, -0, 0, -1], 2).indices.toArray()).toEqual([0, 1]);
    expect(topk([-0, 0, 0, -1], 3, true).indices.toArray()).toEqual([0, 1, 2]);
  });

  it('refuses bad k, scalars and bool', () => {
    expect(() => topk([1, 2], 3)).toThrow('topk: k must be at most the size of the last axis of x (shape [2]), got k = 3');
    expect(() => topk([1, 2], -1)).toThrow('topk: k must be a non-negative integer, got -1');
    expect(() => topk([1, 2], 1.5)).toThrow('topk: k must be a non-negative integer, got 1.5');
    expect(() => topk(tensor(3))).toThrow('topk: expected x of rank ≥ 1, got a scalar');
    expect(() => topk(tensor([true]))).toThrow('topk: x must be float32 or int32, got bool (cast it first)');
    expect(() => topk([1], 1, 'no' as unknown as boolean)).toThrow('topk: sorted must be a boolean, got "no"');
  });
});
