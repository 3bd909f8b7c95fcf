import { describe, expect, it } from 'vitest';
import { topKCategoricalAccuracy } from './accuracy.js';
import { getMetric } from './registry.js';
import { SparseTopKCategoricalAccuracy, sparseTopKCategoricalAccuracy } from './top-k.js';

describe('SparseTopKCategoricalAccuracy', () => {
  const p = [
    [0.1, 0.5, 0.3, 0.1],
    [0.4, 0.3, 0.2, 0.1],
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.2, 0.3, 0.4],
  ];

  it('scores each sample by whether its label is in the top k (ties straddling k count)', () => {
    expect(Array.from(sparseTopKCategoricalAccuracy([2, 2, 3, 0], p, 2).dataSync())).toEqual([1, 0, 1, 0]);
    expect(Array.from(sparseTopKCategoricalAccuracy([[0], [1], [0], [1]], p, 1).dataSync())).toEqual([0, 0, 1, 0]);
    // A label out of range is a miss.
    expect(Array.from(sparseTopKCategoricalAccuracy([7, 0, 0, 3], p, 4).dataSync())).toEqual([0, 1, 1, 1]);
  });

  it('equals topKCategoricalAccuracy on one-hot labels', () => {
    const labels = [1, 3, 2, 0];
    const oneHot = labels.map((l) => [0, 1, 2, 3].map((j) => (j === l ? 1 : 0)));
    for (const k of [1, 2, 3]) {
      expect(Array.from(sparseTopKCategoricalAccuracy(labels, p, k).dataSync())).toEqual(Array.from(topKCategoricalAccuracy(oneHot, p, k).dataSync()));
    }
  });

  it('reads sorted ids with fromSortedIds, averages over batches with weights, and resolves by name', () => {
    const ids = [[3, 1, 0], [2, 0, 1]];
    expect(Array.from(sparseTopKCategoricalAccuracy([1, 1], ids, 2, true).dataSync())).toEqual([1, 0]);
    const m = new SparseTopKCategoricalAccuracy({ k: 2 });
    m.update([2, 2], p.slice(0, 2), [3, 1]);
    m.update([3, 0], p.slice(2), [1, 1]);
    expect(m.result()).toBeCloseTo((3 * 1 + 1 * 0 + 1 + 0) / 6, 9);
    const byName = getMetric('sparse_top_k_categorical_accuracy');
    expect(byName).toBeInstanceOf(SparseTopKCategoricalAccuracy);
    expect((byName as SparseTopKCategoricalAccuracy).k).toBe(5);
    expect(() => new SparseTopKCategoricalAccuracy({ k: 0 })).toThrow(/^SparseTopKCategoricalAccuracy: k must be a positive integer, got 0$/);
    expect(() => sparseTopKCategoricalAccuracy(p, p)).toThrow(/these look like one-hot labels: use topKCategoricalAccuracy/);
  });
});
