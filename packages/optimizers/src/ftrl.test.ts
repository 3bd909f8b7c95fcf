import { describe, expect, it } from 'vitest';
import { Ftrl } from './ftrl.js';
import { checkAgainstReference } from './test-utils/reference.js';
import { ftrlReference } from './test-utils/rules.js';

describe('Ftrl', () => {
  it('has the Keras defaults', () => {
    const opt = new Ftrl();
    expect([
      opt.learningRate,
      opt.learningRatePower,
      opt.initialAccumulatorValue,
      opt.l1RegularizationStrength,
      opt.l2RegularizationStrength,
      opt.l2ShrinkageRegularizationStrength,
      opt.beta,
    ]).toEqual([0.001, -0.5, 0.1, 0, 0, 0, 0]);
  });

  it('first steps match the float64 reference with every option', () => {
    const base = { lrPower: -0.5, init: 0.1, l1: 0, l2: 0, l2Shrinkage: 0, beta: 0 };
    checkAgainstReference((o) => new Ftrl(o), () => ftrlReference(base), 0.1);
  });

  it('with L1, L2, shrinkage, beta and another learning-rate power: matches the reference', () => {
    const h = { lrPower: -0.7, init: 0.3, l1: 0.05, l2: 0.1, l2Shrinkage: 0.2, beta: 0.5 };
    checkAgainstReference(
      (o) =>
        new Ftrl({
          ...o,
          learningRatePower: h.lrPower,
          initialAccumulatorValue: h.init,
          l1RegularizationStrength: h.l1,
          l2RegularizationStrength: h.l2,
          l2ShrinkageRegularizationStrength: h.l2Shrinkage,
          beta: h.beta,
        }),
      () => ftrlReference(h),
      0.1,
    );
  });

  it('rejects a positive learning-rate power and negative strengths', () => {
    expect(() => new Ftrl({ learningRatePower: 0.5 })).toThrow(/Ftrl: learningRatePower must be a number in \(-∞, 0\], got 0.5/);
    expect(() => new Ftrl({ l1RegularizationStrength: -1 })).toThrow(/Ftrl: l1RegularizationStrength .*got -1/);
  });
});
