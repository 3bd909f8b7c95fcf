import { describe, expect, it } from 'vitest';
import { F1Score } from './f1.js';
import { FBetaScore } from './fbeta.js';
import { getMetric } from './registry.js';

describe('FBetaScore', () => {
  const t = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]];
  const p = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]];
  // Arg-max predictions 0, 1, 0, 2: class 0 P 1/2 R 1; class 1 P 1 R 1/2; class 2 P 0 R 0.
  const f = (b: number, P: number, R: number) => ((1 + b * b) * P * R) / (b * b * P + R);

  it('weights recall by beta (hand calculation), streamed and averaged', () => {
    const macro = new FBetaScore({ beta: 2 });
    macro.update(t.slice(0, 1), p.slice(0, 1));
    macro.update(t.slice(1), p.slice(1));
    expect(macro.result()).toBeCloseTo((f(2, 0.5, 1) + f(2, 1, 0.5)) / 3, 6);
    const weighted = new FBetaScore({ beta: 0.5, average: 'weighted' });
    weighted.update(t, p);
    expect(weighted.result()).toBeCloseTo((f(0.5, 0.5, 1) * 1 + f(0.5, 1, 0.5) * 2) / 4, 6);
    const micro = new FBetaScore({ beta: 3, average: 'micro' });
    micro.update(t, p); // tp 2, fp 2, fn 2
    expect(micro.result()).toBeCloseTo(f(3, 0.5, 0.5), 6);
  });

  it('with beta 1 equals F1Score, which keeps its own name and config', () => {
    for (const average of ['macro', 'weighted', 'micro'] as const) {
      const a = new FBetaScore({ average, threshold: 0.25 });
      const b = new F1Score({ average, threshold: 0.25 });
      a.update(t, p, [1, 2, 1, 1]);
      b.update(t, p, [1, 2, 1, 1]);
      expect(a.result()).toBeCloseTo(b.result(), 12);
    }
    expect(new F1Score().getConfig()).toEqual({ name: 'f1_score', average: 'macro', threshold: null });
    expect(new FBetaScore({ beta: 2 }).getConfig()).toEqual({ name: 'fbeta_score', average: 'macro', beta: 2, threshold: null });
  });

  it('resolves by name and rejects a bad beta', () => {
    expect(getMetric('fbeta_score')).toBeInstanceOf(FBetaScore);
    expect(getMetric('fBetaScore').name).toBe('fbeta_score');
    expect(() => new FBetaScore({ beta: 0 })).toThrow(/^FBetaScore: beta must be a finite number > 0, got 0$/);
    expect(() => new F1Score({ average: 'none' as never })).toThrow(/^F1Score: average must be 'micro', 'macro' or 'weighted', got "none"$/);
  });
});
