import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { UpSampling2D, ZeroPadding2D } from './spatial-2d.js';
import { expectTensor, pseudoTensor } from './test-utils/helpers.js';

describe('ZeroPadding2D', () => {
  const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  it('pads every side by 1 by default', () => {
    expectTensor(new ZeroPadding2D().apply(x), [1, 4, 4, 1], [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });
  it('takes [h, w] and [[top, bottom], [left, right]]', () => {
    expectTensor(new ZeroPadding2D({ padding: [1, 0] }).apply(x), [1, 4, 2, 1], [0, 0, 1, 2, 3, 4, 0, 0]);
    expectTensor(new ZeroPadding2D({ padding: [[0, 1], [2, 0]] }).apply(x), [1, 3, 4, 1], [0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0]);
    expect(new ZeroPadding2D({ padding: [[0, 1], [2, 0]] }).computeOutputShape([null, 5, 5, 3])).toEqual([null, 6, 7, 3]);
  });
  it('rejects malformed padding and passes gradCheck', () => {
    expect(() => new ZeroPadding2D({ padding: -1 })).toThrow(/ZeroPadding2D: padding must be/);
    gradCheck((t) => new ZeroPadding2D({ padding: [[1, 0], [0, 2]] }).apply(t), [pseudoTensor([1, 2, 2, 2], 3)]);
  });
});

describe('UpSampling2D', () => {
  it('repeats rows and columns (nearest)', () => {
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    expectTensor(new UpSampling2D().apply(x), [1, 4, 4, 1], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expectTensor(new UpSampling2D({ size: [1, 3] }).apply(x), [1, 2, 6, 1], [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(new UpSampling2D({ size: [2, 3] }).computeOutputShape([null, 4, 5, 2])).toEqual([null, 8, 15, 2]);
  });
  it('keeps channels apart', () => {
    const x = tensor([1, 10, 2, 20], [1, 1, 2, 2]);
    expectTensor(new UpSampling2D({ size: [2, 1] }).apply(x), [1, 2, 2, 2], [1, 10, 2, 20, 1, 10, 2, 20]);
  });
  it('rejects unknown interpolation modes and passes gradCheck', () => {
    expect(() => new UpSampling2D({ interpolation: 'bicubic' as 'bilinear' })).toThrow(/UpSampling2D: interpolation must be 'nearest' or 'bilinear', got "bicubic"/);
    gradCheck((t) => new UpSampling2D({ size: [2, 3] }).apply(t), [pseudoTensor([2, 2, 2, 2], 5)]);
  });
});
