import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { LayerNormalization } from './layer-normalization.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

describe('LayerNormalization', () => {
  it('normalizes each sample over the last axis', () => {
    const ln = new LayerNormalization();
    const x = tensor([[1, 2, 3, 6], [0, 0, 2, 2]]);
    ln.apply(x);
    ln.setWeights([tensor([1, 2, 1, 1]), tensor([0, 0, 0, 1])]);
    const eps = 1e-3;
    // sample 0: mean 3, var (4+1+0+9)/4 = 3.5; sample 1: mean 1, var 1
    const a = Math.sqrt(3.5 + eps);
    const b = Math.sqrt(1 + eps);
    expectTensor(ln.apply(x, { training: true }), [2, 4], [[-2 / a, -2 / a, 0, 3 / a + 1], [-1 / b, -2 / b, 1 / b, 1 / b + 1]], 1e-5);
    expect(ln.getWeightNames()).toEqual(['layer_normalization/gamma', 'layer_normalization/beta']);
  });

  it('normalizes over several axes', () => {
    const ln = new LayerNormalization({ axis: [1, 2], center: false, scale: false });
    const y = ln.apply(tensor([[[1, 3], [5, 7]]]));
    const s = Math.sqrt(5 + 1e-3);
    expectTensor(y, [1, 2, 2], [[[-3 / s, -1 / s], [1 / s, 3 / s]]], 1e-5);
    expect(() => new LayerNormalization({ axis: 0 }).apply(tensor([[1, 2]]))).toThrow(/LayerNormalization: axis 0 is out of range/);
  });

  it('passes gradCheck', () => {
    const ln = new LayerNormalization();
    const x = pseudoTensor([3, 4], 5, 2);
    ln.apply(x);
    setPseudoWeights(ln);
    checkLayerGrads(ln, x);
  });
});
