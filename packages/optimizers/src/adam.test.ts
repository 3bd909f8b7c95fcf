import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { adamReference } from './test-utils/rules.js';
import { checkAgainstReference, expectClose } from './test-utils/reference.js';


describe('Adam', () => {
  it('has the Keras defaults', () => {
    const opt = new Adam();
    expect([opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, opt.amsgrad, opt.name]).toEqual([0.001, 0.9, 0.999, 1e-7, false, 'adam']);
  });

  it('moves each element by about the learning rate on the first step', () => {
    // m = 0.1g, v = 0.001g², α = η·sqrt(0.001)/0.1, so the step is η·g/(|g| + ε/sqrt(0.001)) ≈ η·sign(g).
    const w = variable([1, 1], { name: 'w' });
    new Adam({ learningRate: 0.1 }).applyGradients([[tensor([3, -0.5]), w]]);
    const eps = 1e-7 / Math.sqrt(0.001);
    expectClose(w.dataSync(), [1 - (0.1 * 3) / (3 + eps), 1 + (0.1 * 0.5) / (0.5 + eps)], 'w');
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Adam(o), () => adamReference(0.9, 0.999, 1e-7, false), 0.05);
    checkAgainstReference((o) => new Adam({ ...o, beta1: 0.5, beta2: 0.9, epsilon: 0.01 }), () => adamReference(0.5, 0.9, 0.01, false), 0.05);
  });

  it('amsgrad: first steps match the reference', () => {
    checkAgainstReference((o) => new Adam({ ...o, amsgrad: true, beta2: 0.5 }), () => adamReference(0.9, 0.5, 1e-7, true), 0.05);
  });

  it('rejects betas outside [0, 1)', () => {
    expect(() => new Adam({ beta1: 1 })).toThrow(/Adam: beta1 must be a number in \[0, 1\), got 1/);
    expect(() => new Adam({ beta2: -0.5 })).toThrow(/Adam: beta2 .*got -0.5/);
    expect(() => new Adam({ epsilon: -1 })).toThrow(/Adam: epsilon .*got -1/);
  });
});
