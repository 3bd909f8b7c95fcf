import { grad, gradCheck } from '@descent/autograd';
import { add, sigmoid, softmax, tensor, withScope } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { getActivation } from '../activations/index.js';
import { logitsOf } from '../activations/logits.js';
import { Activation } from '../layers/activation.js';
import { Softmax } from '../layers/activation-layers.js';
import { BinaryCrossentropy, binaryCrossentropy, binaryFocalCrossentropy, CategoricalCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, SparseCategoricalCrossentropy } from './crossentropy.js';
import { EPSILON } from './shapes.js';
import { expectClose } from './test-helpers.js';

const softmaxAct = getActivation('softmax');
const sigmoidAct = getActivation('sigmoid');

// Float64 references from the definitions.
function logSoftmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
}
function cceRow(t: readonly number[], z: readonly number[]): number {
  const ls = logSoftmaxRow(z);
  return -t.reduce((s, v, i) => s + v * ls[i]!, 0);
}
/** d/dz of Σ_rows w_r·cce(t_r, z_r) / n: w_r·(softmax(z_r)·Σt_r − t_r) / n. */
function cceGradRows(t: number[][], z: number[][], w: number[], n: number): number[] {
  return z.flatMap((row, r) => {
    const ls = logSoftmaxRow(row);
    const tSum = t[r]!.reduce((a, b) => a + b, 0);
    return row.map((_, i) => (w[r]! * (Math.exp(ls[i]!) * tSum - t[r]![i]!)) / n);
  });
}
const logSigmoid = (x: number): number => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
/** −[y·log σ(z) + (1 − y)·log(1 − σ(z))] with log(1 − σ(z)) = log σ(−z). */
const bceLogit = (y: number, z: number): number => -(y * logSigmoid(z) + (1 - y) * logSigmoid(-z));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

const Z = [[0.5, -1.25, 2], [3, 0.1, -0.7], [-2, -2.5, 1.5]];
const Y = [[0, 0, 1], [1, 0, 0], [0, 1, 0]];

describe('softmax output → cross-entropy from the logits', () => {
  it('the softmax activation, an Activation layer and a last-axis Softmax layer remember their logits; other axes and copies do not', () => {
    const z = tensor(Z);
    expect(logitsOf(softmaxAct.apply(z), 'softmax')).toBe(z);
    expect(logitsOf(softmaxAct.apply(z), 'sigmoid')).toBeNull();
    expect(logitsOf(new Activation({ activation: 'softmax' }).apply(z), 'softmax')).toBe(z);
    expect(logitsOf(new Softmax().apply(z), 'softmax')).toBe(z);
    expect(logitsOf(new Softmax({ axis: 1 }).apply(z), 'softmax')).toBe(z);
    expect(logitsOf(new Softmax({ axis: 0 }).apply(z), 'softmax')).toBeNull();
    expect(logitsOf(softmax(z), 'softmax')).toBeNull();
    expect(logitsOf(tensor(softmaxAct.apply(z).dataSync(), [3, 3]), 'softmax')).toBeNull();
    expect(logitsOf(sigmoidAct.apply(z), 'sigmoid')).toBe(z);
  });

  it('categoricalCrossentropy: loss and gradient w.r.t. the logits equal the float64 formula, with label smoothing and sample weights', () => {
    const s = 0.1;
    const tS = Y.map((row) => row.map((v) => v * (1 - s) + s / 3));
    const w = [1, 0.5, 2];
    const loss = new CategoricalCrossentropy({ labelSmoothing: s });
    const f = (z: Tensor): Tensor => loss.apply(Y, softmaxAct.apply(z), w);
    const expected = tS.reduce((acc, t, r) => acc + w[r]! * cceRow(t, Z[r]!), 0) / 3;
    expectClose(f(tensor(Z)).item(), expected);
    expectClose(grad(f)(Z).dataSync(), cceGradRows(tS, Z, w, 3));
    // Per-sample values with reduction 'none' and 'sum'.
    expectClose(categoricalCrossentropy(Y, softmaxAct.apply(tensor(Z))).dataSync(), Y.map((t, r) => cceRow(t, Z[r]!)));
    const summed = new CategoricalCrossentropy({ reduction: 'sum' }).apply(Y, softmaxAct.apply(tensor(Z))).item();
    expectClose(summed, Y.reduce((acc, t, r) => acc + cceRow(t, Z[r]!), 0));
    gradCheck(f, [tensor(Z)]);
  });

  it('sparseCategoricalCrossentropy: loss and gradient from the logits', () => {
    const labels = [2, 0, 1];
    const f = (z: Tensor): Tensor => new SparseCategoricalCrossentropy().apply(labels, softmaxAct.apply(z));
    expectClose(f(tensor(Z)).item(), Y.reduce((acc, t, r) => acc + cceRow(t, Z[r]!), 0) / 3);
    expectClose(grad(f)(Z).dataSync(), cceGradRows(Y, Z, [1, 1, 1], 3));
    gradCheck(f, [tensor(Z)]);
  });

  it('a single distribution without a batch axis', () => {
    const z = tensor([1, 2, 0.5]);
    expectClose(categoricalCrossentropy([0, 1, 0], softmaxAct.apply(z)).dataSync(), [cceRow([0, 1, 0], [1, 2, 0.5])]);
  });

  it('saturated softmax: the logit path gives the exact loss and gradient; the clipped path stops at −log(ε) with no gradient', () => {
    const z = [[100, 0, 0]];
    const t = [[0, 1, 0]];
    // log-sum-exp by hand: log(e^100 + 2) = 100 + log(1 + 2e^−100), so the loss is 100 + log1p(2e^−100).
    const exact = 100 + Math.log1p(2 * Math.exp(-100));
    const f = (x: Tensor): Tensor => new CategoricalCrossentropy().apply(t, softmaxAct.apply(x));
    expectClose(f(tensor(z)).item(), exact);
    // d/dz = softmax(z) − t = [1, −1, 0] (to float32 precision).
    expectClose(grad(f)(z).dataSync(), [1, -1, 0]);
    expectClose(new SparseCategoricalCrossentropy().apply([1], softmaxAct.apply(tensor(z))).item(), exact);

    // The same probabilities without their logits (a copy) take the clipped path: p = [1, 0, 0],
    // the 0 is clipped to ε, so the loss is −log(ε) ≈ 16.12 and the clip blocks the gradient.
    const copy = (x: Tensor): Tensor => tensor(softmax(x).dataSync(), x.shape);
    expectClose(new CategoricalCrossentropy().apply(t, copy(tensor(z))).item(), -Math.log(EPSILON), 1e-4);
    const clipped = (x: Tensor): Tensor => new CategoricalCrossentropy().apply(t, softmax(x));
    expectClose(clipped(tensor(z)).item(), -Math.log(EPSILON), 1e-4);
    expectClose(grad(clipped)(z).dataSync(), [0, 0, 0]);
  });

  it('fromLogits: true keeps its meaning (yPred taken as logits, even if it is a softmax output)', () => {
    const p = softmaxAct.apply(tensor(Z));
    const probs = Array.from(p.dataSync());
    const rows = [probs.slice(0, 3), probs.slice(3, 6), probs.slice(6, 9)];
    expectClose(categoricalCrossentropy(Y, p, { fromLogits: true }).dataSync(), Y.map((t, r) => cceRow(t, rows[r]!)));
  });

  it('probabilities returned from a scope whose logits were released fall back to the clipped path', () => {
    const z = tensor(Z);
    // The add's output (the logits) belongs to the scope and is released when it ends, on every backend.
    const p = withScope(() => softmaxAct.apply(add(z, 0)));
    expectClose(categoricalCrossentropy(Y, p).dataSync(), Y.map((t, r) => cceRow(t, Z[r]!)));
    expectClose(sparseCategoricalCrossentropy([2, 0, 1], p).dataSync(), Y.map((t, r) => cceRow(t, Z[r]!)));
    const q = withScope(() => sigmoidAct.apply(add(z, 0)));
    expectClose(binaryCrossentropy(Y, q).dataSync(), Y.map((t, r) => t.reduce((a, y, i) => a + bceLogit(y, Z[r]![i]!), 0) / 3));
  });
});

describe('sigmoid output → binary cross-entropy from the logits', () => {
  it('loss and gradient w.r.t. the logits equal the float64 formula, with label smoothing and sample weights', () => {
    const s = 0.2;
    const w = [2, 1, 0.5];
    const f = (z: Tensor): Tensor => new BinaryCrossentropy({ labelSmoothing: s }).apply(Y, sigmoidAct.apply(z), w);
    const tS = Y.map((row) => row.map((v) => v * (1 - s) + 0.5 * s));
    const perSample = tS.map((t, r) => t.reduce((a, y, i) => a + bceLogit(y, Z[r]![i]!), 0) / 3);
    expectClose(f(tensor(Z)).item(), perSample.reduce((a, v, r) => a + w[r]! * v, 0) / 3);
    // d/dz = w·(σ(z) − y) / (3 classes · 3 samples).
    const expectedGrad = Z.flatMap((row, r) => row.map((z, i) => (w[r]! * (sig(z) - tS[r]![i]!)) / 9));
    expectClose(grad(f)(Z).dataSync(), expectedGrad);
    gradCheck(f, [tensor(Z)]);
  });

  it('rank-1 predictions pair with rank-1 labels, and [n, 1] outputs with [n] labels', () => {
    const z = [4, -3, 0.5];
    const y = [1, 0, 0];
    const expected = z.map((v, i) => bceLogit(y[i]!, v));
    expectClose(binaryCrossentropy(y, sigmoidAct.apply(tensor(z))).dataSync(), expected);
    expectClose(binaryCrossentropy(y, sigmoidAct.apply(tensor(z.map((v) => [v])))).dataSync(), expected);
  });

  it('saturated sigmoid: the logit path keeps the exact loss where the clipped path stops at −log(ε)', () => {
    // σ(−40) underflows the clip: the clipped loss for y = 1 is −log(ε); the exact one is 40 + log1p(e^−40).
    expectClose(binaryCrossentropy([[1]], sigmoidAct.apply(tensor([[-40]]))).item(), 40 + Math.log1p(Math.exp(-40)));
    expectClose(binaryCrossentropy([[1]], sigmoid(tensor([[-40]]))).item(), -Math.log(EPSILON), 1e-4);
    const f = (z: Tensor): Tensor => new BinaryCrossentropy().apply([[1]], sigmoidAct.apply(z));
    expectClose(grad(f)([[-40]]).dataSync(), [sig(-40) - 1]);
  });

  it('binaryFocalCrossentropy: the bce factor comes from the logits, the focal factor from the probabilities', () => {
    const z = [[-40, 2], [0.5, 30]];
    const y = [[1, 0], [1, 1]];
    const gamma = 2;
    const alpha = 0.25;
    const expected = z.map((row, r) =>
      row.reduce((acc, v, i) => {
        const t = y[r]![i]!;
        const p = sig(v);
        const pT = t * p + (1 - t) * (1 - p);
        return acc + (t * alpha + (1 - t) * (1 - alpha)) * (1 - pT) ** gamma * bceLogit(t, v);
      }, 0) / 2,
    );
    expectClose(binaryFocalCrossentropy(y, sigmoidAct.apply(tensor(z)), { gamma, alpha, applyClassBalancing: true }).dataSync(), expected);
    const f = (x: Tensor): Tensor => binaryFocalCrossentropy(y, sigmoidAct.apply(x), { gamma });
    gradCheck(f, [tensor([[-1.5, 2], [0.5, 0.75]])]);
  });
});
