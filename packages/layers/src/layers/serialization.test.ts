import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { deserializeLayer, listLayers, serializeLayer } from '../engine/registry.js';
import * as L from './index.js';
import { expectTensor, flat, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

const seq = (): Tensor => pseudoTensor([2, 4, 3], 3);
const img = (): Tensor => pseudoTensor([2, 5, 5, 2], 4);
const vec = (): Tensor => pseudoTensor([2, 6], 5);

const vec2 = (): Tensor[] => [pseudoTensor([2, 6], 6), pseudoTensor([2, 6], 7)];
const mixedRanks = (): Tensor[] => [pseudoTensor([2, 6], 8), pseudoTensor([2, 4, 6], 9), pseudoTensor([2, 1], 10)];

/** One non-default instance of every layer, with an input it accepts (a list for the merge layers). */
const cases: Record<string, [() => Layer, () => Tensor | Tensor[]]> = {
  InputLayer: [() => new L.InputLayer({ inputShape: [6], name: 'in' }), vec],
  Dense: [() => new L.Dense({ units: 3, activation: 'hardSigmoid', useBias: true, kernelInitializer: { className: 'HeNormal', config: { seed: 3 } }, kernelRegularizer: 'l2', biasConstraint: 'nonNeg', inputShape: [6] }), vec],
  Activation: [() => new L.Activation({ activation: 'softplus' }), vec],
  Dropout: [() => new L.Dropout({ rate: 0.3, seed: 2, noiseShape: [null, 1] }), vec],
  SpatialDropout1D: [() => new L.SpatialDropout1D({ rate: 0.2, seed: 1 }), seq],
  SpatialDropout2D: [() => new L.SpatialDropout2D({ rate: 0.2 }), img],
  GaussianNoise: [() => new L.GaussianNoise({ stddev: 0.1, seed: 5 }), vec],
  Flatten: [() => new L.Flatten(), img],
  Reshape: [() => new L.Reshape({ targetShape: [3, -1] }), vec],
  Permute: [() => new L.Permute({ dims: [2, 1] }), seq],
  RepeatVector: [() => new L.RepeatVector({ n: 2 }), vec],
  Embedding: [() => new L.Embedding({ inputDim: 10, outputDim: 3, inputLength: 4, embeddingsRegularizer: { className: 'L1', config: { l1: 0.1 } } }), () => tensor([[1, 2, 3, 9], [0, 0, 5, 5]], undefined, 'int32')],
  Conv1D: [() => new L.Conv1D({ filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2, activation: 'relu' }), seq],
  Conv2D: [() => new L.Conv2D({ filters: 2, kernelSize: [3, 2], strides: [2, 1], padding: 'same', kernelConstraint: { className: 'MaxNorm', config: { maxValue: 2, axis: 0 } } }), img],
  Conv2DTranspose: [() => new L.Conv2DTranspose({ filters: 3, kernelSize: 2, strides: 2, useBias: false }), img],
  DepthwiseConv2D: [() => new L.DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, padding: 'same', depthwiseRegularizer: 'l1' }), img],
  SeparableConv2D: [() => new L.SeparableConv2D({ filters: 3, kernelSize: [2, 3], strides: 2, pointwiseConstraint: 'unitNorm' }), img],
  MaxPooling1D: [() => new L.MaxPooling1D({ poolSize: 3, strides: 1, padding: 'same' }), seq],
  AveragePooling1D: [() => new L.AveragePooling1D({ poolSize: 2 }), seq],
  MaxPooling2D: [() => new L.MaxPooling2D({ poolSize: [2, 3], padding: 'same' }), img],
  AveragePooling2D: [() => new L.AveragePooling2D({ poolSize: 2, strides: 1 }), img],
  GlobalAveragePooling1D: [() => new L.GlobalAveragePooling1D(), seq],
  GlobalAveragePooling2D: [() => new L.GlobalAveragePooling2D(), img],
  GlobalMaxPooling1D: [() => new L.GlobalMaxPooling1D(), seq],
  GlobalMaxPooling2D: [() => new L.GlobalMaxPooling2D(), img],
  ZeroPadding2D: [() => new L.ZeroPadding2D({ padding: [[1, 0], [0, 2]] }), img],
  UpSampling2D: [() => new L.UpSampling2D({ size: [1, 2] }), img],
  BatchNormalization: [() => new L.BatchNormalization({ momentum: 0.8, epsilon: 0.01, center: false, gammaRegularizer: 'l1' }), img],
  LayerNormalization: [() => new L.LayerNormalization({ axis: [1, 2], epsilon: 0.01, scale: false }), seq],
  SimpleRNN: [() => new L.SimpleRNN({ units: 2, activation: 'relu', returnSequences: true, goBackwards: true }), seq],
  LSTM: [() => new L.LSTM({ units: 2, recurrentActivation: 'hardSigmoid', unitForgetBias: false, dropout: 0.1, recurrentRegularizer: 'l2' }), seq],
  GRU: [() => new L.GRU({ units: 2, resetAfter: false, returnSequences: true }), seq],
  Bidirectional: [() => new L.Bidirectional({ layer: new L.LSTM({ units: 2 }), mergeMode: 'ave' }), seq],
  TimeDistributed: [() => new L.TimeDistributed({ layer: new L.Dense({ units: 2, activation: 'elu' }) }), seq],
  ReLU: [() => new L.ReLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: -0.2 }), vec],
  LeakyReLU: [() => new L.LeakyReLU({ alpha: 0.05 }), vec],
  ELU: [() => new L.ELU({ alpha: 0.7 }), vec],
  Softmax: [() => new L.Softmax({ axis: 1 }), seq],
  Add: [() => new L.Add({ name: 'plus' }), mixedRanks],
  Subtract: [() => new L.Subtract(), vec2],
  Multiply: [() => new L.Multiply(), mixedRanks],
  Average: [() => new L.Average({ trainable: false }), mixedRanks],
  Maximum: [() => new L.Maximum(), vec2],
  Minimum: [() => new L.Minimum(), mixedRanks],
  Concatenate: [() => new L.Concatenate({ axis: 1 }), () => [seq(), pseudoTensor([2, 2, 3], 11)]],
  Dot: [() => new L.Dot({ axes: [1, 2], normalize: true }), () => [seq(), pseudoTensor([2, 5, 4], 12)]],
  MultiHeadAttention: [() => new L.MultiHeadAttention({ numHeads: 2, keyDim: 2, valueDim: 3, outputShape: [5], attentionAxes: -2, dropout: 0.1, kernelRegularizer: 'l2', seed: 2 }), () => [seq(), pseudoTensor([2, 5, 3], 13)]],
  Attention: [() => new L.Attention({ useScale: true, scoreMode: 'concat', dropout: 0.1, seed: 1 }), () => [seq(), pseudoTensor([2, 5, 3], 14)]],
  AdditiveAttention: [() => new L.AdditiveAttention({ useScale: false, dropout: 0.2 }), () => [seq(), pseudoTensor([2, 5, 3], 15), pseudoTensor([2, 5, 3], 16)]],
  EinsumDense: [() => new L.EinsumDense({ equation: 'abc,cde->abde', outputShape: [null, 2, 3], biasAxes: 'e', activation: 'tanh' }), seq],
  GroupNormalization: [() => new L.GroupNormalization({ groups: 3, epsilon: 0.01, center: false, gammaRegularizer: 'l2' }), seq],
  RMSNormalization: [() => new L.RMSNormalization({ axis: [1, 2], epsilon: 0.01 }), seq],
  UnitNormalization: [() => new L.UnitNormalization({ axis: [1, 2] }), seq],
  PReLU: [() => new L.PReLU({ sharedAxes: [1, 2], alphaInitializer: 'ones', alphaConstraint: 'nonNeg' }), img],
  GaussianDropout: [() => new L.GaussianDropout({ rate: 0.3, seed: 4 }), vec],
  AlphaDropout: [() => new L.AlphaDropout({ rate: 0.2, noiseShape: [null, 1], seed: 3 }), vec],
  Identity: [() => new L.Identity({ name: 'same' }), vec],
  Cropping1D: [() => new L.Cropping1D({ cropping: [1, 2] }), seq],
  Cropping2D: [() => new L.Cropping2D({ cropping: [[1, 0], [2, 1]] }), img],
  Masking: [() => new L.Masking({ maskValue: -1 }), seq],
  Conv1DTranspose: [() => new L.Conv1DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 }), seq],
};

describe('fromConfig(getConfig()) round trip', () => {
  it('covers every registered layer', () => {
    for (const name of Object.keys(cases)) expect(listLayers()).toContain(name);
    const builtins = listLayers().filter((n) => n !== 'Scale');
    expect(builtins.filter((n) => !(n in cases))).toEqual([]);
  });

  for (const [className, [make, input]] of Object.entries(cases)) {
    it(className, () => {
      const layer = make();
      const x = input();
      layer.apply(x);
      if (layer.weights.length > 0) setPseudoWeights(layer);
      const spec = JSON.parse(JSON.stringify(serializeLayer(layer))) as { className: string; config: Record<string, unknown> };
      expect(spec.className).toBe(className);
      const copy = deserializeLayer(spec);
      expect(copy.className).toBe(className);
      expect(copy.getConfig()).toEqual(layer.getConfig());
      copy.apply(x);
      expect(copy.getWeightNames()).toEqual(layer.getWeightNames());
      if (layer.weights.length > 0) copy.setWeights(layer.getWeights());
      expectTensor(copy.apply(x), layer.apply(x).shape, flat(layer.apply(x).toArray()), 1e-6);
    });
  }

  it('writes nested initializers, regularizers and constraints as { className, config }', () => {
    const c = new L.Dense({ units: 2, kernelRegularizer: 'l2', kernelConstraint: 'nonNeg' }).getConfig();
    expect(c['kernelInitializer']).toMatchObject({ className: 'GlorotUniform' });
    expect(c['kernelRegularizer']).toMatchObject({ className: 'L2' });
    expect(c['kernelConstraint']).toMatchObject({ className: 'NonNeg' });
    expect(c['biasRegularizer']).toBeNull();
    expect(c['activation']).toBe('linear');
    expect(new L.Dense({ units: 2, inputShape: [4] }).getConfig()['batchInputShape']).toEqual([null, 4]);
  });

  it('ignores the keys Keras/TF.js write that Descent does not take, refuses any other key and ones whose value would change results', () => {
    const d = deserializeLayer({ className: 'Dense', config: { units: 2, name: 'dense_9', loraRank: null, quantizationConfig: null } });
    expect(d.name).toBe('dense_9');
    expect(() => deserializeLayer({ className: 'Dense', config: { units: 2, kernel_initializer_unused: 1 } })).toThrow(
      /^Dense: unknown config key 'kernel_initializer_unused'\. Did you mean 'kernelInitializer'\? Dense takes: units, .*; keys Keras\/TF\.js write that are ignored: loraRank, loraAlpha, quantizationConfig, ragged, sparse, inputDtype$/,
    );
    expect(() => deserializeLayer({ className: 'Dense', config: { units: 2, loraRank: 4 } })).toThrow(/^Dense: config key 'loraRank' is 4, which Descent does not support \(it can only ignore null\)$/);
    const lstm = deserializeLayer({ className: 'LSTM', config: { units: 2, implementation: 2, zeroOutputForMask: true, ragged: false } });
    expect(lstm.className).toBe('LSTM');
    expect(() => deserializeLayer({ className: 'LSTM', config: { units: 2, timeMajor: true } })).toThrow(/^LSTM: config key 'timeMajor' is true, which Descent does not support/);
    expect(() => deserializeLayer({ className: 'BatchNormalization', config: { renorm: true } })).toThrow(/^BatchNormalization: config key 'renorm' is true/);
    expect(() => deserializeLayer({ className: 'GlobalAveragePooling1D', config: { keepdims: true } })).toThrow(/keepdims' is true/);
    expect(deserializeLayer({ className: 'SpatialDropout1D', config: { rate: 0.5, noiseShape: null } }).getConfig()).not.toHaveProperty('noiseShape');
    expect(() => deserializeLayer({ className: 'Conv2D', config: { filters: 1, kernelSize: 1, dataFormat: 'channels_first' } })).toThrow(/dataFormat must be 'channelsLast'/);
    expect(() => deserializeLayer({ className: 'Embedding', config: { inputDim: 3, outputDim: 1, maskZero: 1 } })).toThrow(/^Embedding: maskZero must be true or false, got 1$/);
  });
});

describe('symbolic build and computeOutputShape (what Sequential.build does)', () => {
  for (const [className, [make, input]] of Object.entries(cases)) {
    it(className, () => {
      const layer = make();
      const x = input();
      const batchless = (t: Tensor): SymbolicShape => [null, ...t.shape.slice(1)];
      const symbolic: SymbolicShape | SymbolicShape[] = Array.isArray(x) ? x.map(batchless) : batchless(x);
      if (!layer.built) {
        layer.build(symbolic);
        layer.built = true;
      }
      const predicted = layer.computeOutputShape(symbolic);
      const names = layer.getWeightNames();
      const y = layer.apply(x);
      expect(layer.getWeightNames()).toEqual(names);
      expect(predicted).toEqual([null, ...y.shape.slice(1)]);
    });
  }
});

