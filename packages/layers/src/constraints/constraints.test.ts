import { tensor } from '@descent/tensor';
import { expectClose as closeTo } from '@descent/test-utils';
import { describe, expect, it } from 'vitest';
import { MaxNorm, maxNorm, MinMaxNorm, NonNeg, UnitNorm, unitNorm } from './constraint.js';
import { getConstraint, listConstraints, serializeConstraint } from './registry.js';

/** Within `tol` absolutely. */
const expectClose = (actual: ArrayLike<number>, expected: number[], tol = 1e-5): void => closeTo(actual, expected, { atol: tol });

// Columns (axis 0 = incoming weights of each unit) have norms 5 and 0.5.
const w = tensor([[3, 0.3], [4, -0.4]]);

describe('constraints', () => {
  it('MaxNorm rescales only the columns whose norm exceeds maxValue', () => {
    // Column 0: 5 → 2 (×0.4); column 1 (norm 0.5) unchanged up to the 1e-7 fuzz.
    expectClose(new MaxNorm({ maxValue: 2 }).apply(w).dataSync(), [1.2, 0.3, 1.6, -0.4]);
    // axis 1: row norms sqrt(9.09) ≈ 3.015 and sqrt(16.16) ≈ 4.02, both capped at 2.
    const r0 = Math.hypot(3, 0.3);
    const r1 = Math.hypot(4, 0.4);
    expectClose(maxNorm({ maxValue: 2, axis: 1 }).apply(w).dataSync(), [(3 * 2) / r0, (0.3 * 2) / r0, (4 * 2) / r1, (-0.4 * 2) / r1]);
  });

  it('NonNeg zeroes the negative entries', () => {
    expect(new NonNeg().apply(tensor([[1.5, -2], [0, -0.25]])).toArray()).toEqual([[1.5, 0], [0, 0]]);
  });

  it('UnitNorm scales each column to norm 1', () => {
    expectClose(unitNorm().apply(w).dataSync(), [0.6, 0.6, 0.8, -0.8]);
  });

  it('MinMaxNorm moves norms into [min, max], partially when rate < 1', () => {
    // norms 5 and 0.5 with [1, 2]: → 2 and 1.
    expectClose(new MinMaxNorm({ minValue: 1, maxValue: 2 }).apply(w).dataSync(), [1.2, 0.6, 1.6, -0.8]);
    // rate 0.5: desired = 0.5·clip + 0.5·norm → 3.5 and 0.75.
    expectClose(new MinMaxNorm({ minValue: 1, maxValue: 2, rate: 0.5 }).apply(w).dataSync(), [2.1, 0.45, 2.8, -0.6]);
  });

  it('an all-zero column stays zero (no NaN)', () => {
    expectClose(new UnitNorm().apply(tensor([[0, 1], [0, 0]])).dataSync(), [0, 1, 0, 0]);
  });

  it('Keras defaults and configs', () => {
    expect(new MaxNorm().getConfig()).toEqual({ maxValue: 2, axis: 0 });
    expect(new UnitNorm().getConfig()).toEqual({ axis: 0 });
    expect(new MinMaxNorm().getConfig()).toEqual({ minValue: 0, maxValue: 1, rate: 1, axis: 0 });
    expect(new NonNeg().getConfig()).toEqual({});
  });

  it('getConstraint resolves names, configs and instances', () => {
    expect(getConstraint('maxNorm')).toBeInstanceOf(MaxNorm);
    expect(getConstraint('max_norm')).toBeInstanceOf(MaxNorm);
    expect(getConstraint('non_neg')).toBeInstanceOf(NonNeg);
    expect(getConstraint('UnitNorm')).toBeInstanceOf(UnitNorm);
    expect(listConstraints()).toEqual(['maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm']);
    for (const c of [new MaxNorm({ maxValue: 3, axis: [0, 1] }), new NonNeg(), new UnitNorm({ axis: 1 }), new MinMaxNorm({ minValue: 0.5, maxValue: 4, rate: 0.3, axis: 1 })]) {
      const again = getConstraint(serializeConstraint(c));
      expect(again.className).toBe(c.className);
      expect(again.getConfig()).toEqual(c.getConfig());
    }
    const mine = new NonNeg();
    expect(getConstraint(mine)).toBe(mine);
  });

  it('rejects unknown names and bad options', () => {
    expect(() => getConstraint('maxnrom')).toThrow(/Unknown constraint 'maxnrom'\. Did you mean 'maxNorm'\?/);
    expect(() => new MaxNorm({ maxValue: -1 })).toThrow('MaxNorm: maxValue must be a number >= 0, got -1');
    expect(() => new MinMaxNorm({ minValue: 2, maxValue: 1 })).toThrow('MinMaxNorm: maxValue must be >= minValue, got minValue=2, maxValue=1');
    expect(() => new UnitNorm({ axis: 0.5 })).toThrow('UnitNorm: axis must be an integer or a non-empty list of integers, got 0.5');
  });
});
