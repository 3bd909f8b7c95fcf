import { valueAndGrad } from '@descent/autograd';
import { ones, sum, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { GaussianNoise } from './gaussian-noise.js';
import { expectTensor } from './test-utils/helpers.js';

describe('GaussianNoise', () => {
  it('adds N(0, stddev²) noise in training only', () => {
    const x = ones([200, 50]);
    expectTensor(new GaussianNoise({ stddev: 0.5 }).apply(tensor([1, 2])), [2], [1, 2]);
    const y = new GaussianNoise({ stddev: 0.5, seed: 4 }).apply(x, { training: true });
    const v = y.dataSync();
    let m = 0;
    for (const a of v) m += a;
    m /= v.length;
    let s = 0;
    for (const a of v) s += (a - m) ** 2;
    s /= v.length;
    // 10 000 samples: mean error sd ≈ 0.005, variance error sd ≈ 0.0035
    expect(Math.abs(m - 1)).toBeLessThan(0.03);
    expect(Math.abs(s - 0.25)).toBeLessThan(0.02);
    const { grad } = valueAndGrad((t) => sum(new GaussianNoise({ stddev: 0.5, seed: 4 }).apply(t, { training: true })))(tensor([1, 2]));
    expectTensor(grad, [2], [1, 1]);
  });
});
