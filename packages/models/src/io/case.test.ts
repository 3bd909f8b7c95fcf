import { describe, expect, it } from 'vitest';
import { fromPythonic, toCamelCase, toPythonic, toSnakeCase } from './case.js';

describe('case conversion', () => {
  it('converts camelCase to snake_case at the same boundaries as TF.js', () => {
    expect(toSnakeCase('useBias')).toBe('use_bias');
    expect(toSnakeCase('batchInputShape')).toBe('batch_input_shape');
    expect(toSnakeCase('hardSigmoid')).toBe('hard_sigmoid');
    expect(toSnakeCase('channelsLast')).toBe('channels_last');
    // A digit before a capital does not split: Keras writes conv2d_transpose, float32 stays.
    expect(toSnakeCase('conv2DTranspose')).toBe('conv2d_transpose');
    expect(toSnakeCase('float32')).toBe('float32');
    expect(toSnakeCase('relu')).toBe('relu');
  });

  it('converts snake_case back to camelCase and leaves other strings alone', () => {
    expect(toCamelCase('use_bias')).toBe('useBias');
    expect(toCamelCase('batch_input_shape')).toBe('batchInputShape');
    expect(toCamelCase('relu')).toBe('relu');
    expect(toCamelCase('GlorotUniform')).toBe('GlorotUniform');
  });

  it('converts keys and string values recursively but keeps name and className values', () => {
    const config = {
      name: 'myDense_1',
      units: 3,
      useBias: true,
      activation: 'hardSigmoid',
      batchInputShape: [null, 4],
      kernelInitializer: { className: 'GlorotUniform', config: { seed: null } },
      kernelRegularizer: null,
    };
    const py = toPythonic(config);
    expect(py).toEqual({
      name: 'myDense_1',
      units: 3,
      use_bias: true,
      activation: 'hard_sigmoid',
      batch_input_shape: [null, 4],
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      kernel_regularizer: null,
    });
    expect(fromPythonic(py)).toEqual(config);
  });

  it('drops undefined entries and rejects values JSON cannot hold', () => {
    expect(toPythonic({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect(() => toPythonic({ maxValue: Infinity })).toThrow(/maxValue.*Infinity/);
    expect(() => toPythonic({ fn: () => 1 })).toThrow(/fn.*function/);
  });
});
