import { describe, expect, it } from 'vitest';
import { Nadam } from './nadam.js';
import { checkAgainstReference } from './test-utils/reference.js';
import { nadamReference } from './test-utils/rules.js';

describe('Nadam', () => {
  it('has the Keras defaults', () => {
    const opt = new Nadam();
    expect([opt.learningRate, opt.beta1, opt.beta2, opt.epsilon]).toEqual([0.001, 0.9, 0.999, 1e-7]);
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Nadam(o), () => nadamReference(0.9, 0.999, 1e-7), 0.05);
    checkAgainstReference((o) => new Nadam({ ...o, beta1: 0.5, beta2: 0.8, epsilon: 0.01 }), () => nadamReference(0.5, 0.8, 0.01), 0.05);
  });

  it('saves its shared momentum product with the state', () => {
    const opt = new Nadam();
    const names = opt.getWeights().map((w) => w.name);
    expect(names).toEqual(['iterations', 'uProduct']);
  });
});
