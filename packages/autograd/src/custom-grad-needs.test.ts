import { mul, sum, tensor } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { customGrad } from './custom-grad.js';
import { variable } from './variable.js';
import { variableGrads } from './grad.js';

describe('customGrad needs', () => {
  it('tells gradFunc which inputs need a gradient, and accepts null for the others', () => {
    const seen: boolean[][] = [];
    const prod = customGrad((a: Tensor, b: Tensor) => ({
      value: mul(a, b),
      gradFunc: (dy, needs) => {
        seen.push([...needs]);
        return [needs[0] ? mul(dy, b) : null, needs[1] ? mul(dy, a) : null];
      },
    }));
    const a = variable(tensor([1, 2, 3]));
    const b = tensor([4, 5, 6]);
    const { grads } = variableGrads(() => sum(prod(a, b)), [a]);
    expect(seen).toEqual([[true, false]]);
    expect(Array.from(grads.get(a)!.dataSync())).toEqual([4, 5, 6]);
  });

  it('still refuses null for an input that needs a gradient', () => {
    const bad = customGrad((a: Tensor) => ({ value: mul(a, 2), gradFunc: () => [null] }));
    const a = variable(tensor([1, 2]));
    expect(() => variableGrads(() => sum(bad(a)), [a])).toThrow(/customGrad: gradFunc's gradient 0 must be a Tensor, got object/);
  });
});
