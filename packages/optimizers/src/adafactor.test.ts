import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adafactor } from './adafactor.js';
import { ExponentialDecay } from './schedules.js';
import { TWO_VARS, checkAgainstReference, descentRun, expectClose, gradientSteps, referenceRun } from './test-utils/reference.js';
import { adafactorReference } from './test-utils/rules.js';

const defaults = { beta2Decay: -0.8, eps1: 1e-30, eps2: 1e-3, clipThreshold: 1, relativeStep: true };

describe('Adafactor', () => {
  it('has the Keras defaults', () => {
    const opt = new Adafactor();
    expect([opt.learningRate, opt.beta2Decay, opt.epsilon1, opt.epsilon2, opt.clipThreshold, opt.relativeStep]).toEqual([
      0.001, -0.8, 1e-30, 1e-3, 1, true,
    ]);
  });

  it('factors the second moment of matrices into rows and columns', () => {
    const opt = new Adafactor();
    descentRun(opt, TWO_VARS, gradientSteps(1));
    const shapes = Object.fromEntries(opt.getWeights().map((w) => [w.name, w.tensor.shape]));
    expect(shapes).toEqual({ iterations: [], 'v0/r': [2], 'v0/c': [3], 'v0/v': [2, 3], 'v1/v': [3] });
  });

  it('factors the last two axes of higher-rank variables', () => {
    const w = variable(tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 3, 4]), { name: 'k' });
    const opt = new Adafactor({ learningRate: 0.5 });
    opt.minimize(() => w.square().sum());
    const shapes = Object.fromEntries(opt.getWeights().map((x) => [x.name, x.tensor.shape]));
    expect(shapes).toEqual({ iterations: [], 'k/r': [2, 3], 'k/c': [2, 4], 'k/v': [2, 3, 4] });
    // Row i of batch b: r = mean over the last axis of g² + ε1 (β2 at t = 1 is 0, so r is exactly that mean).
    const g2 = Array.from({ length: 24 }, (_, i) => (2 * Math.sin(i)) ** 2 + 1e-30);
    const r = opt.getWeights().find((x) => x.name === 'k/r')!.tensor.dataSync();
    for (let row = 0; row < 6; row++) expect(r[row]).toBeCloseTo((g2[row * 4]! + g2[row * 4 + 1]! + g2[row * 4 + 2]! + g2[row * 4 + 3]!) / 4, 5);
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Adafactor(o), () => adafactorReference(defaults), 0.5);
    const h = { beta2Decay: -0.5, eps1: 1e-3, eps2: 0.1, clipThreshold: 0.5, relativeStep: false };
    checkAgainstReference(
      (o) => new Adafactor({ ...o, beta2Decay: h.beta2Decay, epsilon1: h.eps1, epsilon2: h.eps2, clipThreshold: h.clipThreshold, relativeStep: false }),
      () => adafactorReference(h),
      0.3,
    );
  });

  it('with a schedule: the rate is still capped at 1/sqrt(t)', () => {
    const schedule = new ExponentialDecay(2, 1, 0.5);
    const grads = gradientSteps(3);
    const ref = referenceRun(adafactorReference(defaults), TWO_VARS, grads, { learningRate: (s) => 2 * 0.5 ** s });
    const got = descentRun(new Adafactor({ learningRate: schedule }), TWO_VARS, grads);
    for (let s = 0; s < 3; s++) for (let v = 0; v < 2; v++) expectClose(got.history[s]![v]!, ref.history[s]![v]!, `step ${s + 1}`);
  });
});
