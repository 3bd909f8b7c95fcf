import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { DepthwiseConv2D, SeparableConv2D } from './depthwise-conv.js';
import { checkLayerGrads, expectTensor, flat, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

type Shape4 = readonly [number, number, number, number];

/** Depthwise convolution from the definition: channel c's m-th filter writes output channel c·M + m. */
function refDepthwise(x: number[], [n, h, w, c]: Shape4, k: number[], [kh, kw, , m]: Shape4, s: number, d: number, padding: string) {
  const dkh = (kh - 1) * d + 1;
  const dkw = (kw - 1) * d + 1;
  const oh = padding === 'same' ? Math.ceil(h / s) : Math.floor((h - dkh) / s) + 1;
  const ow = padding === 'same' ? Math.ceil(w / s) : Math.floor((w - dkw) / s) + 1;
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * s + dkh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * s + dkw - w, 0) / 2) : 0;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let q = 0; q < c; q++)
          for (let f = 0; f < m; f++) {
            let acc = 0;
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++) {
                const y = i * s + a * d - pt;
                const z = j * s + e * d - pl;
                if (y >= 0 && y < h && z >= 0 && z < w) acc += x[((b * h + y) * w + z) * c + q]! * k[((a * kw + e) * c + q) * m + f]!;
              }
            out.push(acc);
          }
  return { shape: [n, oh, ow, c * m], values: out };
}

describe('DepthwiseConv2D', () => {
  it('hand check: each channel keeps its own filter', () => {
    const dw = new DepthwiseConv2D({ kernelSize: 2, useBias: false });
    const x = tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    dw.apply(x);
    // channel 0 filter sums the window, channel 1 filter takes its top-left pixel
    dw.setWeights([tensor([1, 1, 1, 0, 1, 0, 1, 0], [2, 2, 2, 1])]);
    expectTensor(dw.apply(x), [1, 1, 1, 2], [10, 10]);
    expect(dw.getWeightNames()).toEqual(['depthwise_conv2d/depthwise_kernel']);
  });

  // 3 channels take the block-diagonal path, 10 the per-channel one.
  for (const [padding, s, d, m, c] of [['valid', 1, 1, 1, 3], ['same', 2, 1, 2, 3], ['valid', 1, 2, 3, 3], ['same', 1, 1, 1, 3], ['same', 2, 1, 2, 10], ['valid', 1, 2, 1, 10]] as const) {
    it(`matches the definition: ${padding}, stride ${s}, dilation ${d}, multiplier ${m}, ${c} channels`, () => {
      const dw = new DepthwiseConv2D({ kernelSize: [3, 2], strides: s, dilationRate: d, depthMultiplier: m, padding });
      const shape = [2, 6, 5, c] as const;
      const x = pseudoTensor(shape, 5);
      dw.apply(x);
      setPseudoWeights(dw);
      expect(dw.depthwiseKernel!.shape).toEqual([3, 2, c, m]);
      const ref = refDepthwise(Array.from(x.dataSync()), shape, Array.from(dw.depthwiseKernel!.dataSync()), [3, 2, c, m], s, d, padding);
      const bias = Array.from(dw.bias!.dataSync());
      expectTensor(dw.apply(x), ref.shape, ref.values.map((v, i) => v + bias[i % (c * m)]!), 1e-4);
      expect(dw.computeOutputShape([null, 6, 5, c])).toEqual([null, ...ref.shape.slice(1)]);
    });
  }

  it('passes gradCheck (both paths)', () => {
    for (const c of [2, 9]) {
      const dw = new DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, padding: 'same' });
      const x = pseudoTensor([1, 3, 2, c], 7);
      dw.apply(x);
      setPseudoWeights(dw);
      checkLayerGrads(dw, x);
    }
  });
});

describe('SeparableConv2D', () => {
  it('is a depthwise convolution followed by a 1x1 convolution', () => {
    const sep = new SeparableConv2D({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2 });
    const shape = [2, 5, 5, 3] as const;
    const x = pseudoTensor(shape, 9);
    sep.apply(x);
    setPseudoWeights(sep);
    expect(sep.getWeightNames()).toEqual(['separable_conv2d/depthwise_kernel', 'separable_conv2d/pointwise_kernel', 'separable_conv2d/bias']);
    expect(sep.pointwiseKernel!.shape).toEqual([1, 1, 6, 4]);
    const dw = refDepthwise(Array.from(x.dataSync()), shape, Array.from(sep.depthwiseKernel!.dataSync()), [3, 3, 3, 2], 2, 1, 'same');
    const pw = flat(sep.pointwiseKernel!.toArray());
    const bias = Array.from(sep.bias!.dataSync());
    const pixels = dw.values.length / 6;
    const want: number[] = [];
    for (let p = 0; p < pixels; p++)
      for (let f = 0; f < 4; f++) {
        let acc = bias[f]!;
        for (let k = 0; k < 6; k++) acc += dw.values[p * 6 + k]! * pw[k * 4 + f]!;
        want.push(acc);
      }
    expectTensor(sep.apply(x), [2, 3, 3, 4], want, 1e-4);
    expect(sep.computeOutputShape([null, 5, 5, 3])).toEqual([null, 3, 3, 4]);
  });

  it('passes gradCheck', () => {
    const sep = new SeparableConv2D({ filters: 2, kernelSize: 2, activation: 'tanh' });
    const x = pseudoTensor([1, 3, 3, 2], 3);
    sep.apply(x);
    setPseudoWeights(sep);
    checkLayerGrads(sep, x);
  });
});
