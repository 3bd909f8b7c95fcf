import type { Tensor } from '@descent/tensor';
import { tensor, zeros } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import { deserializeLayer, listLayers } from '../engine/registry.js';
import { builtinLayers } from './builtins.js';
import { BatchNormalization, Bidirectional, Conv2D, Dense, Dropout, Embedding, LSTM, SpatialDropout1D } from './index.js';

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

// Issue 13 item 12/L: an unknown constructor option fails instead of being silently ignored.
describe('unknown constructor options', () => {
  it('name the class and the key, with the closest valid option', () => {
    expect(() => new Dense({ unit: 10 } as never)).toThrow(/^Dense: unknown option 'unit'\. Did you mean 'units'\? Valid options: units, activation, .*, name, trainable, inputShape, batchInputShape, batchSize, dtype, activityRegularizer$/);
    expect(() => new LSTM({ units: 2, returnSequence: true } as never)).toThrow(/^LSTM: unknown option 'returnSequence'\. Did you mean 'returnSequences'\?/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 2, kernel_size: 3 } as never)).toThrow(/^Conv2D: unknown option 'kernel_size'\. Did you mean 'kernelSize'\?/);
    expect(() => new Dropout({ rate: 0.5, weights: [] } as never)).toThrow(/^Dropout: unknown option 'weights'\./);
    // The spatial dropouts fix their mask shape, so noiseShape is not theirs to take.
    expect(() => new SpatialDropout1D({ rate: 0.5, noiseShape: [1, 1, 2] } as never)).toThrow(/^SpatialDropout1D: unknown option 'noiseShape'/);
    expect(() => new Bidirectional({ layer: new LSTM({ units: 2 }), merge_mode: 'sum' } as never)).toThrow(/^Bidirectional: unknown option 'merge_mode'\. Did you mean 'mergeMode'\?/);
  });

  it('a key set to undefined counts as not given; options that are not an object are refused', () => {
    expect(new Dense({ units: 2, ...({ unit: undefined } as object) }).units).toBe(2);
    expect(() => new Dense(5 as never)).toThrow(/^Dense: options must be an object such as \{ units, activation \}, got 5$/);
  });

  it('every built-in layer accepts the config it writes (and is checked)', () => {
    for (const [className, cls] of Object.entries(builtinLayers())) {
      expect(Object.prototype.hasOwnProperty.call(cls, 'optionKeys'), className).toBe(true);
    }
    expect(listLayers().length).toBe(Object.keys(builtinLayers()).length);
    const lstm = new LSTM({ units: 2, returnSequences: true, goBackwards: true, stateful: false, unroll: false, dropout: 0.1, seed: 3 });
    expect(deserializeLayer({ className: 'LSTM', config: lstm.getConfig() }).getConfig()).toEqual({ ...lstm.getConfig(), name: expect.any(String) });
  });

  it('a user subclass without its own optionKeys is not checked; with layerOptions it is', () => {
    interface ScaleArgs extends LayerArgs {
      factor: number;
    }
    class Scale extends Layer {
      static override className = 'Scale';
      readonly factor: number;
      constructor(args: ScaleArgs) {
        super(args);
        this.factor = args.factor;
      }
      call(x: Tensor): Tensor {
        return x.mul(this.factor);
      }
    }
    class CheckedScale extends Scale {
      static override className = 'CheckedScale';
      static override readonly optionKeys = layerOptions<ScaleArgs>({ factor: true });
    }
    expect(new Scale({ factor: 2, extra: 1 } as never).factor).toBe(2);
    expect(new CheckedScale({ factor: 3 }).factor).toBe(3);
    expect(() => new CheckedScale({ factr: 3 } as never)).toThrow(/^CheckedScale: unknown option 'factr'\. Did you mean 'factor'\?/);
  });
});
