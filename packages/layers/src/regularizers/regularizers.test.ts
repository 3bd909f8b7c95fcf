import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { getRegularizer, listRegularizers, serializeRegularizer } from './registry.js';
import { L1, l1, L1L2, l1l2, L2, l2 } from './regularizer.js';

const w = tensor([[1, -2], [0.5, -0.25]]);
// Σ|w| = 3.75, Σw² = 1 + 4 + 0.25 + 0.0625 = 5.3125

describe('regularizers', () => {
  it('L1, L2 and L1L2 penalties are scalars from the Keras formulas', () => {
    const p1 = new L1({ l1: 0.1 }).apply(w);
    expect(p1.shape).toEqual([]);
    expect(p1.item()).toBeCloseTo(0.375, 6);
    expect(new L2({ l2: 0.1 }).apply(w).item()).toBeCloseTo(0.53125, 6);
    expect(new L1L2({ l1: 0.1, l2: 0.01 }).apply(w).item()).toBeCloseTo(0.375 + 0.053125, 6);
    expect(new L1L2().apply(w).item()).toBe(0);
  });

  it('shortcuts default to Keras rates (0.01)', () => {
    expect(l1().l1).toBe(0.01);
    expect(l2().l2).toBe(0.01);
    expect(l2(0.5).apply(w).item()).toBeCloseTo(2.65625, 5);
    expect(l1l2().getConfig()).toEqual({ l1: 0.01, l2: 0.01 });
    expect(l1l2({ l2: 0.2 }).getConfig()).toEqual({ l1: 0.01, l2: 0.2 });
    expect(new L1L2().getConfig()).toEqual({ l1: 0, l2: 0 });
  });

  it('penalties are differentiable: d(l2·Σw²)/dw = 2·l2·w', () => {
    expect(gradCheck((x) => new L1L2({ l1: 0.3, l2: 0.7 }).apply(x), [w]).ok).toBe(true);
  });

  it('getRegularizer resolves names, TF.js configs and instances', () => {
    expect(getRegularizer('l2')).toBeInstanceOf(L2);
    expect(getRegularizer('L1')).toBeInstanceOf(L1);
    expect(getRegularizer('l1_l2').getConfig()).toEqual({ l1: 0.01, l2: 0.01 });
    expect(listRegularizers()).toEqual(['l1', 'l2', 'l1l2']);
    const tfjs = getRegularizer({ className: 'L1L2', config: { l1: 0, l2: 0.001 } });
    expect(tfjs).toBeInstanceOf(L1L2);
    expect(tfjs.getConfig()).toEqual({ l1: 0, l2: 0.001 });
    for (const r of [new L1({ l1: 0.2 }), new L2({ l2: 0.3 }), new L1L2({ l1: 0.1, l2: 0.4 })]) {
      const again = getRegularizer(serializeRegularizer(r));
      expect(again.className).toBe(r.className);
      expect(again.getConfig()).toEqual(r.getConfig());
    }
    const mine = l2();
    expect(getRegularizer(mine)).toBe(mine);
  });

  it('rejects unknown names and bad rates', () => {
    expect(() => getRegularizer('l3')).toThrow(/Unknown regularizer 'l3'\. Did you mean 'l1'\? Valid names: l1, l2, l1l2/);
    expect(() => getRegularizer({ className: 'Dropout' })).toThrow(/Unknown regularizer class 'Dropout'/);
    expect(() => l2(-1)).toThrow('L2: l2 must be a finite number >= 0, got -1');
  });
});
