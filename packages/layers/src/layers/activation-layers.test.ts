import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Activation } from './activation.js';
import { ELU, LeakyReLU, ReLU, Softmax } from './activation-layers.js';
import { expectTensor } from './test-utils/helpers.js';

const x = tensor([[-2, -0.5, 0.5, 3, 7]]);

describe('activation layers', () => {
  it('ReLU, with maxValue, negativeSlope and threshold', () => {
    expectTensor(new ReLU().apply(x), [1, 5], [0, 0, 0.5, 3, 7]);
    expectTensor(new ReLU({ maxValue: 6 }).apply(x), [1, 5], [0, 0, 0.5, 3, 6]);
    // below threshold 1: 0.1·(x − 1)
    expectTensor(new ReLU({ negativeSlope: 0.1, threshold: 1 }).apply(x), [1, 5], [-0.3, -0.15, -0.05, 3, 7]);
    expect(() => new ReLU({ maxValue: -1 })).toThrow(/ReLU: maxValue must be ≥ 0/);
  });

  it('LeakyReLU (default alpha 0.3) and ELU', () => {
    expectTensor(new LeakyReLU().apply(x), [1, 5], [-0.6, -0.15, 0.5, 3, 7]);
    expectTensor(new LeakyReLU({ alpha: 0.1 }).apply(x), [1, 5], [-0.2, -0.05, 0.5, 3, 7]);
    expectTensor(new ELU({ alpha: 2 }).apply(x), [1, 5], [2 * (Math.exp(-2) - 1), 2 * (Math.exp(-0.5) - 1), 0.5, 3, 7]);
  });

  it('Softmax over the last axis or a given one', () => {
    const e = [1, 2, 3].map(Math.exp);
    const z = e[0]! + e[1]! + e[2]!;
    expectTensor(new Softmax().apply(tensor([[1, 2, 3]])), [1, 3], e.map((v) => v / z));
    const s = 1 / (1 + Math.exp(-2));
    expectTensor(new Softmax({ axis: 0 }).apply(tensor([[1, 5], [3, 5]])), [2, 2], [[1 - s, 0.5], [s, 0.5]]);
  });

  it('Activation applies a named function', () => {
    expectTensor(new Activation({ activation: 'sigmoid' }).apply(tensor([0, 2])), [2], [0.5, 1 / (1 + Math.exp(-2))]);
    expect(new Activation({ activation: 'hardSigmoid' }).getConfig()['activation']).toBe('hard_sigmoid');
    expect(() => new Activation({ activation: 'nope' })).toThrow(/Unknown activation 'nope'/);
  });

  it('gradients pass gradCheck (away from the kinks)', () => {
    const g = tensor([[-2, -0.5, 0.5, 3, 7]]);
    gradCheck((t) => new ReLU({ maxValue: 6, negativeSlope: 0.1, threshold: 1 }).apply(t), [g]);
    gradCheck((t) => new LeakyReLU().apply(t), [g]);
    gradCheck((t) => new ELU().apply(t), [g]);
    gradCheck((t) => new Softmax().apply(t), [g]);
    gradCheck((t) => new Activation({ activation: 'tanh' }).apply(t), [g]);
  });
});
