import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { Conv1DTranspose, Conv2DTranspose, convTransposeOutputLength } from './conv.js';
import { checkLayerGrads, expectTensor, pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => resetLayerNames());

/**
 * Transposed convolution from its definition: every input pixel scatters `x · kernel` onto the
 * output, tap (a, e) landing at (i·s + a·d − top, j·s + e·d − left). The output is cropped by TF's
 * rule for a convolution of the output back to the input: 'valid' none, 'same' half of
 * (in − 1)·s + dk − out before (rounded down).
 */
function refTranspose(
  x: number[], [n, h, w, c]: readonly number[], k: number[], [kh, kw, o]: readonly number[],
  s: readonly number[], d: readonly number[], padding: string, [oh, ow]: readonly number[], bias: number[],
): number[] {
  const crop = (inLen: number, kk: number, ss: number, dd: number, outLen: number): number => {
    if (padding === 'valid') return 0;
    const dk = (kk - 1) * dd + 1;
    return Math.floor(Math.max((inLen - 1) * ss + dk - outLen, 0) / 2);
  };
  const top = crop(h!, kh!, s[0]!, d[0]!, oh!);
  const left = crop(w!, kw!, s[1]!, d[1]!, ow!);
  const out = new Array<number>(n! * oh! * ow! * o!).fill(0);
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < oh!; y++) for (let z = 0; z < ow!; z++) for (let f = 0; f < o!; f++) out[((b * oh! + y) * ow! + z) * o! + f] = bias[f]!;
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h!; i++)
      for (let j = 0; j < w!; j++)
        for (let a = 0; a < kh!; a++)
          for (let e = 0; e < kw!; e++) {
            const y = i * s[0]! + a * d[0]! - top;
            const z = j * s[1]! + e * d[1]! - left;
            if (y < 0 || y >= oh! || z < 0 || z >= ow!) continue;
            for (let f = 0; f < o!; f++)
              for (let q = 0; q < c!; q++) out[((b * oh! + y) * ow! + z) * o! + f]! += x[((b * h! + i) * w! + j) * c! + q]! * k[((a * kw! + e) * o! + f) * c! + q]!;
          }
  return out;
}

describe('Conv2DTranspose outputPadding and dilationRate', () => {
  const cases = [
    { kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 1], dilationRate: [1, 1] },
    { kernelSize: [3, 2], strides: [2, 3], padding: 'valid', outputPadding: [1, 2], dilationRate: [1, 1] },
    { kernelSize: [4, 3], strides: [3, 2], padding: 'same', outputPadding: [2, 0], dilationRate: [1, 1] },
    { kernelSize: [3, 3], strides: [1, 1], padding: 'same', outputPadding: null, dilationRate: [2, 2] },
    { kernelSize: [2, 3], strides: [1, 1], padding: 'valid', outputPadding: null, dilationRate: [3, 2] },
    { kernelSize: [3, 2], strides: [1, 1], padding: 'valid', outputPadding: [0, 0], dilationRate: [2, 1] },
  ] as const;
  for (const cfg of cases) {
    it(`matches a naive transposed convolution: ${JSON.stringify(cfg)}`, () => {
      const xShape = [2, 3, 4, 2];
      const layer = new Conv2DTranspose({ filters: 3, ...cfg, kernelSize: [...cfg.kernelSize], strides: [...cfg.strides], dilationRate: [...cfg.dilationRate], outputPadding: cfg.outputPadding === null ? null : [...cfg.outputPadding] });
      const xv = pseudo(2 * 3 * 4 * 2, 3);
      const y = layer.apply(tensor(xv, xShape));
      setPseudoWeights(layer);
      const out = layer.apply(tensor(xv, xShape));
      const expectedHW = [0, 1].map((i) => convTransposeOutputLength(xShape[1 + i]!, cfg.kernelSize[i]!, cfg.padding, cfg.strides[i]!, cfg.dilationRate[i]!, cfg.outputPadding?.[i] ?? null)!);
      expect(y.shape).toEqual([2, ...expectedHW, 3]);
      expect(layer.computeOutputShape([null, 3, 4, 2])).toEqual([null, ...expectedHW, 3]);
      const [kernel, bias] = layer.getWeights();
      const want = refTranspose(xv, xShape, Array.from(kernel!.dataSync()), kernel!.shape, cfg.strides, cfg.dilationRate, cfg.padding, expectedHW, Array.from(bias!.dataSync()));
      expectTensor(out, [2, ...expectedHW, 3], want, 1e-5);
    });
  }

  it("uses Keras's output lengths", () => {
    // k 3, stride 2, 'same', outputPadding 1: (3 − 1)·2 + 3 − 2·1 + 1 = 6; 'valid' with 0: (3 − 1)·2 + 3 = 7.
    expect(convTransposeOutputLength(3, 3, 'same', 2, 1, 1)).toBe(6);
    expect(convTransposeOutputLength(3, 3, 'valid', 2, 1, 0)).toBe(7);
    // dilation 2 makes a 3-tap kernel span 5: 'valid' stride 1 gives 4 + 5 − 1 = 8.
    expect(convTransposeOutputLength(4, 3, 'valid', 1, 2, null)).toBe(8);
    expect(convTransposeOutputLength(null, 3, 'valid', 1, 2, null)).toBeNull();
  });

  it('agrees with TF.js conv2dTranspose given the same output shape', () => {
    const layer = new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 });
    const x = pseudoTensor([1, 3, 3, 2], 4);
    layer.apply(x);
    setPseudoWeights(layer);
    const [kernel, bias] = layer.getWeights();
    const y = layer.apply(x);
    const ref = tf.add(tf.conv2dTranspose(tf.tensor4d(Array.from(x.dataSync()), [1, 3, 3, 2]), tf.tensor4d(Array.from(kernel!.dataSync()), [3, 3, 2, 2]), [1, 6, 6, 2], 2, 'same'), tf.tensor1d(Array.from(bias!.dataSync())));
    expectTensor(y, [1, 6, 6, 2], Array.from(ref.dataSync()), 1e-5);
  });

  it('has exact gradients with dilation and with output padding', () => {
    checkLayerGrads(new Conv2DTranspose({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }), pseudoTensor([1, 3, 3, 2], 6));
    checkLayerGrads(new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }), pseudoTensor([1, 2, 3, 1], 7));
  });

  it('round-trips outputPadding through its config', () => {
    const layer = new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: [1, 0] });
    expect(layer.getConfig()['outputPadding']).toEqual([1, 0]);
    const copy = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(layer))) as { className: string; config: Record<string, unknown> });
    expect((copy as Conv2DTranspose).outputPadding).toEqual([1, 0]);
    expect(new Conv2DTranspose({ filters: 1, kernelSize: 1 }).getConfig()['outputPadding']).toBeNull();
  });

  it('rejects bad outputPadding and stride with dilation', () => {
    expect(() => new Conv2DTranspose({ filters: 1, kernelSize: 3, strides: 2, outputPadding: 2 })).toThrow(
      /^Conv2DTranspose: outputPadding must be smaller than the stride on each axis, got outputPadding \[2,2\] with strides \[2,2\]$/,
    );
    expect(() => new Conv2DTranspose({ filters: 1, kernelSize: 3, outputPadding: [0, -1] })).toThrow(/Conv2DTranspose: outputPadding must be null, a non-negative integer or 2 of them, got \[0,-1\]/);
    expect(() => new Conv2DTranspose({ filters: 1, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/strides > 1 cannot be combined with dilationRate > 1/);
    // k 4, stride 2, 'same', outputPadding 0: length (3 − 1)·2 + 4 − 4 = 4, whose 'same' convolution has length 2, not 3.
    expect(() => new Conv2DTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', outputPadding: 0 }).apply(pseudoTensor([1, 3, 3, 1]))).toThrow(
      /^Conv2DTranspose 'conv2d_transpose(_\d+)?': conv2dTranspose: outputShape \[1,4,4,1\] does not match x \[1,3,3,1\].* \(outputPadding \[0,0\] with padding 'same' gives an output that a convolution does not map back to the input; TF refuses it too\)$/,
    );
  });
});

describe('Conv1DTranspose', () => {
  it('matches TF.js conv1dTranspose-as-2-D and the naive definition, with Keras kernel layout [k, filters, in]', () => {
    for (const cfg of [
      { kernelSize: 3, strides: 2, padding: 'valid', outputPadding: null, dilationRate: 1 },
      { kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1, dilationRate: 1 },
      { kernelSize: 2, strides: 1, padding: 'same', outputPadding: null, dilationRate: 2 },
    ] as const) {
      const layer = new Conv1DTranspose({ filters: 2, ...cfg });
      const xv = pseudo(2 * 5 * 3, 8);
      const x = tensor(xv, [2, 5, 3]);
      layer.apply(x);
      setPseudoWeights(layer);
      const [kernel, bias] = layer.getWeights();
      expect(kernel!.shape).toEqual([cfg.kernelSize, 2, 3]);
      const out = layer.apply(x);
      const len = convTransposeOutputLength(5, cfg.kernelSize, cfg.padding, cfg.strides, cfg.dilationRate, cfg.outputPadding)!;
      expect(layer.computeOutputShape([null, 5, 3])).toEqual([null, len, 2]);
      const want = refTranspose(xv, [2, 1, 5, 3], Array.from(kernel!.dataSync()), [1, cfg.kernelSize, 2], [1, cfg.strides], [1, cfg.dilationRate], cfg.padding, [1, len], Array.from(bias!.dataSync()));
      expectTensor(out, [2, len, 2], want, 1e-5);
    }
  });

  it('agrees with a TF.js Conv2DTranspose layer over a height of 1', () => {
    const layer = new Conv1DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
    const x = pseudoTensor([1, 4, 2], 9);
    layer.apply(x);
    setPseudoWeights(layer);
    const k = layer.getWeights()[0]!;
    const tfLayer = tf.layers.conv2dTranspose({ filters: 2, kernelSize: [1, 3], strides: [1, 2], padding: 'same', useBias: false });
    tfLayer.build([null, 1, 4, 2]);
    tfLayer.setWeights([tf.tensor4d(Array.from(k.dataSync()), [1, 3, 2, 2])]);
    const ref = tfLayer.apply(tf.tensor4d(Array.from(x.dataSync()), [1, 1, 4, 2])) as tf.Tensor;
    expectTensor(layer.apply(x), [1, 8, 2], Array.from(ref.dataSync()), 1e-5);
  });

  it('has exact gradients and round-trips its config', () => {
    const layer = new Conv1DTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1, activation: 'tanh' });
    checkLayerGrads(layer, pseudoTensor([2, 3, 2], 10));
    const copy = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(layer))) as { className: string; config: Record<string, unknown> });
    expect(copy.getConfig()).toEqual(layer.getConfig());
    expect(() => layer.apply(pseudoTensor([2, 3, 3, 2], 1))).toThrow(/Conv1DTranspose/);
  });
});
