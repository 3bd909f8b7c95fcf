import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import {
  BinaryCrossentropy,
  binaryCrossentropy,
  BinaryFocalCrossentropy,
  binaryFocalCrossentropy,
  CategoricalCrossentropy,
  categoricalCrossentropy,
  SparseCategoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from './crossentropy.js';
import { KLDivergence, kullbackLeiblerDivergence, Poisson, poisson } from './divergence.js';
import { categoricalHinge, CategoricalHinge, hinge, Hinge, squaredHinge, SquaredHinge } from './hinge.js';
import { LossFunctionWrapper } from './loss.js';
import { getLoss, listLosses } from './registry.js';
import {
  cosineSimilarity,
  CosineSimilarity,
  huber,
  Huber,
  logCosh,
  LogCosh,
  meanAbsoluteError,
  MeanAbsoluteError,
  meanAbsolutePercentageError,
  MeanAbsolutePercentageError,
  meanSquaredError,
  MeanSquaredError,
  meanSquaredLogarithmicError,
  MeanSquaredLogarithmicError,
} from './regression.js';
import { expectClose, meanOf, perRow } from './test-helpers.js';

const EPS = 1e-7;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const bce = (y: number, p: number): number => -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
const mean = (xs: number[]): number => meanOf(xs);

// The Keras documentation's running example.
const T = [[0, 1], [0, 0]];
const P = [[0.6, 0.4], [0.4, 0.6]];

describe('regression losses', () => {
  it('meanSquaredError and meanAbsoluteError per sample (Keras example: 0.5)', () => {
    const yPred = [[1, 1], [1, 0]];
    expectClose(meanSquaredError(T, yPred).dataSync(), [0.5, 0.5]);
    expectClose(new MeanSquaredError().apply(T, yPred).item(), 0.5);
    expectClose(meanAbsoluteError(T, P).dataSync(), perRow(T, P, (t, p) => mean(t.map((v, i) => Math.abs(v - p[i]!)))));
    expectClose(new MeanAbsoluteError().apply(T, yPred).item(), 0.5);
  });

  it('meanAbsolutePercentageError divides by max(|y|, ε)', () => {
    expectClose(meanAbsolutePercentageError([[2, 4]], [[1, 5]]).dataSync(), [100 * ((1 / 2 + 1 / 4) / 2)]);
    // A zero target divides by ε: large but finite, as in Keras.
    expectClose(new MeanAbsolutePercentageError().apply([[0]], [[1]]).item(), 100 / EPS, 1e-4);
  });

  it('meanSquaredLogarithmicError', () => {
    const t = [[0, 1]];
    const p = [[1, 3]];
    const ref = perRow(t, p, (tr, pr) => mean(tr.map((v, i) => (Math.log(Math.max(pr[i]!, EPS) + 1) - Math.log(Math.max(v, EPS) + 1)) ** 2)));
    expectClose(meanSquaredLogarithmicError(t, p).dataSync(), ref);
    expectClose(new MeanSquaredLogarithmicError().apply(t, p).item(), ref[0]!);
  });

  it('huber is quadratic inside delta and linear beyond (Keras example: 0.155)', () => {
    expectClose(new Huber().apply(T, P).item(), 0.155);
    expectClose(huber([[0, 0]], [[3, -0.5]]).dataSync(), [(2.5 + 0.125) / 2]);
    expectClose(huber([[0]], [[3]], { delta: 2 }).dataSync(), [2 * 3 - 0.5 * 4]);
    expect(new Huber({ delta: 2 }).getConfig()).toEqual({ name: 'huber_loss', reduction: 'sumOverBatchSize', delta: 2 });
    expect(() => new Huber({ delta: 0 })).toThrow('Huber: delta must be a finite number > 0, got 0');
  });

  it('logCosh matches log(cosh(x)) and does not overflow for large errors', () => {
    expectClose(new LogCosh().apply(T, [[1, 1], [0, 0]]).item(), Math.log(Math.cosh(1)) / 4);
    expectClose(logCosh([[0, 0]], [[100, -200]]).dataSync(), [(100 - Math.LN2 + 200 - Math.LN2) / 2]);
  });

  it('cosineSimilarity is minus the cosine (Keras example: −0.5), along any axis', () => {
    const t = [[0, 1], [1, 1]];
    const p = [[1, 0], [1, 1]];
    expectClose(cosineSimilarity(t, p).dataSync(), [0, -1]);
    expectClose(new CosineSimilarity().apply(t, p).item(), -0.5);
    expectClose(cosineSimilarity(t, p, { axis: 0 }).dataSync(), [-Math.SQRT1_2, -Math.SQRT1_2]);
    // An all-zero vector gives 0, not NaN.
    expectClose(cosineSimilarity([[0, 0]], [[1, 2]]).dataSync(), [0]);
  });
});

describe('binary cross-entropy', () => {
  it('from probabilities (Keras example: 0.815)', () => {
    const ref = perRow(T, P, (t, p) => mean(t.map((y, i) => bce(y, p[i]!))));
    expectClose(binaryCrossentropy(T, P).dataSync(), ref);
    expectClose(new BinaryCrossentropy().apply(T, P).item(), mean(ref));
  });

  it('from logits equals the sigmoid form, stably for large logits', () => {
    const logits = [[-18.6, 0.51], [2.94, -12.8]];
    const ref = perRow(T, logits, (t, x) => mean(t.map((y, i) => bce(y, sigmoid(x[i]!)))));
    expectClose(binaryCrossentropy(T, logits, { fromLogits: true }).dataSync(), ref);
    // |logit| = 100: all-correct is ~0, all-wrong is 100; neither overflows.
    expectClose(binaryCrossentropy([[1, 0]], [[100, -100]], { fromLogits: true }).dataSync(), [0]);
    expectClose(binaryCrossentropy([[1, 0]], [[-100, 100]], { fromLogits: true }).dataSync(), [100]);
  });

  it('label smoothing pulls targets toward 0.5', () => {
    const s = 0.2;
    const ref = perRow(T, P, (t, p) => mean(t.map((y, i) => bce(y * (1 - s) + 0.5 * s, p[i]!))));
    expectClose(new BinaryCrossentropy({ labelSmoothing: s }).call(T, P).dataSync(), ref);
  });

  it('p = 0 or 1 gives finite values: ~0 when right, −log ε when wrong', () => {
    const v = binaryCrossentropy([[1, 0, 1, 0]], [[1, 0, 0, 1]]).dataSync();
    // Clipping at 1 − ε happens in float32, where 1 − 1e-7 rounds to 1 − 2⁻²³.
    const oneMinusEps = Math.fround(1 - EPS);
    expectClose(v, [(-Math.log(oneMinusEps) * 2 - Math.log(EPS) - Math.log(1 - oneMinusEps)) / 4], 1e-4);
    expectClose(binaryCrossentropy([[1, 0]], [[1, 0]]).dataSync(), [0], 1e-5);
  });

  it('labels [n] pair with predictions [n, 1]', () => {
    expectClose(binaryCrossentropy([1, 0, 1], [[0.9], [0.2], [0.6]]).dataSync(), [bce(1, 0.9), bce(0, 0.2), bce(1, 0.6)]);
    expect(() => binaryCrossentropy([[1, 0]], [[0.5, 0.5, 0.5]])).toThrow(
      'binaryCrossentropy: yTrue and yPred must have the same shape, got yTrue [1,2] and yPred [1,3]',
    );
  });
});

describe('categorical cross-entropy', () => {
  const t = [[0, 1, 0], [0, 0, 1]];
  const p = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];

  it('from probabilities (Keras example: 1.177); zero probabilities are clipped', () => {
    expectClose(categoricalCrossentropy(t, p).dataSync(), [-Math.log(0.95), -Math.log(0.1)]);
    expectClose(new CategoricalCrossentropy().apply(t, p).item(), (-Math.log(0.95) - Math.log(0.1)) / 2);
  });

  it('renormalizes predictions that do not sum to 1', () => {
    expectClose(categoricalCrossentropy([[0, 1]], [[1, 3]]).dataSync(), [-Math.log(0.75)]);
  });

  it('from logits uses log-softmax, stable for huge logits', () => {
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectClose(categoricalCrossentropy([[0, 0, 1]], [[1, 2, 3]], { fromLogits: true }).dataSync(), [lse - 3]);
    expectClose(categoricalCrossentropy([[0, 1, 0]], [[1000, 0, -1000]], { fromLogits: true }).dataSync(), [1000], 1e-4);
    expectClose(categoricalCrossentropy([[1, 0, 0]], [[1000, 0, -1000]], { fromLogits: true }).dataSync(), [0]);
  });

  it('label smoothing: y(1 − s) + s / C', () => {
    const s = 0.1;
    const smooth = t.map((r) => r.map((y) => y * (1 - s) + s / 3));
    const ref = perRow(smooth, p, (tr, pr) => -tr.reduce((acc, y, i) => acc + y * Math.log(Math.min(Math.max(pr[i]!, EPS), 1 - EPS)), 0));
    expectClose(new CategoricalCrossentropy({ labelSmoothing: s }).call(t, p).dataSync(), ref, 1e-4);
  });

  it('p = 0 or 1: right answer ~0, wrong answer −log ε, never Infinity', () => {
    expectClose(categoricalCrossentropy([[0, 1, 0]], [[0, 1, 0]]).dataSync(), [0], 1e-5);
    expectClose(categoricalCrossentropy([[0, 1, 0]], [[1, 0, 0]]).dataSync(), [-Math.log(EPS)], 1e-4);
  });

  it('integer labels are rejected with a pointer to the sparse loss', () => {
    expect(() => categoricalCrossentropy([1, 2], p)).toThrow(
      'categoricalCrossentropy: yTrue must be one-hot with the shape of yPred [2,3], got [2] (these look like integer class indices: use sparseCategoricalCrossentropy, or one-hot encode them with oneHot(labels, 3))',
    );
  });
});

describe('sparse categorical cross-entropy', () => {
  const p = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
  const expected = [-Math.log(0.95), -Math.log(0.1)];

  it('takes int labels of shape [batch] or [batch, 1], and float labels holding integers', () => {
    expectClose(sparseCategoricalCrossentropy(tensor([1, 2], [2], 'int32'), p).dataSync(), expected);
    expectClose(sparseCategoricalCrossentropy(tensor([[1], [2]], [2, 1], 'int32'), p).dataSync(), expected);
    expectClose(sparseCategoricalCrossentropy([1, 2], p).dataSync(), expected);
    expectClose(new SparseCategoricalCrossentropy().apply([1, 2], p).item(), meanOf(expected));
  });

  it('from logits', () => {
    const logits = [[2, -1, 0.5], [0, 0, 0]];
    const lse = (r: number[]): number => Math.log(r.reduce((a, x) => a + Math.exp(x), 0));
    const ref = [lse(logits[0]!) - 2, lse(logits[1]!) - 0];
    expectClose(new SparseCategoricalCrossentropy({ fromLogits: true }).call([0, 2], logits).dataSync(), ref);
  });

  it('names the problem: one-hot labels, wrong shape, non-integer or out-of-range labels', () => {
    expect(() => sparseCategoricalCrossentropy([[0, 1, 0], [0, 0, 1]], p)).toThrow(
      'sparseCategoricalCrossentropy: yTrue must hold integer class indices of shape [2] or [2,1] for yPred of shape [2,3], got [2,3] (these look like one-hot labels: use categoricalCrossentropy, or pass argMax(labels, -1))',
    );
    expect(() => sparseCategoricalCrossentropy([1, 2, 0], p)).toThrow(/of shape \[2\] or \[2,1\] for yPred of shape \[2,3\], got \[3\]$/);
    expect(() => sparseCategoricalCrossentropy([1.5, 2], p)).toThrow(
      'sparseCategoricalCrossentropy: labels must be integers in [0, 2] for 3 classes, got 1.5 for sample 0',
    );
    expect(() => sparseCategoricalCrossentropy([1, 3], p)).toThrow('labels must be integers in [0, 2] for 3 classes, got 3 for sample 1');
    // Sequence labels [batch, steps] name the sample and the position in it.
    expect(() => sparseCategoricalCrossentropy([[0, 1], [2, 4]], tensor([[[1, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 0, 0]]]))).toThrow(
      'labels must be integers in [0, 2] for 3 classes, got 4 for sample 1, position 1',
    );
  });
});

describe('binary focal cross-entropy', () => {
  const y = [0, 1, 0, 0];
  const logits = [-18.6, 0.51, 2.94, -12.8];
  function reference(gamma: number, alpha: number | null, smoothing = 0): number[] {
    return y.map((y0, i) => {
      const t = y0 * (1 - smoothing) + 0.5 * smoothing;
      const p = sigmoid(logits[i]!);
      const pT = t * p + (1 - t) * (1 - p);
      let l = (1 - pT) ** gamma * bce(t, p);
      if (alpha !== null) l *= t * alpha + (1 - t) * (1 - alpha);
      return l;
    });
  }

  it('from logits, gamma 2 (Keras example: 0.691)', () => {
    expectClose(binaryFocalCrossentropy(y, logits, { fromLogits: true }).dataSync(), reference(2, null), 1e-4);
    expectClose(new BinaryFocalCrossentropy({ fromLogits: true }).apply(y, logits).item(), meanOf(reference(2, null)), 1e-4);
  });

  it('with class balancing, another gamma and label smoothing', () => {
    const loss = new BinaryFocalCrossentropy({ gamma: 3, alpha: 0.3, applyClassBalancing: true, fromLogits: true, labelSmoothing: 0.1 });
    expectClose(loss.call(y, logits).dataSync(), reference(3, 0.3, 0.1), 1e-4);
  });

  it('from probabilities; gamma 0 is plain binary cross-entropy', () => {
    const probs = [0.1, 0.7, 0.6, 0.2];
    expectClose(binaryFocalCrossentropy(y, probs, { gamma: 0 }).dataSync(), y.map((t, i) => bce(t, probs[i]!)), 1e-5);
    // A perfectly confident right answer has focal factor 0.
    expectClose(binaryFocalCrossentropy([[1, 0]], [[1, 0]]).dataSync(), [0]);
  });

  it('config and validation', () => {
    expect(new BinaryFocalCrossentropy().getConfig()).toEqual({
      name: 'binary_focal_crossentropy',
      reduction: 'sumOverBatchSize',
      gamma: 2,
      alpha: 0.25,
      applyClassBalancing: false,
      fromLogits: false,
      labelSmoothing: 0,
    });
    expect(() => new BinaryFocalCrossentropy({ alpha: 2 })).toThrow('BinaryFocalCrossentropy: alpha must be a number in [0, 1], got 2');
  });
});

describe('divergences and hinges', () => {
  it('kullbackLeiblerDivergence clips both sides to [ε, 1] (Keras example: 0.458)', () => {
    const clip = (v: number): number => Math.min(Math.max(v, EPS), 1);
    const ref = perRow(T, P, (t, p) => t.reduce((a, v, i) => a + clip(v) * Math.log(clip(v) / clip(p[i]!)), 0));
    expectClose(kullbackLeiblerDivergence(T, P).dataSync(), ref);
    expectClose(new KLDivergence().apply(T, P).item(), meanOf(ref));
  });

  it('poisson (Keras example: 0.5)', () => {
    expectClose(poisson(T, [[1, 1], [0, 0]]).dataSync(), [1, 0]);
    expectClose(new Poisson().apply(T, [[1, 1], [0, 0]]).item(), 0.5);
  });

  it('hinge converts 0/1 labels to ±1 (Keras examples: 1.3, 1.86, 1.4)', () => {
    expectClose(hinge(T, P).dataSync(), [1.1, 1.5]);
    expectClose(new Hinge().apply(T, P).item(), 1.3);
    expectClose(hinge([[-1, 1]], [[0.6, 0.4]]).dataSync(), [1.1]);
    expectClose(squaredHinge(T, P).dataSync(), [1.46, 2.26]);
    expectClose(new SquaredHinge().apply(T, P).item(), 1.86);
    expectClose(categoricalHinge(T, P).dataSync(), [1.2, 1.6]);
    expectClose(new CategoricalHinge().apply(T, P).item(), 1.4);
  });
});

describe('reduction and sample weights', () => {
  const yPred = [[1, 1], [1, 0]];

  it('sumOverBatchSize (default), sum and none', () => {
    expectClose(new MeanSquaredError({ reduction: 'sum' }).apply(T, yPred).item(), 1);
    expectClose(new MeanSquaredError({ reduction: 'none' }).apply(T, yPred).dataSync(), [0.5, 0.5]);
    expectClose(new MeanSquaredError({ reduction: 'sum_over_batch_size' }).apply(T, yPred).item(), 0.5);
    expect(() => new MeanSquaredError({ reduction: 'mean' as never })).toThrow(
      `mean_squared_error: reduction must be 'sumOverBatchSize', 'sum' or 'none', got "mean"`,
    );
  });

  it('weights each sample; the mean still divides by the number of samples (Keras example: 0.25)', () => {
    const mse = new MeanSquaredError();
    expectClose(mse.apply(T, yPred, [0.7, 0.3]).item(), 0.25);
    expectClose(mse.apply(T, yPred, [[0.7], [0.3]]).item(), 0.25);
    expectClose(mse.apply(T, yPred, 2).item(), 1);
    expectClose(new MeanSquaredError({ reduction: 'sum' }).apply(T, [[1, 1], [0, 0]], [1, 3]).item(), 0.5);
    expectClose(new MeanSquaredError({ reduction: 'none' }).apply(T, yPred, [2, 0]).dataSync(), [1, 0]);
  });

  it('per-timestep losses take [batch] weights', () => {
    const t = [[[0, 0], [1, 1]], [[0, 0], [0, 0]]];
    const p = [[[1, 1], [1, 1]], [[2, 2], [0, 0]]];
    // per-sample-per-step MSE: [[1, 0], [4, 0]]; weights [1, 0.5] → (1 + 0 + 2 + 0) / 4.
    expectClose(new MeanSquaredError().apply(t, p, [1, 0.5]).item(), 0.75);
  });

  it('rejects sample weights of the wrong shape', () => {
    expect(() => new MeanSquaredError().apply(T, yPred, [1, 2, 3])).toThrow(
      'mean_squared_error: sampleWeight of shape [3] does not match the per-sample values of shape [2] (expected [2], [2,1] or a scalar)',
    );
  });
});

describe('getLoss', () => {
  it('accepts camelCase, snake_case and Keras aliases', () => {
    const cases: [string, string][] = [
      ['meanSquaredError', 'mean_squared_error'],
      ['mean_squared_error', 'mean_squared_error'],
      ['mse', 'mean_squared_error'],
      ['MAE', 'mean_absolute_error'],
      ['mape', 'mean_absolute_percentage_error'],
      ['msle', 'mean_squared_logarithmic_error'],
      ['bce', 'binary_crossentropy'],
      ['kld', 'kullback_leibler_divergence'],
      ['kl_divergence', 'kullback_leibler_divergence'],
      ['categorical_crossentropy', 'categorical_crossentropy'],
      ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'],
      ['binary_focal_crossentropy', 'binary_focal_crossentropy'],
      ['huber', 'huber_loss'],
      ['log_cosh', 'logcosh'],
      ['logcosh', 'logcosh'],
      ['poisson', 'poisson'],
      ['hinge', 'hinge'],
      ['squared_hinge', 'squared_hinge'],
      ['categoricalHinge', 'categorical_hinge'],
      ['cosine_similarity', 'cosine_similarity'],
    ];
    for (const [given, name] of cases) expect(getLoss(given).name, given).toBe(name);
    for (const name of listLosses()) expect(getLoss(name).reduction).toBe('sumOverBatchSize');
  });

  it('passes Loss instances through and wraps functions', () => {
    const l = new BinaryCrossentropy({ fromLogits: true });
    expect(getLoss(l)).toBe(l);
    const myLoss = getLoss(function myLoss(t, p) {
      return p.sub(t).abs().sum(-1);
    });
    expect(myLoss).toBeInstanceOf(LossFunctionWrapper);
    expect(myLoss.name).toBe('myLoss');
    expectClose(myLoss.apply([[1, 2]], [[2, 4]], [0.5]).item(), 1.5);
  });

  it('names unknown losses with the closest match and every valid name', () => {
    expect(() => getLoss('categoricalCrossEntropyy')).toThrow(
      /Unknown loss 'categoricalCrossEntropyy'\. Did you mean 'categoricalCrossentropy'\? Valid names: meanSquaredError, mse, /,
    );
    expect(() => getLoss(3 as never)).toThrow('getLoss: expected a loss name, a Loss or a function (yTrue, yPred) => Tensor, got number');
  });

  it('every loss class is found by its class name and rebuilt from its config', () => {
    const losses = [
      new MeanSquaredError({ reduction: 'sum' }),
      new MeanAbsoluteError(),
      new MeanAbsolutePercentageError(),
      new MeanSquaredLogarithmicError(),
      new Huber({ delta: 0.5 }),
      new LogCosh(),
      new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }),
      new CategoricalCrossentropy({ labelSmoothing: 0.1 }),
      new SparseCategoricalCrossentropy({ fromLogits: true }),
      new BinaryFocalCrossentropy({ gamma: 1, alpha: 0.4, applyClassBalancing: true }),
      new KLDivergence(),
      new Poisson(),
      new Hinge(),
      new SquaredHinge(),
      new CategoricalHinge(),
      new CosineSimilarity({ axis: 0, reduction: 'none' }),
    ];
    for (const loss of losses) {
      const Ctor = getLoss(loss.constructor.name).constructor as new (config: Record<string, unknown>) => typeof loss;
      expect(Ctor, loss.constructor.name).toBe(loss.constructor);
      expect(new Ctor(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    }
  });

  it('class configs carry their options', () => {
    expect(new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, name: 'cce' }).getConfig()).toEqual({
      name: 'cce',
      reduction: 'sumOverBatchSize',
      fromLogits: true,
      labelSmoothing: 0.1,
    });
    expect(() => new BinaryCrossentropy({ labelSmoothing: 2 })).toThrow('BinaryCrossentropy: labelSmoothing must be a number in [0, 1], got 2');
  });
});

describe('gradients', () => {
  it('flow to yPred through every loss', () => {
    const y2 = tensor([[0, 1, 0], [1, 0, 0]]);
    const logits = tensor([[0.3, -1.2, 0.8], [1.1, 0.4, -0.6]]);
    const probs = tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]);
    const reg = tensor([[0.5, -1.5, 2.5], [1.3, 0.2, -0.7]]);
    const checks: [string, (p: ReturnType<typeof tensor>) => ReturnType<typeof tensor>, ReturnType<typeof tensor>][] = [
      ['mse', (p) => meanSquaredError(y2, p), reg],
      ['huber', (p) => huber(y2, p), reg],
      ['logCosh', (p) => logCosh(y2, p), reg],
      ['bce logits', (p) => binaryCrossentropy(y2, p, { fromLogits: true, labelSmoothing: 0.1 }), logits],
      ['bce probs', (p) => binaryCrossentropy(y2, p), probs],
      ['cce logits', (p) => categoricalCrossentropy(y2, p, { fromLogits: true }), logits],
      ['cce probs', (p) => categoricalCrossentropy(y2, p), probs],
      ['sparse logits', (p) => sparseCategoricalCrossentropy([1, 0], p, { fromLogits: true }), logits],
      ['focal', (p) => binaryFocalCrossentropy(y2, p, { fromLogits: true, applyClassBalancing: true }), logits],
      ['kld', (p) => kullbackLeiblerDivergence(probs, p), probs.add(0.05)],
      ['poisson', (p) => poisson(y2, p), probs],
      ['cosine', (p) => cosineSimilarity(y2, p), reg],
      ['squaredHinge', (p) => squaredHinge(y2, p), reg],
    ];
    for (const [name, f, at] of checks) expect(gradCheck(f, [at]).ok, name).toBe(true);
  });
});
