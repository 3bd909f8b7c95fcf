import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { GroupNormalization } from './group-normalization.js';
import { LayerNormalization } from './layer-normalization.js';
import { checkLayerGrads, expectTensor, pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

/** Group normalization of channels-last `[n, spatial, c]` data from its definition, in float64. */
function refGroupNorm(x: number[], n: number, spatial: number, c: number, groups: number, eps: number, gamma: number[], beta: number[]): number[] {
  const per = c / groups;
  const out = new Array<number>(x.length);
  for (let b = 0; b < n; b++)
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < spatial; p++) for (let j = g * per; j < (g + 1) * per; j++) idx.push((b * spatial + p) * c + j);
      const m = idx.reduce((a, i) => a + x[i]!, 0) / idx.length;
      const v = idx.reduce((a, i) => a + (x[i]! - m) ** 2, 0) / idx.length;
      for (const i of idx) out[i] = ((x[i]! - m) / Math.sqrt(v + eps)) * gamma[i % c]! + beta[i % c]!;
    }
  return out;
}

describe('GroupNormalization', () => {
  it('normalizes each group of channels over the spatial axes (naive reference)', () => {
    for (const groups of [1, 2, 4, -1]) {
      const layer = new GroupNormalization({ groups, epsilon: 0.01 });
      const xv = pseudo(2 * 3 * 2 * 4, 5).map((v, i) => v * (1 + (i % 3)));
      const x = tensor(xv, [2, 3, 2, 4]);
      layer.apply(x);
      setPseudoWeights(layer);
      const [gamma, beta] = layer.getWeights().map((w) => Array.from(w.dataSync()));
      expect(layer.getWeightNames().map((n) => n.replace(/^group_normalization(_\d+)?\//, ''))).toEqual(['gamma', 'beta']);
      expect(layer.getWeights().map((w) => w.shape)).toEqual([[4], [4]]);
      const g = groups === -1 ? 4 : groups;
      expectTensor(layer.apply(x), [2, 3, 2, 4], refGroupNorm(xv, 2, 6, 4, g, 0.01, gamma!, beta!), 1e-4);
    }
  });

  it('normalizes a non-last channel axis, and without gamma/beta', () => {
    // Channels on axis 1 of [n, c, steps]: move them last for the reference.
    const xv = pseudo(2 * 6 * 3, 9);
    const layer = new GroupNormalization({ groups: 3, axis: 1, center: false, scale: false });
    const y = layer.apply(tensor(xv, [2, 6, 3]));
    expect(layer.weights).toHaveLength(0);
    const last: number[] = [];
    for (let b = 0; b < 2; b++) for (let t = 0; t < 3; t++) for (let ch = 0; ch < 6; ch++) last.push(xv[(b * 6 + ch) * 3 + t]!);
    const ref = refGroupNorm(last, 2, 3, 6, 3, 1e-3, new Array<number>(6).fill(1), new Array<number>(6).fill(0));
    const back: number[] = [];
    for (let b = 0; b < 2; b++) for (let ch = 0; ch < 6; ch++) for (let t = 0; t < 3; t++) back.push(ref[(b * 3 + t) * 6 + ch]!);
    expectTensor(y, [2, 6, 3], back, 1e-4);
  });

  it('with one group equals LayerNormalization over every non-batch axis (unit weights)', () => {
    const x = pseudoTensor([2, 3, 4], 3);
    const gn = new GroupNormalization({ groups: 1 }).apply(x);
    const ln = new LayerNormalization({ axis: [1, 2] }).apply(x);
    expectTensor(gn, [2, 3, 4], Array.from(ln.dataSync()), 1e-5);
  });

  it('has exact gradients for the input, gamma and beta', () => {
    const layer = new GroupNormalization({ groups: 2 });
    const x = pseudoTensor([2, 3, 4], 4);
    layer.apply(x);
    setPseudoWeights(layer);
    checkLayerGrads(layer, x);
  });

  it('rejects channel counts the groups do not divide, and bad options', () => {
    expect(() => new GroupNormalization({ groups: 3 }).apply(pseudoTensor([1, 2, 4]))).toThrow(
      /^GroupNormalization: the number of channels \(4\) of input shape \[1,2,4\] must be a multiple of groups \(3\)$/,
    );
    expect(() => new GroupNormalization().apply(pseudoTensor([1, 2, 4]))).toThrow(/groups \(32\) cannot exceed the number of channels \(4\)/);
    expect(() => new GroupNormalization({ groups: 0 })).toThrow(/GroupNormalization: groups must be a positive integer or -1/);
    expect(() => new GroupNormalization({ groups: 1, axis: 0 }).apply(pseudoTensor([1, 2]))).toThrow(/axis 0 is out of range/);
    expect(() => new GroupNormalization({ epsilon: 0 })).toThrow(/epsilon must be a positive number/);
  });
});
