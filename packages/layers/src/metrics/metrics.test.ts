import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { BinaryCrossentropy, SparseCategoricalCrossentropy } from '../losses/crossentropy.js';
import { MeanSquaredError } from '../losses/regression.js';
import { expectClose, meanOf } from '../losses/test-helpers.js';
import {
  AutoAccuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  resolveAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy.js';
import { AUC } from './auc.js';
import { Precision, Recall } from './confusion.js';
import { F1Score } from './f1.js';
import { Mean, MeanMetricWrapper } from './metric.js';
import { getMetric, listMetrics } from './registry.js';
import {
  BinaryCrossentropyMetric,
  CategoricalCrossentropyMetric,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  RootMeanSquaredError,
  SparseCategoricalCrossentropyMetric,
} from './wrappers.js';

describe('Mean and MeanMetricWrapper', () => {
  it('Mean is the weighted average of everything since reset', () => {
    const m = new Mean();
    expect(m.result()).toBe(0);
    m.update([1, 2, 3], [1, 0, 1]);
    expect(m.result()).toBe(2);
    m.update([10]);
    expect(m.result()).toBeCloseTo((1 + 3 + 10) / 3, 12);
    m.reset();
    expect(m.result()).toBe(0);
    expect(m.name).toBe('mean');
  });

  it('epoch values weight by samples, not batches', () => {
    const m = new MeanSquaredErrorMetric();
    m.update([[0], [0], [0]], [[1], [1], [1]]); // three samples with error 1
    m.update([[0]], [[3]]); // one sample with error 9
    expect(m.result()).toBeCloseTo((3 * 1 + 9) / 4, 6); // not (1 + 9) / 2
  });

  it('wraps any per-sample function', () => {
    const m = new MeanMetricWrapper(function maxError(t, p) {
      return p.sub(t).abs().max(-1);
    });
    expect(m.name).toBe('maxError');
    m.update([[0, 0], [0, 0]], [[1, -3], [2, 0]], [1, 3]);
    expect(m.result()).toBeCloseTo((3 * 1 + 2 * 3) / 4, 6);
  });
});

describe('accuracy metrics', () => {
  it('BinaryAccuracy (Keras example: 0.75; weighted 0.5)', () => {
    const t = [[1], [1], [0], [0]];
    const p = [[0.98], [1], [0], [0.6]];
    const m = new BinaryAccuracy();
    m.update(t, p);
    expect(m.result()).toBeCloseTo(0.75, 6);
    m.reset();
    m.update(t, p, [1, 0, 0, 1]);
    expect(m.result()).toBeCloseTo(0.5, 6);
    const strict = new BinaryAccuracy({ threshold: 0.7 });
    strict.update(t, p);
    expect(strict.result()).toBe(1);
    expect(strict.getConfig()).toEqual({ name: 'binary_accuracy', threshold: 0.7 });
  });

  it('BinaryAccuracy averages the entries of multi-label rows', () => {
    const m = new BinaryAccuracy();
    m.update([[1, 0, 1], [0, 0, 0]], [[0.9, 0.8, 0.7], [0.1, 0.2, 0.3]]);
    expect(m.result()).toBeCloseTo((2 / 3 + 1) / 2, 6);
  });

  it('CategoricalAccuracy and SparseCategoricalAccuracy (Keras example: 0.5; weighted 0.3)', () => {
    const p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]];
    const cat = new CategoricalAccuracy();
    cat.update([[0, 0, 1], [0, 1, 0]], p);
    expect(cat.result()).toBeCloseTo(0.5, 6);
    cat.reset();
    cat.update([[0, 0, 1], [0, 1, 0]], p, [0.7, 0.3]);
    expect(cat.result()).toBeCloseTo(0.3, 6);

    const sparse = new SparseCategoricalAccuracy();
    sparse.update([[2], [1]], p);
    expect(sparse.result()).toBeCloseTo(0.5, 6);
    sparse.update(tensor([2, 1], [2], 'int32'), p, [0.7, 0.3]);
    expect(sparse.result()).toBeCloseTo((1 + 0.3) / 3, 6);
  });

  it('all correct and all wrong', () => {
    const cat = new CategoricalAccuracy();
    cat.update([[1, 0], [0, 1]], [[0.9, 0.1], [0.2, 0.8]]);
    expect(cat.result()).toBe(1);
    const wrong = new SparseCategoricalAccuracy();
    wrong.update([0, 1], [[0.1, 0.9], [0.8, 0.2]]);
    expect(wrong.result()).toBe(0);
  });

  it('TopKCategoricalAccuracy (Keras example: k=1 → 0.5, k=2 → 1); ties at the cut count as in', () => {
    const t = [[0, 0, 1], [0, 1, 0]];
    const p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]];
    const k1 = new TopKCategoricalAccuracy({ k: 1 });
    k1.update(t, p);
    expect(k1.result()).toBeCloseTo(0.5, 6);
    const k2 = new TopKCategoricalAccuracy({ k: 2 });
    k2.update(t, p);
    expect(k2.result()).toBe(1);
    const tie = new TopKCategoricalAccuracy({ k: 1 });
    tie.update([[0, 1, 0]], [[0.5, 0.5, 0.1]]);
    expect(tie.result()).toBe(1);
    expect(new TopKCategoricalAccuracy().k).toBe(5);
  });

  it('shape errors point to the right metric', () => {
    expect(() => new CategoricalAccuracy().update([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])).toThrow(
      'categoricalAccuracy: yTrue must be one-hot with the shape of yPred [2,3], got [2] (for integer class labels use sparseCategoricalAccuracy)',
    );
    expect(() => new SparseCategoricalAccuracy().update([[0, 1], [1, 0]], [[0.1, 0.9], [0.8, 0.2]])).toThrow(
      'sparseCategoricalAccuracy: yTrue must hold class indices of shape [2] or [2,1] for yPred of shape [2,2], got [2,2] (these look like one-hot labels: use categoricalAccuracy)',
    );
  });
});

describe("'accuracy' resolution", () => {
  it('follows the loss when it says binary or sparse, else the shapes', () => {
    expect(resolveAccuracy([8, 3], [8, 3], new BinaryCrossentropy())).toBe('binary');
    expect(resolveAccuracy([8], [8, 10], new SparseCategoricalCrossentropy())).toBe('sparse');
    expect(resolveAccuracy([8, 1], [8, 1])).toBe('binary');
    expect(resolveAccuracy([8], [8])).toBe('binary');
    expect(resolveAccuracy([8], [8, 10])).toBe('sparse');
    expect(resolveAccuracy([8, 1], [8, 10])).toBe('sparse');
    expect(resolveAccuracy([8, 10], [8, 10], new MeanSquaredError())).toBe('categorical');
  });

  it('AutoAccuracy resolves on its first update and keeps its name', () => {
    const multiLabel = new AutoAccuracy({ loss: new BinaryCrossentropy() });
    expect(multiLabel.kind).toBeNull();
    multiLabel.update([[1, 0], [0, 0]], [[0.7, 0.6], [0.2, 0.1]]);
    expect(multiLabel.kind).toBe('binary');
    expect(multiLabel.result()).toBeCloseTo(0.75, 6);

    const sparse = getMetric('acc');
    expect(sparse.name).toBe('acc');
    sparse.update([2, 0, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1], [0.6, 0.3, 0.1]]);
    expect((sparse as AutoAccuracy).kind).toBe('sparse');
    expect(sparse.result()).toBeCloseTo(2 / 3, 6);

    const cat = getMetric('accuracy');
    expect(cat.name).toBe('accuracy');
    cat.update([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]]);
    expect((cat as AutoAccuracy).kind).toBe('categorical');
    expect(cat.result()).toBeCloseTo(0.5, 6);
    cat.reset();
    expect(cat.result()).toBe(0);
  });
});

describe('precision and recall', () => {
  it('Keras examples: 2/3, and 1 with sample weights [0, 0, 1, 0]', () => {
    const t = [0, 1, 1, 1];
    const p = [1, 0, 1, 1];
    const prec = new Precision();
    prec.update(t, p);
    expect(prec.result()).toBeCloseTo(2 / 3, 6);
    const rec = new Recall();
    rec.update(t, p);
    expect(rec.result()).toBeCloseTo(2 / 3, 6);
    prec.reset();
    prec.update(t, p, [0, 0, 1, 0]);
    expect(prec.result()).toBe(1);
    rec.reset();
    rec.update(t, p, [0, 0, 1, 0]);
    expect(rec.result()).toBe(1);
  });

  it('count every entry of multi-label outputs, or one class with classId', () => {
    const t = [[1, 0], [1, 1], [0, 1]];
    const p = [[0.9, 0.8], [0.2, 0.7], [0.6, 0.4]];
    // All entries: predicted positive 0.9 (tp), 0.8 (fp), 0.7 (tp), 0.6 (fp) → precision 0.5; positives 4, found 2 → recall 0.5.
    const all = new Precision();
    all.update(t, p);
    expect(all.result()).toBeCloseTo(0.5, 6);
    const c1 = new Recall({ classId: 1 });
    c1.update(t, p); // column 1: labels [0,1,1], preds [0.8,0.7,0.4] → tp 1, fn 1
    expect(c1.result()).toBeCloseTo(0.5, 6);
    const c0 = new Precision({ classId: 0, thresholds: 0.1 });
    c0.update(t, p); // column 0 at 0.1: all predicted positive, labels [1,1,0] → 2/3
    expect(c0.result()).toBeCloseTo(2 / 3, 6);
    expect(() => new Precision({ classId: 2 }).update(t, p)).toThrow('precision: classId 2 is out of range for predictions with 2 classes');
  });

  it('are 0, not NaN, with nothing predicted or nothing to find', () => {
    const prec = new Precision();
    prec.update([1, 1], [0.1, 0.2]);
    expect(prec.result()).toBe(0);
    const rec = new Recall();
    rec.update([0, 0], [0.9, 0.2]);
    expect(rec.result()).toBe(0);
  });
});

describe('AUC', () => {
  it('Keras example with 3 thresholds: 0.75 (ROC, trapezoids); minoring 0.5, majoring 1', () => {
    const t = [0, 0, 1, 1];
    const p = [0, 0.5, 0.3, 0.9];
    for (const [summationMethod, expected] of [['interpolation', 0.75], ['minoring', 0.5], ['majoring', 1]] as const) {
      const m = new AUC({ numThresholds: 3, summationMethod });
      m.update(t, p);
      expect(m.result(), summationMethod).toBeCloseTo(expected, 6);
    }
  });

  it('with 200 thresholds and well-separated scores equals the exact rank AUC, accumulated over batches', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
    const scores = [0.91, 0.12, 0.64, 0.33, 0.48, 0.05, 0.77, 0.71, 0.27, 0.56];
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < labels.length; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i]! > scores[j]! ? 1 : 0;
        }
      }
    }
    const m = new AUC();
    m.update(labels.slice(0, 4), scores.slice(0, 4));
    m.update(labels.slice(4), scores.slice(4));
    expect(m.result()).toBeCloseTo(wins / pairs, 6);
    expect(m.name).toBe('auc');
  });

  it('perfect and inverted rankings give 1 and 0; sample weights count samples', () => {
    const good = new AUC();
    good.update([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]);
    expect(good.result()).toBeCloseTo(1, 6);
    const bad = new AUC();
    bad.update([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]);
    expect(bad.result()).toBeCloseTo(0, 6);
    // Weight 0 removes the misordered negative (score 0.95): the rest is perfectly ranked.
    const weighted = new AUC();
    weighted.update([0, 0, 1, 1], [0.95, 0.2, 0.8, 0.9], [0, 1, 1, 1]);
    expect(weighted.result()).toBeCloseTo(1, 6);
  });

  it('PR curve with Davis–Goadrich interpolation, computed by hand', () => {
    const perfect = new AUC({ curve: 'PR' });
    perfect.update([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]);
    expect(perfect.result()).toBeCloseTo(1, 6);
    // labels [1, 0, 1], scores [0.9, 0.6, 0.3]: passing 0.3 (tp 2→1, p 3→2) adds (1 − ln 1.5) / 2,
    // passing 0.6 only drops a false positive (adds 0), passing 0.9 (tp 1→0, p 1→0) adds 1/2.
    const m = new AUC({ curve: 'PR' });
    m.update([1, 0, 1], [0.9, 0.6, 0.3]);
    expect(m.result()).toBeCloseTo((1 - Math.log(1.5)) / 2 + 0.5, 6);
  });

  it('fromLogits applies a sigmoid; raw scores outside [0, 1] are rejected', () => {
    const logit = (q: number): number => Math.log(q / (1 - q));
    const m = new AUC({ numThresholds: 3, fromLogits: true });
    m.update([0, 0, 1, 1], [logit(0.1), logit(0.5), logit(0.3), logit(0.9)]);
    expect(m.result()).toBeCloseTo(0.75, 6);
    expect(() => new AUC().update([0, 1], [0.5, 1.3])).toThrow(
      'auc: predictions must be probabilities in [0, 1] (pass fromLogits: true for logits), got 1.2999999523162842 at flat index 1',
    );
    expect(() => new AUC({ numThresholds: 1 })).toThrow('AUC: numThresholds must be an integer > 1, got 1');
  });
});

describe('F1Score', () => {
  const t = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]];
  const p = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]];
  // Arg-max predictions 0, 1, 0, 2 → class F1s: 2/3 (tp1 fp1), 2/3 (tp1 fn1), 0; supports 1, 2, 1.

  it('macro, weighted and micro averages from per-class counts', () => {
    const cases: ['macro' | 'weighted' | 'micro', number][] = [
      ['macro', (2 / 3 + 2 / 3 + 0) / 3],
      ['weighted', ((2 / 3) * 1 + (2 / 3) * 2 + 0) / 4],
      ['micro', 0.5],
    ];
    for (const [average, expected] of cases) {
      const m = new F1Score({ average });
      m.update(t.slice(0, 2), p.slice(0, 2));
      m.update(t.slice(2), p.slice(2));
      expect(Math.abs(m.result() - expected), average).toBeLessThan(1e-6);
    }
  });

  it('with a threshold, and with sample weights', () => {
    const thr = new F1Score({ threshold: 0.5 });
    thr.update(t, p); // class F1s 1, 2/3, 0
    expect(Math.abs(thr.result() - (1 + 2 / 3) / 3)).toBeLessThan(1e-6);
    const w = new F1Score();
    w.update(t, p, [1, 1, 0, 0]); // only the two correct rows count: classes 0 and 1 perfect, class 2 absent
    expect(Math.abs(w.result() - 2 / 3)).toBeLessThan(1e-6);
    expect(w.name).toBe('f1_score');
  });

  it('rejects mismatched shapes', () => {
    expect(() => new F1Score().update([0, 1], p.slice(0, 2))).toThrow(
      'f1_score: expected yTrue and yPred of the same shape [batch, classes], got yTrue [2] and yPred [2,3]',
    );
  });
});

describe('regression and cross-entropy metrics', () => {
  it('MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError (Keras examples)', () => {
    const t = [[0, 1], [0, 0]];
    const p = [[1, 1], [0, 0]];
    const mse = new MeanSquaredErrorMetric();
    mse.update(t, p);
    expect(mse.result()).toBeCloseTo(0.25, 6);
    mse.reset();
    mse.update(t, p, [1, 0]);
    expect(mse.result()).toBeCloseTo(0.5, 6);
    const mae = new MeanAbsoluteErrorMetric();
    mae.update(t, p);
    expect(mae.result()).toBeCloseTo(0.25, 6);
    const rmse = new RootMeanSquaredError();
    rmse.update(t, p);
    expect(rmse.result()).toBeCloseTo(0.5, 6);
    rmse.reset();
    rmse.update(t, p, [1, 0]);
    expect(rmse.result()).toBeCloseTo(Math.SQRT1_2, 6);
    // The root is taken after averaging over batches.
    rmse.reset();
    rmse.update([[0]], [[1]]);
    rmse.update([[0]], [[3]]);
    expect(rmse.result()).toBeCloseTo(Math.sqrt(5), 6);
  });

  it('cross-entropy metrics match the losses (Keras examples 0.815, 1.177)', () => {
    const bce = new BinaryCrossentropyMetric();
    bce.update([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]);
    expectClose(bce.result(), meanOf([-(Math.log(0.4) + Math.log(0.4)) / 2, -(Math.log(0.6) + Math.log(0.4)) / 2]));
    const probs = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    const cce = new CategoricalCrossentropyMetric();
    cce.update([[0, 1, 0], [0, 0, 1]], probs);
    expectClose(cce.result(), (-Math.log(0.95) - Math.log(0.1)) / 2);
    const scce = new SparseCategoricalCrossentropyMetric();
    scce.update([1, 2], probs);
    expectClose(scce.result(), (-Math.log(0.95) - Math.log(0.1)) / 2);
    const logits = new SparseCategoricalCrossentropyMetric({ fromLogits: true });
    logits.update([0], [[0, 0]]);
    expectClose(logits.result(), Math.LN2);
    expect(new CategoricalCrossentropyMetric({ labelSmoothing: 0.1 }).getConfig()).toEqual({
      name: 'categorical_crossentropy',
      fromLogits: false,
      labelSmoothing: 0.1,
    });
  });
});

describe('getMetric', () => {
  it('names metrics as Keras does: snake_case, or the alias given', () => {
    const cases: [string, string][] = [
      ['accuracy', 'accuracy'],
      ['acc', 'acc'],
      ['binaryAccuracy', 'binary_accuracy'],
      ['categorical_accuracy', 'categorical_accuracy'],
      ['sparseCategoricalAccuracy', 'sparse_categorical_accuracy'],
      ['topKCategoricalAccuracy', 'top_k_categorical_accuracy'],
      ['precision', 'precision'],
      ['Recall', 'recall'],
      ['AUC', 'auc'],
      ['f1Score', 'f1_score'],
      ['meanSquaredError', 'mean_squared_error'],
      ['mse', 'mse'],
      ['MAE', 'mae'],
      ['rootMeanSquaredError', 'root_mean_squared_error'],
      ['binary_crossentropy', 'binary_crossentropy'],
      ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'],
      ['kld', 'kld'],
      ['mean', 'mean'],
    ];
    for (const [given, name] of cases) expect(getMetric(given).name, given).toBe(name);
    for (const name of listMetrics()) expect(getMetric(name).result(), name).toBe(0);
  });

  it('returns fresh state per call, passes instances through, wraps functions', () => {
    const a = getMetric('mae');
    a.update([[0]], [[2]]);
    expect(getMetric('mae').result()).toBe(0);
    expect(getMetric(a)).toBe(a);
    const fn = getMetric(function absDiff(t, p) {
      return p.sub(t).abs().mean(-1);
    });
    expect(fn.name).toBe('absDiff');
  });

  it("'accuracy' resolves from the loss given in the context", () => {
    const m = getMetric('accuracy', { loss: new BinaryCrossentropy() }) as AutoAccuracy;
    m.update([[1, 0, 1]], [[0.9, 0.2, 0.4]]);
    expect(m.kind).toBe('binary');
    expect(m.result()).toBeCloseTo(2 / 3, 6);
  });

  it('metrics built from loss functions: mape, hinge, cosine similarity (positive as a metric)', () => {
    const mape = getMetric('mape');
    mape.update([[2, 4]], [[1, 5]]);
    expect(mape.result()).toBeCloseTo(37.5, 4);
    const cos = getMetric('cosineSimilarity');
    cos.update([[0, 1], [1, 1]], [[1, 0], [1, 1]]);
    expect(cos.result()).toBeCloseTo(0.5, 6);
    const h = getMetric('hinge');
    h.update([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]);
    expect(h.result()).toBeCloseTo(1.3, 6);
  });

  it('names unknown metrics with the closest match', () => {
    expect(() => getMetric('acuracy')).toThrow(/Unknown metric 'acuracy'\. Did you mean 'accuracy'\? Valid names: accuracy, acc, /);
    expect(() => getMetric(undefined as never)).toThrow('getMetric: expected a metric name, a Metric or a function (yTrue, yPred) => Tensor, got undefined');
  });
});
