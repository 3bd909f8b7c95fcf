import { describe, expect, it } from 'vitest';
import { convGeometry, poolGeometry, windowOutputSize } from './window-geometry.js';

const conv = (strides: [number, number], pad: [number, number, number, number], dilations: [number, number] = [1, 1]) => ({
  strides,
  pad,
  dilations,
});

describe('windowOutputSize', () => {
  it('counts the window positions of a plain, strided, padded and dilated sweep', () => {
    expect(windowOutputSize(5, 3, 1, 1, 0, 0)).toBe(3); // positions 0, 1, 2
    expect(windowOutputSize(5, 3, 2, 1, 0, 0)).toBe(2); // starts 0 and 2; start 4 would overrun
    expect(windowOutputSize(5, 3, 2, 1, 1, 1)).toBe(3); // 7 padded: starts 0, 2, 4
    expect(windowOutputSize(7, 3, 1, 2, 0, 0)).toBe(3); // dilated extent 5: starts 0, 1, 2
    expect(windowOutputSize(6, 2, 2, 1, 0, 1)).toBe(3); // 'same' for stride 2: ceil(6 / 2)
  });

  it('is zero or less when the dilated window does not fit', () => {
    expect(windowOutputSize(2, 3, 1, 1, 0, 0)).toBe(0);
    expect(windowOutputSize(2, 3, 1, 2, 0, 0)).toBe(-2);
  });
});

describe('convGeometry', () => {
  it('returns sizes, attributes and the patch length', () => {
    expect(convGeometry([2, 5, 6, 3], [3, 2, 3, 4], conv([2, 1], [1, 1, 0, 1]))).toEqual({
      n: 2, h: 5, w: 6, c: 3, kh: 3, kw: 2, o: 4,
      oh: 3, ow: 6, // floor((7 - 3) / 2) + 1 and floor((7 - 2) / 1) + 1
      sh: 2, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 0, pr: 1, k: 18,
    });
  });

  it('explains shapes that make no convolution', () => {
    expect(convGeometry([5, 6, 3], [3, 3, 3, 4], conv([1, 1], [0, 0, 0, 0]))).toBe(
      'expected a rank-4 NHWC input and a rank-4 [kh,kw,in,out] filter, got [5,6,3] and [3,3,3,4]',
    );
    expect(convGeometry([1, 5, 6, 3], [3, 3, 2, 4], conv([1, 1], [0, 0, 0, 0]))).toBe(
      'input has 3 channels but the filter expects 2 (input [1,5,6,3], filter [3,3,2,4])',
    );
    expect(convGeometry([1, 2, 6, 3], [3, 3, 3, 4], conv([1, 1], [0, 0, 0, 0], [2, 1]))).toBe(
      'the dilated filter [3,3,3,4] does not fit the padded input [1,2,6,3]',
    );
  });
});

describe('poolGeometry', () => {
  it('returns sizes and attributes', () => {
    expect(poolGeometry([1, 4, 5, 2], { filterSize: [2, 3], strides: [2, 2], pad: [0, 0, 1, 0] })).toEqual({
      n: 1, h: 4, w: 5, c: 2, fh: 2, fw: 3, sh: 2, sw: 2, pt: 0, pb: 0, pl: 1, pr: 0,
      oh: 2, ow: 2, // floor((4 - 2) / 2) + 1 and floor((6 - 3) / 2) + 1
    });
  });

  it('explains shapes that allow no pooling', () => {
    expect(poolGeometry([4, 5, 2], { filterSize: [2, 2], strides: [1, 1], pad: [0, 0, 0, 0] })).toBe(
      'expected a rank-4 NHWC input, got [4,5,2]',
    );
    expect(poolGeometry([1, 1, 5, 2], { filterSize: [3, 2], strides: [1, 1], pad: [0, 0, 0, 0] })).toBe(
      'window [3,2] does not fit the padded input [1,1,5,2]',
    );
  });
});
