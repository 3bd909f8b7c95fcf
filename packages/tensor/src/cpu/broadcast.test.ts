import { describe, expect, it } from 'vitest';
import { broadcastIndexMap, broadcastPlan } from './broadcast.js';

describe('broadcastPlan', () => {
  it('merges same-shape and scalar operands into a single run', () => {
    const same = broadcastPlan('t', [[2, 3, 4], [2, 3, 4]]);
    expect([same.rows, same.inner]).toEqual([1, 24]);
    expect(Array.from(same.steps)).toEqual([1, 1]);
    const scalar = broadcastPlan('t', [[2, 3], []]);
    expect([scalar.rows, scalar.inner]).toEqual([1, 6]);
    expect(Array.from(scalar.steps)).toEqual([1, 0]);
  });

  it('walks a bias add as one run per row', () => {
    const p = broadcastPlan('t', [[4, 3], [3]]);
    expect(p.outShape).toEqual([4, 3]);
    expect([p.rows, p.inner]).toEqual([4, 3]);
    expect(Array.from(p.offsets[0]!)).toEqual([0, 3, 6, 9]);
    expect(Array.from(p.offsets[1]!)).toEqual([0, 0, 0, 0]);
  });

  it('handles a column against a row, and size-1 axes in the middle', () => {
    const p = broadcastPlan('t', [[3, 1], [1, 2]]);
    expect([p.rows, p.inner]).toEqual([3, 2]);
    expect(Array.from(p.steps)).toEqual([0, 1]);
    expect(Array.from(p.offsets[0]!)).toEqual([0, 1, 2]);
    expect(Array.from(p.offsets[1]!)).toEqual([0, 0, 0]);
    // [2,1,3] with [2,5,1]: no axes merge; runs are the 10 (i, j) pairs.
    const q = broadcastPlan('t', [[2, 1, 3], [2, 5, 1]]);
    expect([q.rows, q.inner]).toEqual([10, 3]);
    expect(Array.from(q.offsets[0]!)).toEqual([0, 0, 0, 0, 0, 3, 3, 3, 3, 3]);
    expect(Array.from(q.offsets[1]!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('plans nothing for an empty output', () => {
    const p = broadcastPlan('t', [[0, 3], [3]]);
    expect(p.outShape).toEqual([0, 3]);
    expect([p.size, p.rows]).toEqual([0, 0]);
  });
});

describe('broadcastIndexMap', () => {
  it('maps every output element to its source element', () => {
    // out[i][j][k] reads in[j][0] for in of shape [3,1], out [2,3,2].
    expect(Array.from(broadcastIndexMap([3, 1], [2, 3, 2]))).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    expect(Array.from(broadcastIndexMap([], [3]))).toEqual([0, 0, 0]);
  });

  it('rejects shapes that do not broadcast to the target', () => {
    expect(() => broadcastIndexMap([2], [3])).toThrow(/^broadcastTo: shapes \[2\] and \[3\] cannot be broadcast together/);
    expect(() => broadcastIndexMap([2, 3], [3])).toThrow('broadcastTo: shape [2,3] cannot be broadcast to [3]');
  });
});
