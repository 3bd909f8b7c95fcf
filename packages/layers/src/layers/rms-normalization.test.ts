import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { RMSNormalization } from './rms-normalization.js';
import { UnitNormalization } from './unit-normalization.js';
import { checkLayerGrads, expectTensor, pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

describe('RMSNormalization', () => {
  it('divides by the root mean square of the last axis (hand calculation)', () => {
    // [3, 4]: mean square 12.5 → x / sqrt(12.5 + 1e-6).
    const layer = new RMSNormalization();
    const r = Math.sqrt(12.5 + 1e-6);
    expectTensor(layer.apply(tensor([[3, 4], [0, 0]])), [2, 2], [3 / r, 4 / r, 0, 0], 1e-6);
    expect(layer.getWeightNames()).toEqual(['rms_normalization/scale']);
    expect(layer.getWeights()[0]!.toArray()).toEqual([1, 1]);
  });

  it('applies the learned scale over several axes', () => {
    const layer = new RMSNormalization({ axis: [1, 2], epsilon: 0.1 });
    const xv = pseudo(2 * 2 * 3, 4);
    layer.apply(tensor(xv, [2, 2, 3]));
    setPseudoWeights(layer);
    const scale = Array.from(layer.getWeights()[0]!.dataSync());
    expect(layer.getWeights()[0]!.shape).toEqual([2, 3]);
    const want = xv.map((v, i) => {
      const b = Math.floor(i / 6);
      const ms = xv.slice(b * 6, b * 6 + 6).reduce((a, u) => a + u * u, 0) / 6;
      return (v / Math.sqrt(ms + 0.1)) * scale[i % 6]!;
    });
    expectTensor(layer.apply(tensor(xv, [2, 2, 3])), [2, 2, 3], want, 1e-5);
    expect(layer.getConfig()).toMatchObject({ axis: [1, 2], epsilon: 0.1 });
  });

  it('has exact gradients and rejects bad options', () => {
    const layer = new RMSNormalization({ epsilon: 1e-3 });
    const x = pseudoTensor([3, 4], 2);
    layer.apply(x);
    setPseudoWeights(layer);
    checkLayerGrads(layer, x);
    expect(() => new RMSNormalization({ axis: [] })).toThrow(/^RMSNormalization: axis must be an integer or a non-empty list of integers, got \[\]$/);
    expect(() => new RMSNormalization({ epsilon: -1 })).toThrow(/RMSNormalization: epsilon must be a positive number, got -1/);
    expect(() => new RMSNormalization({ axis: 2 }).apply(pseudoTensor([2, 3]))).toThrow(/RMSNormalization: axis 2 is out of range for input of rank 2/);
  });
});

describe('UnitNormalization', () => {
  it('scales each sample to unit L2 norm and leaves zero vectors at zero', () => {
    const y = new UnitNormalization().apply(tensor([[3, 4], [0, 0], [1e-20, 0]]));
    // The third row's norm 1e-20 is below the floor 1e-12: divided by 1e-12.
    expectTensor(y, [3, 2], [0.6, 0.8, 0, 0, 1e-8, 0], 1e-6);
  });

  it('normalizes over several axes', () => {
    const xv = pseudo(2 * 2 * 3, 6);
    const y = new UnitNormalization({ axis: [1, 2] }).apply(tensor(xv, [2, 2, 3]));
    const want = xv.map((v, i) => {
      const b = Math.floor(i / 6);
      return v / Math.sqrt(xv.slice(b * 6, b * 6 + 6).reduce((a, u) => a + u * u, 0));
    });
    expectTensor(y, [2, 2, 3], want, 1e-5);
    expect(new UnitNormalization({ axis: [1, 2] }).getConfig()['axis']).toEqual([1, 2]);
  });

  it('has exact input gradients', async () => {
    const { gradCheck } = await import('@descent/autograd');
    gradCheck((t) => new UnitNormalization().apply(t), [pseudoTensor([2, 3], 8)]);
  });
});
