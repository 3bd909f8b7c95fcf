import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { gather } from './gather.js';
import { randomUniform } from './random.js';
import { unique } from './unique.js';

describe('unique', () => {
  it('keeps first occurrences in order and maps every entry to its value (TF unique example)', () => {
    const { values, indices } = unique([1, 1, 2, 4, 4, 4, 7, 8, 8]);
    expect(values.toArray()).toEqual([1, 2, 4, 7, 8]);
    expect(indices.toArray()).toEqual([0, 0, 1, 2, 2, 2, 3, 4, 4]);
    expect(indices.dtype).toBe('int32');
    expect(unique([3, 1, 3, 2]).values.toArray()).toEqual([3, 1, 2]);
  });

  it('keeps the dtype (int32, bool) and handles empty input', () => {
    const r = unique(tensor([5, -1, 5], undefined, 'int32'));
    expect(r.values.dtype).toBe('int32');
    expect(r.values.toArray()).toEqual([5, -1]);
    const b = unique(tensor([true, true, false]));
    expect(b.values.dtype).toBe('bool');
    expect(b.values.toArray()).toEqual([1, 0]);
    expect(b.indices.toArray()).toEqual([0, 0, 1]);
    const e = unique(tensor([], [0]));
    expect(e.values.shape).toEqual([0]);
    expect(e.indices.shape).toEqual([0]);
  });

  it('treats -0 as 0 and all NaNs as one value', () => {
    const { values, indices } = unique([0, NaN, -0, NaN, 1]);
    expect(Array.from(values.dataSync())).toEqual([0, NaN, 1]);
    expect(indices.toArray()).toEqual([0, 1, 0, 1, 2]);
    expect(unique([[NaN, -0], [NaN, 0]]).values.shape).toEqual([1, 2]);
  });

  it('finds unique slices along an axis (rows, columns, middle axis)', () => {
    const x = tensor([[1, 0, 0], [1, 0, 0], [2, 0, 0]]);
    expect(unique(x).values.toArray()).toEqual([[1, 0, 0], [2, 0, 0]]);
    expect(unique(x).indices.toArray()).toEqual([0, 0, 1]);
    const cols = unique(x, 1);
    expect(cols.values.toArray()).toEqual([[1, 0], [1, 0], [2, 0]]);
    expect(cols.indices.toArray()).toEqual([0, 1, 1]);
    expect(unique(x, -1).indices.toArray()).toEqual([0, 1, 1]);
  });

  it('gather(values, indices, axis) rebuilds x, and values has no repeats (random int data)', () => {
    for (const [shape, axis] of [[[40], 0], [[6, 2], 0], [[2, 7, 1], 1], [[3, 9], 1]] as const) {
      const x = randomUniform([...shape], 0, 2, 'int32', 21 + axis);
      const { values, indices } = unique(x, axis);
      expect(gather(values, indices, axis).toArray()).toEqual(x.toArray());
      const again = unique(values, axis);
      expect(again.values.shape).toEqual(values.shape);
    }
  });

  it('refuses scalars and bad axes', () => {
    expect(() => unique(tensor(1))).toThrow('unique: expected x of rank ≥ 1, got a scalar');
    expect(() => unique([1, 2], 1)).toThrow(/unique: axis must be an integer in \[-1, 0\] for a rank-1 tensor, got 1/);
  });
});
