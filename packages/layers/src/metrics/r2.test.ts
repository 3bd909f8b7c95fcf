import { describe, expect, it } from 'vitest';
import { getMetric } from './registry.js';
import { R2Score } from './r2.js';

/** R² per output column from the definition, with weights, in float64. */
function refR2(t: number[][], p: number[][], w: number[]): number[] {
  return t[0]!.map((_, j) => {
    const W = w.reduce((a, b) => a + b, 0);
    const mean = t.reduce((a, row, i) => a + w[i]! * row[j]!, 0) / W;
    const ssTot = t.reduce((a, row, i) => a + w[i]! * (row[j]! - mean) ** 2, 0);
    const ssRes = t.reduce((a, row, i) => a + w[i]! * (row[j]! - p[i]![j]!) ** 2, 0);
    return 1 - ssRes / ssTot;
  });
}

describe('R2Score', () => {
  it("matches Keras's documented example", () => {
    const m = new R2Score();
    m.update([[1], [4], [3]], [[2], [4], [4]]);
    // SS_res = 2, SS_tot = 26 − 64/3 = 14/3: 1 − 6/14 = 4/7.
    expect(m.result()).toBeCloseTo(4 / 7, 6);
  });

  const t = [[1, 10], [2, 14], [4, 9], [3, 20], [5, 11]];
  const p = [[1.5, 11], [2, 13], [3, 10], [3.5, 18], [4, 12]];
  const w = [1, 2, 0.5, 1, 3];

  it('aggregates outputs uniformly or by variance, with sample weights, streaming = one batch', () => {
    const raw = refR2(t, p, w);
    const totals = [0, 1].map((j) => {
      const W = w.reduce((a, b) => a + b, 0);
      const mean = t.reduce((a, row, i) => a + w[i]! * row[j]!, 0) / W;
      return t.reduce((a, row, i) => a + w[i]! * (row[j]! - mean) ** 2, 0);
    });
    const uniform = new R2Score();
    uniform.update(t.slice(0, 2), p.slice(0, 2), w.slice(0, 2));
    uniform.update(t.slice(2), p.slice(2), w.slice(2));
    expect(uniform.result()).toBeCloseTo((raw[0]! + raw[1]!) / 2, 9);
    expect(uniform.scores()[0]).toBeCloseTo(raw[0]!, 9);
    const weighted = new R2Score({ classAggregation: 'variance_weighted_average' });
    weighted.update(t, p, w);
    expect(weighted.result()).toBeCloseTo((totals[0]! * raw[0]! + totals[1]! * raw[1]!) / (totals[0]! + totals[1]!), 9);
    expect(new R2Score({ classAggregation: 'varianceWeightedAverage' }).classAggregation).toBe('variance_weighted_average');
  });

  it('adjusts for regressors as Keras: n counts every entry, and falls back when n − p − 1 ≤ 0', () => {
    const col = t.map((r) => [r[0]!]);
    const pc = p.map((r) => [r[0]!]);
    const r2 = refR2(col, pc, [1, 1, 1, 1, 1])[0]!;
    const adj = new R2Score({ numRegressors: 2 });
    adj.update(col, pc);
    expect(adj.result()).toBeCloseTo(1 - ((1 - r2) * 4) / 2, 9);
    const tooMany = new R2Score({ numRegressors: 4 });
    tooMany.update(col, pc);
    expect(tooMany.result()).toBeCloseTo(r2, 9);
  });

  it('resets, resolves by name and rejects bad options', () => {
    const m = getMetric('r2_score');
    expect(m).toBeInstanceOf(R2Score);
    expect(m.name).toBe('r2_score');
    expect(getMetric('r2Score').name).toBe('r2_score');
    m.update([[1], [2]], [[1], [3]]);
    m.reset();
    expect(m.result()).toBe(0);
    expect(() => new R2Score({ classAggregation: null as never })).toThrow(/R2Score: classAggregation must be 'uniform_average' or 'variance_weighted_average', got null \(for one score per output, read scores\(\)\)/);
    expect(() => new R2Score({ numRegressors: -1 })).toThrow(/R2Score: numRegressors must be a non-negative integer, got -1/);
    expect(() => new R2Score().update([[[1]]], [[[1]]])).toThrow(/r2_score: expected yTrue and yPred of shape \[batch, outputs\]/);
  });
});
