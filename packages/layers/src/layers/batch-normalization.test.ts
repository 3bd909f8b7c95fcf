import { variableGrads } from '@descent/autograd';
import { mul, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { BatchNormalization } from './batch-normalization.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

describe('BatchNormalization', () => {
  // feature 0: [1, 2, 3, 4] → mean 2.5, biased variance 1.25; feature 1: [0, 0, 4, 4] → mean 2, variance 4
  const x = tensor([[1, 0], [2, 0], [3, 4], [4, 4]]);
  const eps = 1e-3;

  function make(): BatchNormalization {
    const bn = new BatchNormalization({ momentum: 0.9 });
    bn.apply(x);
    bn.setWeights([tensor([2, 1]), tensor([0, 1]), tensor([0, 0]), tensor([1, 1])]);
    return bn;
  }

  it('has gamma, beta, moving_mean, moving_variance with the moving ones non-trainable', () => {
    const bn = make();
    expect(bn.getWeightNames()).toEqual([
      'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance',
    ]);
    expect(bn.trainableWeights.map((w) => w.name)).toEqual(['batch_normalization/gamma', 'batch_normalization/beta']);
    expect(bn.nonTrainableWeights.map((w) => w.name)).toEqual(['batch_normalization/moving_mean', 'batch_normalization/moving_variance']);
  });

  it('training: normalizes with batch statistics and updates the moving ones with momentum', () => {
    const bn = make();
    const y = bn.apply(x, { training: true });
    const s0 = Math.sqrt(1.25 + eps);
    const s1 = Math.sqrt(4 + eps);
    const want = [[1, 0], [2, 0], [3, 4], [4, 4]].map(([a, b]) => [(2 * (a! - 2.5)) / s0, (b! - 2) / s1 + 1]);
    expectTensor(y, [4, 2], want, 1e-5);
    // moving = 0.9·moving + 0.1·batch
    expectTensor(bn.movingMean!, [2], [0.25, 0.2], 1e-6);
    expectTensor(bn.movingVariance!, [2], [0.9 + 0.125, 0.9 + 0.4], 1e-6);
  });

  it('inference: uses the moving statistics and leaves them alone', () => {
    const bn = make();
    bn.setWeights([tensor([2, 1]), tensor([0, 1]), tensor([1, -1]), tensor([4, 0.25])]);
    const y = bn.apply(x);
    const want = [[1, 0], [2, 0], [3, 4], [4, 4]].map(([a, b]) => [(2 * (a! - 1)) / Math.sqrt(4 + eps), (b! + 1) / Math.sqrt(0.25 + eps) + 1]);
    expectTensor(y, [4, 2], want, 1e-5);
    expectTensor(bn.movingMean!, [2], [1, -1]);
    expectTensor(bn.movingVariance!, [2], [4, 0.25]);
  });

  it('a frozen layer runs in inference mode even when training', () => {
    const bn = make();
    bn.trainable = false;
    const y = bn.apply(x, { training: true });
    expectTensor(y, [4, 2], [[1, 0], [2, 0], [3, 4], [4, 4]].map(([a, b]) => [(2 * a!) / Math.sqrt(1 + eps), b! / Math.sqrt(1 + eps) + 1]), 1e-5);
    expectTensor(bn.movingMean!, [2], [0, 0]);
  });

  it('center and scale can be turned off', () => {
    const bn = new BatchNormalization({ center: false, scale: false });
    const y = bn.apply(x, { training: true });
    expect(bn.getWeightNames()).toEqual(['batch_normalization/moving_mean', 'batch_normalization/moving_variance']);
    expectTensor(y, [4, 2], [[1, 0], [2, 0], [3, 4], [4, 4]].map(([a, b]) => [(a! - 2.5) / Math.sqrt(1.25 + eps), (b! - 2) / Math.sqrt(4 + eps)]), 1e-5);
  });

  it('normalizes NHWC feature maps per channel, and another axis when asked', () => {
    const bn = new BatchNormalization();
    const img = tensor([1, 10, 3, 30, 5, 50, 7, 70], [2, 2, 1, 2]);
    const y = bn.apply(img, { training: true });
    // channel 0: [1,3,5,7] mean 4 var 5; channel 1: ten times that (mean 40, var 500)
    const want = [1, 10, 3, 30, 5, 50, 7, 70].map((v, i) => (i % 2 === 0 ? (v - 4) / Math.sqrt(5 + eps) : (v - 40) / Math.sqrt(500 + eps)));
    expectTensor(y, [2, 2, 1, 2], want, 1e-5);
    const bn1 = new BatchNormalization({ axis: 1, center: false, scale: false });
    const z = tensor([[[1, 3], [0, 0]], [[5, 7], [2, 2]]]); // axis 1 features: [1,3,5,7] and [0,0,2,2]
    expectTensor(bn1.apply(z, { training: true }), [2, 2, 2], [
      [[(1 - 4) / Math.sqrt(5 + eps), (3 - 4) / Math.sqrt(5 + eps)], [-1 / Math.sqrt(1 + eps), -1 / Math.sqrt(1 + eps)]],
      [[(5 - 4) / Math.sqrt(5 + eps), (7 - 4) / Math.sqrt(5 + eps)], [1 / Math.sqrt(1 + eps), 1 / Math.sqrt(1 + eps)]],
    ], 1e-5);
    expect(bn1.movingMean!.shape).toEqual([2]);
  });

  it('gradients reach gamma and beta only, and pass gradCheck in both modes', () => {
    const bn = new BatchNormalization();
    const xs = pseudoTensor([5, 3], 3, 2);
    bn.apply(xs);
    setPseudoWeights(bn);
    bn.setWeights([...bn.getWeights().slice(0, 3), tensor([0.5, 1.5, 2])]);
    const { grads } = variableGrads(() => sum(mul(bn.apply(xs, { training: true }), pseudoTensor([5, 3], 8))));
    expect([...grads.keys()].map((v) => v.name).sort()).toEqual(['batch_normalization/beta', 'batch_normalization/gamma']);
    checkLayerGrads(bn, xs, { training: true });
    checkLayerGrads(bn, xs, { training: false });
  });

  it('rejects bad options', () => {
    expect(() => new BatchNormalization({ momentum: 2 })).toThrow(/BatchNormalization: momentum must be in \[0, 1\], got 2/);
    expect(() => new BatchNormalization({ axis: 3 }).apply(x)).toThrow(/BatchNormalization: axis 3 is out of range for input of rank 2/);
  });
});
