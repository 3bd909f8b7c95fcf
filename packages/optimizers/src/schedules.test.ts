import { describe, expect, it } from 'vitest';
import {
  CosineDecay,
  CosineDecayRestarts,
  ExponentialDecay,
  InverseTimeDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  deserializeSchedule,
  serializeSchedule,
} from './schedules.js';
import type { LearningRateSchedule } from './schedules.js';

function expectValues(s: LearningRateSchedule, expected: [step: number, lr: number][]): void {
  for (const [step, lr] of expected) expect(s.call(step), `step ${step}`).toBeCloseTo(lr, 12);
}

describe('schedules', () => {
  it('ExponentialDecay', () => {
    expectValues(new ExponentialDecay(0.1, 10, 0.5), [
      [0, 0.1],
      [5, 0.1 * Math.SQRT1_2],
      [10, 0.05],
      [20, 0.025],
    ]);
    expectValues(new ExponentialDecay(0.1, 10, 0.5, true), [
      [9, 0.1],
      [15, 0.05],
      [20, 0.025],
    ]);
  });

  it('PiecewiseConstantDecay: values[i] for boundaries[i-1] < step <= boundaries[i]', () => {
    expectValues(new PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]), [
      [0, 1],
      [10, 1],
      [11, 0.5],
      [20, 0.5],
      [21, 0.1],
      [1000, 0.1],
    ]);
  });

  it('PolynomialDecay, linear, squared and cycling', () => {
    expectValues(new PolynomialDecay(0.1, 10, 0.01), [
      [0, 0.1],
      [5, 0.055],
      [10, 0.01],
      [15, 0.01],
    ]);
    expectValues(new PolynomialDecay(0.1, 10, 0.01, 2), [[5, 0.0325]]);
    // cycle: at step 15 the period is 20, p = 0.75.
    expectValues(new PolynomialDecay(0.1, 10, 0.01, 1, true), [
      [0, 0.1],
      [10, 0.01],
      [15, 0.0325],
    ]);
    expect(new PolynomialDecay(1, 10).call(10)).toBeCloseTo(1e-4, 12);
  });

  it('InverseTimeDecay', () => {
    expectValues(new InverseTimeDecay(0.1, 10, 0.5), [
      [0, 0.1],
      [5, 0.08],
      [10, 0.1 / 1.5],
    ]);
    expectValues(new InverseTimeDecay(0.1, 10, 0.5, true), [
      [9, 0.1],
      [15, 0.1 / 1.5],
    ]);
  });

  it('CosineDecay, with alpha and with warmup', () => {
    expectValues(new CosineDecay(0.1, 100), [
      [0, 0.1],
      [50, 0.05],
      [100, 0],
      [150, 0],
    ]);
    expectValues(new CosineDecay(0.1, 100, 0.1), [
      [50, 0.055],
      [100, 0.01],
    ]);
    // Warm up linearly from 0 to 0.1 over 10 steps, then decay from 0.1 over 100.
    expectValues(new CosineDecay(0, 100, 0, 0.1, 10), [
      [0, 0],
      [5, 0.05],
      [10, 0.1],
      [60, 0.05],
      [110, 0],
      [200, 0],
    ]);
  });

  it('CosineDecayRestarts: periods 10, 20, 40 with the peak halving', () => {
    expectValues(new CosineDecayRestarts(0.1, 10, 2, 0.5), [
      [0, 0.1],
      [5, 0.05],
      [10, 0.05],
      [20, 0.025],
      [30, 0.025],
      [50, 0.0125],
    ]);
    expectValues(new CosineDecayRestarts(0.1, 10, 1, 1, 0.2), [
      [5, 0.1 * (0.8 * 0.5 + 0.2)],
      [20, 0.1],
    ]);
  });

  it('serialize → deserialize rebuilds an equal schedule', () => {
    const schedules: LearningRateSchedule[] = [
      new ExponentialDecay(0.1, 10, 0.5, true),
      new PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]),
      new PolynomialDecay(0.1, 10, 0.01, 2, true),
      new InverseTimeDecay(0.1, 10, 0.5, true),
      new CosineDecay(0, 100, 0.1, 0.1, 10),
      new CosineDecayRestarts(0.1, 10, 2, 0.5, 0.1),
    ];
    for (const s of schedules) {
      const spec = serializeSchedule(s);
      expect(spec.className).toBe(s.className);
      const again = deserializeSchedule(JSON.parse(JSON.stringify(spec)) as typeof spec);
      expect(again.getConfig()).toEqual(s.getConfig());
      for (const step of [0, 3, 17, 55]) expect(again.call(step)).toBe(s.call(step));
    }
    expect(() => deserializeSchedule({ className: 'ExponentalDecay' })).toThrow(/Did you mean 'ExponentialDecay'\?/);
  });

  it('rejects bad arguments naming them', () => {
    expect(() => new ExponentialDecay(0.1, 0, 0.5)).toThrow(/ExponentialDecay: decaySteps must be > 0, got 0/);
    expect(() => new PiecewiseConstantDecay([10], [1])).toThrow(/one more element than boundaries, got 1 values and 1 boundaries/);
    expect(() => new PiecewiseConstantDecay([20, 10], [1, 2, 3])).toThrow(/strictly increasing/);
    expect(() => new CosineDecay(0.1, 100, 2)).toThrow(/CosineDecay: alpha must be in \[0, 1\], got 2/);
    expect(() => new CosineDecay(0.1, 100, 0, 0.5)).toThrow(/warmupTarget needs warmupSteps > 0/);
    expect(() => new InverseTimeDecay(-1, 10, 0.5)).toThrow(/initialLearningRate must be >= 0, got -1/);
  });
});
