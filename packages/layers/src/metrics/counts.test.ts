import { describe, expect, it } from 'vitest';
import { FalseNegatives, FalsePositives, TrueNegatives, TruePositives } from './counts.js';
import { getMetric } from './registry.js';

describe('TruePositives / FalsePositives / TrueNegatives / FalseNegatives', () => {
  const yTrue = [0, 1, 1, 0, 1];
  const yPred = [0.2, 0.7, 0.4, 0.6, 0.9];
  // Above 0.5: F T F T T → tp {1, 4}, fp {3}, tn {0}, fn {2}.

  it('count the cells of the confusion matrix (hand calculation), weighted and streamed', () => {
    const make = () => [new TruePositives(), new FalsePositives(), new TrueNegatives(), new FalseNegatives()];
    const plain = make();
    for (const m of plain) m.update(yTrue, yPred);
    expect(plain.map((m) => m.result())).toEqual([2, 1, 1, 1]);
    const weighted = make();
    for (const m of weighted) {
      m.update(yTrue.slice(0, 2), yPred.slice(0, 2), [1, 2]);
      m.update(yTrue.slice(2), yPred.slice(2), [3, 4, 5]);
    }
    expect(weighted.map((m) => m.result())).toEqual([7, 4, 1, 3]);
    expect(plain.map((m) => m.name)).toEqual(['true_positives', 'false_positives', 'true_negatives', 'false_negatives']);
  });

  it('count every entry of multi-label outputs, with per-sample weights and another threshold', () => {
    const tp = new TruePositives({ thresholds: 0.3 });
    const fn = new FalseNegatives({ thresholds: [0.3] });
    for (const m of [tp, fn]) m.update([[1, 1], [0, 1]], [[0.4, 0.2], [0.9, 0.35]], [2, 1]);
    // Above 0.3: [T F] [T T] → tp: (0,0) w2 + (1,1) w1 = 3; fn: (0,1) w2.
    expect(tp.result()).toBe(3);
    expect(fn.result()).toBe(2);
    expect(fn.getConfig()).toEqual({ name: 'false_negatives', thresholds: 0.3 });
    tp.reset();
    expect(tp.result()).toBe(0);
  });

  it('resolve by name and reject several thresholds', () => {
    expect(getMetric('true_positives')).toBeInstanceOf(TruePositives);
    expect(getMetric('falseNegatives').name).toBe('false_negatives');
    expect(() => new TrueNegatives({ thresholds: [0.2, 0.8] })).toThrow(
      /^TrueNegatives: thresholds must be a number \(or a list of one\), got \[0.2,0.8\] \(metric results are single numbers: use one metric per threshold\)$/,
    );
  });
});
