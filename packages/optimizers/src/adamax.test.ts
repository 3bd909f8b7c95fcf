import { describe, expect, it } from 'vitest';
import { Adamax } from './adamax.js';
import { checkAgainstReference } from './test-utils/reference.js';
import { adamaxReference } from './test-utils/rules.js';

describe('Adamax', () => {
  it('has the Keras defaults', () => {
    const opt = new Adamax();
    expect([opt.learningRate, opt.beta1, opt.beta2, opt.epsilon]).toEqual([0.001, 0.9, 0.999, 1e-7]);
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Adamax(o), () => adamaxReference(0.9, 0.999, 1e-7), 0.05);
    checkAgainstReference((o) => new Adamax({ ...o, beta1: 0.6, beta2: 0.7, epsilon: 0.1 }), () => adamaxReference(0.6, 0.7, 0.1), 0.05);
  });

  it('rejects betas outside [0, 1)', () => {
    expect(() => new Adamax({ beta2: 1 })).toThrow(/Adamax: beta2 must be a number in \[0, 1\), got 1/);
  });
});
