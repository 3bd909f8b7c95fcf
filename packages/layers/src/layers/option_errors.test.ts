import { tensor, zeros } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { BatchNormalization, Conv2D, Dense, Dropout, Embedding, LSTM } from './index.js';

// Issue 13 (fuzz defects L1–L10): bad options and inputs are refused naming the layer and option.
describe('option and input errors name the layer', () => {
  it('activation and initializer lookups are prefixed with the layer and option', () => {
    expect(() => new Conv2D({ filters: 2, kernelSize: 2, activation: 'valid' })).toThrow(/^Conv2D 'conv2d\w*': activation: Unknown activation 'valid'/);
    expect(() => new LSTM({ units: 3, recurrentActivation: 'x' })).toThrow(/^LSTM 'lstm\w*': recurrentActivation: /);
    expect(() => new Dense({ units: 3, kernelInitializer: 0 as never })).toThrow(/^Dense 'dense\w*': kernelInitializer: getInitializer: /);
  });

  it('Dropout, Conv2D and BatchNormalization validate their options, printing values readably', () => {
    expect(() => new Dropout({ rate: 0.5, seed: 'rellu' as never })).toThrow(/^Dropout 'dropout\w*': seed must be null or a finite number, got "rellu"/);
    expect(() => new Dropout({ rate: 0.5, seed: { a: 1 } as never })).toThrow(/got \{"a":1\}/);
    expect(() => new Dropout({ rate: 0.5, noiseShape: 4 as never })).toThrow(/^Dropout 'dropout\w*': noiseShape must be/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 2, dilationRate: true as never })).toThrow(/^Conv2D: dilationRate must be .* got true/);
    expect(() => new BatchNormalization({ epsilon: '3' as never })).toThrow(/^BatchNormalization: epsilon must be a positive finite number, got "3"/);
    expect(() => new BatchNormalization({ momentum: { a: 1 } as never })).toThrow(/^BatchNormalization: momentum must be in \[0, 1\], got \{"a":1\}/);
  });

  it('a weight that cannot be made names the layer and weight', () => {
    const ids = tensor([[0, 1]], undefined, 'int32');
    expect(() => new Embedding({ inputDim: 1e9, outputDim: 3 }).apply(ids)).toThrow(/^Embedding 'embedding\w*': cannot create weight 'embeddings' of shape \[1000000000,3\]: /);
  });

  it('inputs of the wrong dtype or too small for the window are refused by the layer', () => {
    expect(() => new Dense({ units: 3 }).apply(tensor([1, 0, 1, 0, 1, 0, 1, 0], [2, 4], 'bool'))).toThrow(/^Dense 'dense\w*': expected a float32 or int32 input, got dtype bool/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 2 }).apply(zeros([4, 0, 5, 3]))).toThrow(/^Conv2D 'conv2d\w*': input shape \[4,0,5,3\] is too small/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 2 }).apply(tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32'))).toThrow(/^Conv2D 'conv2d\w*': expected a float32 input, got dtype int32/);
  });
});
