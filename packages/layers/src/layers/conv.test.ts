import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { Conv1D, Conv2D, Conv2DTranspose } from './conv.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

/** TF's 'same' padding before the data: half the total, rounded down. */
function padBefore(len: number, k: number, s: number, d: number, padding: string): number {
  if (padding === 'valid') return 0;
  const dk = (k - 1) * d + 1;
  const out = Math.ceil(len / s);
  return Math.floor(Math.max((out - 1) * s + dk - len, 0) / 2);
}

/** Direct NHWC convolution, written from the definition. */
type Shape4 = readonly [number, number, number, number];

function refConv2d(x: number[], [n, h, w, c]: Shape4, k: number[], [kh, kw, , o]: Shape4, s: readonly number[], d: readonly number[], padding: string, bias: number[]) {
  const dkh = (kh - 1) * d[0]! + 1;
  const dkw = (kw - 1) * d[1]! + 1;
  const oh = padding === 'same' ? Math.ceil(h / s[0]!) : Math.floor((h - dkh) / s[0]!) + 1;
  const ow = padding === 'same' ? Math.ceil(w / s[1]!) : Math.floor((w - dkw) / s[1]!) + 1;
  const pt = padBefore(h, kh, s[0]!, d[0]!, padding);
  const pl = padBefore(w, kw, s[1]!, d[1]!, padding);
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let f = 0; f < o; f++) {
          let acc = bias[f]!;
          for (let a = 0; a < kh; a++)
            for (let e = 0; e < kw; e++) {
              const y = i * s[0]! + a * d[0]! - pt;
              const z = j * s[1]! + e * d[1]! - pl;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (let q = 0; q < c; q++) acc += x[((b * h + y) * w + z) * c + q]! * k[((a * kw + e) * c + q) * o + f]!;
            }
          out.push(acc);
        }
  return { shape: [n, oh, ow, o], values: out };
}

function weightsOf(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('Conv2D', () => {
  it('matches a hand-computed 3x3 input, 2x2 kernel, valid padding', () => {
    const conv = new Conv2D({ filters: 1, kernelSize: 2 });
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    conv.apply(x);
    conv.setWeights([tensor([1, 0, 0, -1], [2, 2, 1, 1]), tensor([10])]);
    // each output = x[i][j] − x[i+1][j+1] + 10 = −4 + 10
    expectTensor(conv.apply(x), [1, 2, 2, 1], [6, 6, 6, 6]);
    expect(conv.getWeightNames()).toEqual(['conv2d/kernel', 'conv2d/bias']);
  });

  const cases: [string, number[], number[], string][] = [
    ['valid stride 1', [1, 1], [1, 1], 'valid'],
    ['same stride 1', [1, 1], [1, 1], 'same'],
    ['valid stride 2', [2, 2], [1, 1], 'valid'],
    ['same stride 2', [2, 2], [1, 1], 'same'],
    ['same stride [1,2]', [1, 2], [1, 1], 'same'],
    ['valid dilation 2', [1, 1], [2, 2], 'valid'],
    ['same dilation 2', [1, 1], [2, 2], 'same'],
  ];
  for (const [label, strides, dil, padding] of cases) {
    it(`matches the direct convolution: ${label}`, () => {
      const conv = new Conv2D({ filters: 2, kernelSize: [3, 2], strides, dilationRate: dil, padding });
      const xShape = [2, 6, 5, 3] as const;
      const x = pseudoTensor(xShape, 11);
      conv.apply(x);
      setPseudoWeights(conv);
      const ref = refConv2d(weightsOf(x), xShape, weightsOf(conv.kernel!), [3, 2, 3, 2], strides, dil, padding, weightsOf(conv.bias!));
      const y = conv.apply(x);
      expectTensor(y, ref.shape, ref.values, 1e-4);
      expect(conv.computeOutputShape([null, 6, 5, 3])).toEqual([null, ...ref.shape.slice(1)]);
    });
  }

  it('rejects bad padding, strides with dilation, channels-first and wrong rank', () => {
    expect(() => new Conv2D({ filters: 1, kernelSize: 3, padding: 'full' })).toThrow(/Conv2D: padding must be one of 'valid', 'same', got "full"/);
    expect(() => new Conv2D({ filters: 1, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/strides > 1 cannot be combined with dilationRate > 1/);
    expect(() => new Conv2D({ filters: 1, kernelSize: 3, dataFormat: 'channels_first' })).toThrow(/dataFormat must be 'channelsLast'/);
    expect(() => new Conv2D({ filters: 1, kernelSize: [3, 3, 3] })).toThrow(/kernelSize must be a positive integer or 2 positive integers/);
    expect(() => new Conv2D({ filters: 1, kernelSize: 1 }).apply(tensor([[1, 2]]))).toThrow(/Conv2D: expected input of rank 4/);
  });

  it('passes gradCheck (same padding, stride 2)', () => {
    const conv = new Conv2D({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', activation: 'tanh' });
    const x = pseudoTensor([1, 3, 3, 2], 5);
    conv.apply(x);
    setPseudoWeights(conv);
    checkLayerGrads(conv, x);
  });
});

describe('Conv1D', () => {
  const ref1d = (x: number[], [n, w, c]: readonly [number, number, number], k: number[], ks: number, o: number, s: number, d: number, padding: string, bias: number[]) => {
    const r = padding === 'causal'
      ? (() => {
          const left = (ks - 1) * d;
          const padded: number[] = [];
          for (let b = 0; b < n; b++) {
            for (let i = 0; i < left * c; i++) padded.push(0);
            padded.push(...x.slice(b * w * c, (b + 1) * w * c));
          }
          return refConv2d(padded, [n, 1, w + left, c], k, [1, ks, c, o], [1, s], [1, d], 'valid', bias);
        })()
      : refConv2d(x, [n, 1, w, c], k, [1, ks, c, o], [1, s], [1, d], padding, bias);
    return { shape: [n, r.shape[2]!, o], values: r.values };
  };
  for (const [padding, s, d] of [['valid', 1, 1], ['same', 1, 1], ['valid', 2, 1], ['same', 2, 1], ['causal', 1, 1], ['causal', 1, 2], ['valid', 1, 2]] as const) {
    it(`matches the direct convolution: ${padding}, stride ${s}, dilation ${d}`, () => {
      const conv = new Conv1D({ filters: 2, kernelSize: 3, strides: s, dilationRate: d, padding });
      const x = pseudoTensor([2, 7, 2], 13);
      conv.apply(x);
      setPseudoWeights(conv);
      expect(conv.kernel!.shape).toEqual([3, 2, 2]);
      const ref = ref1d(weightsOf(x), [2, 7, 2], weightsOf(conv.kernel!), 3, 2, s, d, padding, weightsOf(conv.bias!));
      expectTensor(conv.apply(x), ref.shape, ref.values, 1e-4);
      expect(conv.computeOutputShape([null, 7, 2])).toEqual([null, ref.shape[1], 2]);
    });
  }

  it('causal output t depends only on inputs up to t (hand check)', () => {
    const conv = new Conv1D({ filters: 1, kernelSize: 2, padding: 'causal', useBias: false });
    const x = tensor([1, 2, 3], [1, 3, 1]);
    conv.apply(x);
    conv.setWeights([tensor([10, 1], [2, 1, 1])]);
    // y_t = 10·x_{t−1} + x_t with x_{−1} = 0
    expectTensor(conv.apply(x), [1, 3, 1], [1, 12, 23]);
  });

  it('passes gradCheck (causal)', () => {
    const conv = new Conv1D({ filters: 2, kernelSize: 2, padding: 'causal' });
    const x = pseudoTensor([2, 4, 2], 21);
    conv.apply(x);
    setPseudoWeights(conv);
    checkLayerGrads(conv, x);
  });
});

describe('Conv2DTranspose', () => {
  /** Scatter form of the transposed convolution: each input pixel adds kernel·x to the output. */
  function refTranspose(x: number[], [n, h, w, c]: Shape4, k: number[], [kh, kw, o]: readonly [number, number, number], s: readonly number[], padding: string, bias: number[]) {
    const oh = padding === 'same' ? h * s[0]! : h * s[0]! + Math.max(kh - s[0]!, 0);
    const ow = padding === 'same' ? w * s[1]! : w * s[1]! + Math.max(kw - s[1]!, 0);
    const pt = padding === 'same' ? Math.floor(Math.max((h - 1) * s[0]! + kh - oh, 0) / 2) : 0;
    const pl = padding === 'same' ? Math.floor(Math.max((w - 1) * s[1]! + kw - ow, 0) / 2) : 0;
    const out = new Array<number>(n * oh * ow * o).fill(0);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let f = 0; f < o; f++) out[((b * oh + i) * ow + j) * o + f] = bias[f]!;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let a = 0; a < kh; a++)
            for (let e = 0; e < kw; e++) {
              const y = i * s[0]! + a - pt;
              const z = j * s[1]! + e - pl;
              if (y < 0 || y >= oh || z < 0 || z >= ow) continue;
              for (let f = 0; f < o; f++)
                for (let q = 0; q < c; q++) out[((b * oh + y) * ow + z) * o + f]! += x[((b * h + i) * w + j) * c + q]! * k[((a * kw + e) * o + f) * c + q]!;
            }
    return { shape: [n, oh, ow, o], values: out };
  }

  it('matches a hand computation: 2x2 input, 2x2 kernel, stride 2', () => {
    const t = new Conv2DTranspose({ filters: 1, kernelSize: 2, strides: 2, useBias: false });
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    t.apply(x);
    t.setWeights([tensor([1, 10, 100, 1000], [2, 2, 1, 1])]);
    // each input pixel v becomes the block [[v, 10v], [100v, 1000v]]
    expectTensor(t.apply(x), [1, 4, 4, 1], [1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000]);
  });

  for (const [padding, s, k] of [['valid', 1, 3], ['same', 1, 3], ['valid', 2, 3], ['same', 2, 3], ['valid', 2, 1], ['same', 2, 2]] as const) {
    it(`matches the scatter definition: ${padding}, stride ${s}, kernel ${k}`, () => {
      const t = new Conv2DTranspose({ filters: 2, kernelSize: k, strides: s, padding });
      const x = pseudoTensor([1, 3, 2, 3], 17);
      t.apply(x);
      setPseudoWeights(t);
      expect(t.kernel!.shape).toEqual([k, k, 2, 3]);
      const ref = refTranspose(weightsOf(x), [1, 3, 2, 3], weightsOf(t.kernel!), [k, k, 2], [s, s], padding, weightsOf(t.bias!));
      expectTensor(t.apply(x), ref.shape, ref.values, 1e-4);
      expect(t.computeOutputShape([null, 3, 2, 3])).toEqual([null, ...ref.shape.slice(1)]);
    });
  }

  it('passes gradCheck', () => {
    const t = new Conv2DTranspose({ filters: 1, kernelSize: 2, strides: 2, padding: 'same' });
    const x = pseudoTensor([1, 2, 2, 2], 23);
    t.apply(x);
    setPseudoWeights(t);
    checkLayerGrads(t, x);
  });

  it('rejects output padding not below the stride, and groups (dilation and output padding: conv_transpose.test.ts)', () => {
    expect(() => new Conv2DTranspose({ filters: 1, kernelSize: 2, outputPadding: [1, 1] })).toThrow(/Conv2DTranspose: outputPadding must be smaller than the stride/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 2, groups: 2 })).toThrow(/Conv2D: groups must be 1/);
    expect(new Conv2D({ filters: 2, kernelSize: 2, groups: 1 }).filters).toBe(2);
  });
});


