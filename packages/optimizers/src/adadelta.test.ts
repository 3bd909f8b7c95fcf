import { describe, expect, it } from 'vitest';
import { Adadelta } from './adadelta.js';
import { checkAgainstReference } from './test-utils/reference.js';
import { adadeltaReference } from './test-utils/rules.js';

describe('Adadelta', () => {
  it('has the Keras defaults', () => {
    const opt = new Adadelta();
    expect([opt.learningRate, opt.rho, opt.epsilon]).toEqual([0.001, 0.95, 1e-7]);
  });

  it('first steps match the float64 reference with every option', () => {
    // A large ε and learning rate make the (otherwise tiny) first steps visible in float32.
    checkAgainstReference((o) => new Adadelta({ ...o, epsilon: 1e-2 }), () => adadeltaReference(0.95, 1e-2), 1);
    checkAgainstReference((o) => new Adadelta({ ...o, rho: 0.5, epsilon: 1e-3 }), () => adadeltaReference(0.5, 1e-3), 2);
  });

  it('rejects rho outside [0, 1)', () => {
    expect(() => new Adadelta({ rho: 1.2 })).toThrow(/Adadelta: rho .*got 1.2/);
  });
});
