import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { PReLU } from './prelu.js';
import { checkLayerGrads, expectTensor, pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => resetLayerNames());

describe('PReLU', () => {
  it('starts as ReLU (alpha zeros) and computes max(x, 0) − alpha·max(−x, 0) (hand calculation)', () => {
    const layer = new PReLU();
    expectTensor(layer.apply(tensor([[-2, 3]])), [1, 2], [0, 3]);
    expect(layer.getWeightNames()).toEqual(['p_re_lu/alpha']);
    layer.setWeights([tensor([0.5, 0.25])]);
    expectTensor(layer.apply(tensor([[-2, 3], [4, -8]])), [2, 2], [-1, 3, 4, -2]);
  });

  it('matches TF.js prelu with shared axes', () => {
    const shape = [2, 3, 4, 2];
    const xv = pseudo(48, 3);
    const layer = new PReLU({ sharedAxes: [1, 2] });
    layer.apply(tensor(xv, shape));
    setPseudoWeights(layer);
    const alpha = layer.getWeights()[0]!;
    expect(alpha.shape).toEqual([1, 1, 2]);
    const tfLayer = tf.layers.prelu({ sharedAxes: [1, 2] });
    tfLayer.build([null, 3, 4, 2]);
    tfLayer.setWeights([tf.tensor3d(Array.from(alpha.dataSync()), [1, 1, 2])]);
    const ref = tfLayer.apply(tf.tensor4d(xv, shape as [number, number, number, number])) as tf.Tensor;
    expectTensor(layer.apply(tensor(xv, shape)), shape, Array.from(ref.dataSync()), 1e-6);
  });

  it('has exact gradients for the input and alpha, and round-trips its config', () => {
    const layer = new PReLU({ sharedAxes: 1, alphaRegularizer: 'l2' });
    // Kept away from the kink at 0, where finite differences straddle both slopes.
    const x = tensor(pseudo(12, 5).map((v) => v + (v < 0 ? -0.1 : 0.1)), [2, 3, 2]);
    layer.apply(x);
    setPseudoWeights(layer);
    checkLayerGrads(layer, x);
    expect(layer.getConfig()).toMatchObject({ sharedAxes: [1], alphaInitializer: { className: 'Zeros' }, alphaRegularizer: { className: 'L2' }, alphaConstraint: null });
    expect(layer.regularizationLosses()).toHaveLength(1);
  });

  it('rejects bad shared axes', () => {
    expect(() => new PReLU({ sharedAxes: [0] })).toThrow(/^PReLU: sharedAxes must be null, a positive integer or a list of positive integers \(axis 0 is the batch\), got \[0\]$/);
    expect(() => new PReLU({ sharedAxes: [3] }).apply(pseudoTensor([2, 3]))).toThrow(/PReLU: sharedAxes entry 3 is out of range for input shape \[2,3\]/);
  });
});
