import { describe, expect, it } from 'vitest';
import { runKernel } from '../engine.js';
import { tensor } from '../ops/convert.js';

describe('ReluGrad', () => {
  it('is dy where x > 0 and dy · 0 elsewhere (NaN stays NaN, zeros keep the sign of dy)', () => {
    const x = tensor([2, -1, 0, -0, NaN, 0.5, -3, 1e-30], [2, 4]);
    const dy = tensor([3, -4, 5, -6, 7, NaN, NaN, -0], [2, 4]);
    const out = runKernel('ReluGrad', [dy, x], {});
    expect(out.shape).toEqual([2, 4]);
    expect(out.dtype).toBe('float32');
    // 3·1, −4·0, 5·0, −6·0, 7·0 (x NaN: not > 0), NaN·1, NaN·0, −0·1.
    expect(Array.from(out.dataSync())).toEqual([3, -0, 0, -0, 0, NaN, NaN, -0]);
  });

  it('refuses dy and x of different shapes', () => {
    expect(() => runKernel('ReluGrad', [tensor([1, 2, 3]), tensor([1, 2])], {})).toThrow(
      'ReluGrad: dy and x must have the same shape, got [3] and [2]',
    );
  });
});
