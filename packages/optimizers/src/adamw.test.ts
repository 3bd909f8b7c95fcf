import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { TWO_VARS, checkAgainstReference, descentRun, expectClose, gradientSteps, referenceRun } from './test-utils/reference.js';
import { adamReference } from './test-utils/rules.js';

describe('AdamW', () => {
  it('has the Keras defaults, weight decay 0.004 included', () => {
    const opt = new AdamW();
    expect([opt.learningRate, opt.weightDecay, opt.beta1, opt.beta2, opt.epsilon, opt.amsgrad]).toEqual([0.001, 0.004, 0.9, 0.999, 1e-7, false]);
  });

  it('is decoupled weight decay followed by the Adam step', () => {
    const grads = gradientSteps(3);
    const ref = referenceRun(adamReference(0.9, 0.999, 1e-7, false), TWO_VARS, grads, { learningRate: 0.05, weightDecay: 0.004 });
    const got = descentRun(new AdamW({ learningRate: 0.05 }), TWO_VARS, grads);
    for (let s = 0; s < 3; s++) for (let v = 0; v < 2; v++) expectClose(got.history[s]![v]!, ref.history[s]![v]!, `step ${s + 1}`);
  });

  it('first steps match the reference with every option (weight decay 0.1 replacing the default where set)', () => {
    checkAgainstReference((o) => new AdamW({ weightDecay: 0, ...o }), () => adamReference(0.9, 0.999, 1e-7, false), 0.05);
    checkAgainstReference((o) => new AdamW({ weightDecay: 0, ...o, amsgrad: true }), () => adamReference(0.9, 0.999, 1e-7, true), 0.05);
  });

  it('requires a weight decay', () => {
    expect(() => new AdamW({ weightDecay: null as unknown as number })).toThrow(/AdamW: weightDecay must be a number >= 0, got null/);
    expect(() => new AdamW({ weightDecay: -1 })).toThrow(/AdamW: weightDecay .*got -1/);
  });
});
