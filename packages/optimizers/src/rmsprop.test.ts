import { describe, expect, it } from 'vitest';
import { RMSprop } from './rmsprop.js';
import { rmspropReference } from './test-utils/rules.js';
import { checkAgainstReference } from './test-utils/reference.js';


describe('RMSprop', () => {
  it('has the Keras defaults', () => {
    const opt = new RMSprop();
    expect([opt.learningRate, opt.rho, opt.momentum, opt.epsilon, opt.centered]).toEqual([0.001, 0.9, 0, 1e-7, false]);
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new RMSprop(o), () => rmspropReference(0.9, 0, 1e-7, false), 0.01);
  });

  it('momentum: first steps match the reference', () => {
    checkAgainstReference((o) => new RMSprop({ ...o, momentum: 0.5 }), () => rmspropReference(0.9, 0.5, 1e-7, false), 0.01);
  });

  it('centered: first steps match the reference', () => {
    checkAgainstReference((o) => new RMSprop({ ...o, centered: true, rho: 0.8 }), () => rmspropReference(0.8, 0, 1e-7, true), 0.01);
    checkAgainstReference(
      (o) => new RMSprop({ ...o, centered: true, momentum: 0.9, epsilon: 1e-3 }),
      () => rmspropReference(0.9, 0.9, 1e-3, true),
      0.01,
    );
  });

  it('rejects rho outside [0, 1)', () => {
    expect(() => new RMSprop({ rho: 1 })).toThrow(/RMSprop: rho must be a number in \[0, 1\), got 1/);
  });
});
