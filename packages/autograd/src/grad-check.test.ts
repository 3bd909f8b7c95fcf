import { mul, sin, sum, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { customGrad } from './custom-grad.js';
import { gradCheck } from './grad-check.js';

describe('gradCheck', () => {
  it('passes a correct gradient and reports what it checked', () => {
    const report = gradCheck((x, y) => mul(sin(x), y), [tensor([[0.1, 0.5], [1, -2]]), tensor([2, 3])]);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(6);
    expect(report.failures).toBe(0);
    expect(report.maxAbsError).toBeLessThan(1e-3);
  });

  it('catches a wrong custom gradient and names the worst element', () => {
    // d/dx x² is 2x; this claims 2x + 0.1 on the last element only.
    const square = customGrad((x) => ({
      value: mul(x, x),
      gradFunc: (dy) => mul(dy, mul(x, 2).add(tensor([0, 0, 0.1]))),
    }));
    const report = gradCheck((x) => sum(square(x)), [[1, 2, 3]], { throwOnFailure: false });
    expect(report.ok).toBe(false);
    expect(report.failures).toBe(1);
    expect(report.worst).toMatchObject({ input: 0, index: 2 });
    expect(report.worst!.analytic).toBeCloseTo(6.1, 5);
    expect(report.worst!.numeric).toBeCloseTo(6, 2);
    expect(() => gradCheck((x) => sum(square(x)), [[1, 2, 3]])).toThrow(
      /gradCheck: analytic and numeric gradients differ for 1 of 3 elements; worst: input 0 \(shape \[3\]\), flat index 2/,
    );
  });

  it('skips integer inputs and passes them through', () => {
    const report = gradCheck((x, i) => x.gather(i), [tensor([1, 2, 3]), tensor([2, 2, 0], [3], 'int32')]);
    expect(report.checked).toBe(3);
    expect(report.ok).toBe(true);
  });

  it('rejects a bad eps', () => {
    expect(() => gradCheck((x) => x, [[1]], { eps: 0 })).toThrow('gradCheck: eps must be a positive number, got 0');
  });
});
