import { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { mul, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dense } from '../layers/dense.js';
import { expectTensor } from '../layers/test-utils/helpers.js';
import type { CallKwargs, LayerArgs } from './layer.js';
import { Layer } from './layer.js';
import { resetLayerNames, toSnakeCase } from './naming.js';
import { deserializeLayer, listLayers, registerLayer } from './registry.js';
import type { SymbolicShape } from './shape-utils.js';
import { convOutputLength, deconvOutputLength } from './shape-utils.js';

class Scale extends Layer {
  static override className = 'Scale';
  w: Variable | null = null;
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override build(inputShape: SymbolicShape): void {
    this.w = this.addWeight('w', [inputShape[inputShape.length - 1]!], { initializer: { apply: (s) => tensor(new Float32Array(s[0]!).fill(2), [...s]) } });
    super.build(inputShape);
  }
  call(x: Tensor, _kw: CallKwargs): Tensor {
    return mul(x, this.w!);
  }
}
registerLayer('Scale', Scale);

beforeEach(() => resetLayerNames());

describe('naming', () => {
  it('converts class names to snake_case like Keras', () => {
    expect(toSnakeCase('Dense')).toBe('dense');
    expect(toSnakeCase('Conv2D')).toBe('conv2d');
    expect(toSnakeCase('Conv2DTranspose')).toBe('conv2d_transpose');
    expect(toSnakeCase('BatchNormalization')).toBe('batch_normalization');
    expect(toSnakeCase('LSTM')).toBe('lstm');
    expect(toSnakeCase('SimpleRNN')).toBe('simple_rnn');
    expect(toSnakeCase('MaxPooling2D')).toBe('max_pooling2d');
    expect(toSnakeCase('ReLU')).toBe('re_lu');
    expect(toSnakeCase('GlobalAveragePooling1D')).toBe('global_average_pooling1d');
  });

  it('gives unique default names per class and can reset them', () => {
    expect(new Dense({ units: 1 }).name).toBe('dense');
    expect(new Dense({ units: 1 }).name).toBe('dense_1');
    expect(new Scale().name).toBe('scale');
    expect(new Dense({ units: 1, name: 'head' }).name).toBe('head');
    expect(new Dense({ units: 1 }).name).toBe('dense_2');
    resetLayerNames();
    expect(new Dense({ units: 1 }).name).toBe('dense');
  });
});

describe('Layer base', () => {
  it('builds lazily from the first input and names weights layer/weight', () => {
    const s = new Scale();
    expect(s.built).toBe(false);
    expect(s.weights).toEqual([]);
    expectTensor(s.apply(tensor([[1, 2, 3]])), [1, 3], [[2, 4, 6]]);
    expect(s.built).toBe(true);
    expect(s.getWeightNames()).toEqual(['scale/w']);
    expect(s.weights[0]).toBeInstanceOf(Variable);
    expect(s.countParams()).toBe(3);
  });

  it('countParams before build is a clear error', () => {
    expect(() => new Scale().countParams()).toThrow(/countParams needs the layer to be built/);
  });

  it('freezing moves weights to nonTrainableWeights and clears the variables\' trainable flag', () => {
    const d = new Dense({ units: 2 });
    d.apply(tensor([[1, 2]]));
    expect(d.trainableWeights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    d.trainable = false;
    expect(d.trainableWeights).toEqual([]);
    expect(d.nonTrainableWeights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    expect(d.weights.every((w) => !w.trainable)).toBe(true);
    d.trainable = true;
    expect(d.weights.every((w) => w.trainable)).toBe(true);
  });

  it('inputShape / batchInputShape / batchSize set batchInputShape and are checked on apply', () => {
    expect(new Dense({ units: 2, inputShape: [3] }).batchInputShape).toEqual([null, 3]);
    expect(new Dense({ units: 2, inputShape: [3], batchSize: 4 }).batchInputShape).toEqual([4, 3]);
    expect(new Dense({ units: 2, batchInputShape: [null, 5] }).batchInputShape).toEqual([null, 5]);
    expect(new Dense({ units: 2, inputDim: 6 }).batchInputShape).toEqual([null, 6]);
    const d = new Dense({ units: 2, inputShape: [3] });
    expect(() => d.apply(tensor([[1, 2]]))).toThrow(/expected input shape \[null,3\], got \[1,2\]/);
  });

  it('getWeights returns snapshots and setWeights checks count and shape', () => {
    const s = new Scale();
    s.apply(tensor([[1, 1]]));
    const before = s.getWeights();
    s.setWeights([tensor([5, 6])]);
    expectTensor(before[0]!, [2], [2, 2]);
    expectTensor(s.apply(tensor([[1, 1]])), [1, 2], [[5, 6]]);
    expect(() => s.setWeights([])).toThrow(/setWeights expected 1 tensors \(scale\/w\), got 0/);
    expect(() => s.setWeights([tensor([1, 2, 3])])).toThrow(/shape/);
  });

  it('user subclasses round-trip through the registry', () => {
    expect(listLayers()).toContain('Scale');
    const s = new Scale({ name: 'mine', trainable: false });
    const copy = deserializeLayer({ className: 'Scale', config: s.getConfig() });
    expect(copy).toBeInstanceOf(Scale);
    expect(copy.name).toBe('mine');
    expect(copy.trainable).toBe(false);
  });

  it('unknown class names suggest the closest', () => {
    expect(() => deserializeLayer({ className: 'Dnse', config: {} })).toThrow(/Unknown layer class 'Dnse'. Did you mean 'Dense'\?/);
  });

  it('collects weight regularizer penalties from current weights and activity penalties from the last apply', () => {
    const d = new Dense({ units: 1, kernelRegularizer: { className: 'L2', config: { l2: 0.5 } }, activityRegularizer: { className: 'L1', config: { l1: 0.1 } }, kernelInitializer: 'ones' });
    expect(d.regularizationLosses()).toEqual([]);
    d.apply(tensor([[1, -3]]));
    const losses = d.regularizationLosses().map((t) => t.item());
    // kernel [[1],[1]]: 0.5·(1 + 1) = 1; output 1 − 3 = −2: 0.1·|−2| = 0.2
    expect(losses[0]).toBeCloseTo(1, 6);
    expect(losses[1]).toBeCloseTo(0.2, 6);
    d.setWeights([tensor([[2], [0]]), tensor([0])]);
    expect(d.regularizationLosses()[0]!.item()).toBeCloseTo(2, 6);
  });

  it('attaches constraints to the variables for optimizers to apply', () => {
    const d = new Dense({ units: 1, kernelConstraint: 'nonNeg' });
    d.apply(tensor([[1, 1]]));
    const k = d.kernel!;
    expect(k.constraint).not.toBeNull();
    expectTensor(k.constraint!(tensor([[-1], [2]])), [2, 1], [[0], [2]]);
    expect(d.bias!.constraint).toBeNull();
  });
});

describe('shape utilities', () => {
  it('computes conv output lengths like Keras', () => {
    expect(convOutputLength(7, 3, 'valid', 2)).toBe(3);
    expect(convOutputLength(7, 3, 'same', 2)).toBe(4);
    expect(convOutputLength(7, 3, 'valid', 1, 2)).toBe(3);
    expect(convOutputLength(null, 3, 'valid', 1)).toBeNull();
    expect(deconvOutputLength(3, 3, 'valid', 2)).toBe(7);
    expect(deconvOutputLength(3, 3, 'same', 2)).toBe(6);
    expect(deconvOutputLength(3, 1, 'valid', 2)).toBe(6);
  });
});
