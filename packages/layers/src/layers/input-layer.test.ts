import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer } from '../engine/registry.js';
import { Dense } from './dense.js';
import { InputLayer } from './input-layer.js';
import { expectTensor } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

describe('InputLayer', () => {
  it('passes its input through and checks its shape', () => {
    const input = new InputLayer({ inputShape: [2] });
    expect(input.name).toBe('input_layer');
    expect(input.built).toBe(true);
    expectTensor(input.apply(tensor([[1, 2]])), [1, 2], [[1, 2]]);
    expect(() => input.apply(tensor([[1, 2, 3]]))).toThrow(/InputLayer 'input_layer': expected input shape \[null,2\], got \[1,3\]/);
    expect(input.getConfig()).toEqual({ batchInputShape: [null, 2], dtype: 'float32', sparse: false, name: 'input_layer' });
  });

  it('reads Keras 3 configs: batchShape and a DTypePolicy dtype', () => {
    const l = deserializeLayer({ className: 'InputLayer', config: { batchShape: [null, 4], dtype: { className: 'DTypePolicy', config: { name: 'float32' } }, name: 'x' } });
    expect(l.batchInputShape).toEqual([null, 4]);
    expect(l.dtype).toBe('float32');
    const d = deserializeLayer({ className: 'Dense', config: { units: 1, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } } });
    expect(d).toBeInstanceOf(Dense);
  });

  it('needs a shape and refuses sparse inputs', () => {
    expect(() => new InputLayer({})).toThrow(/InputLayer: give inputShape or batchInputShape/);
    expect(() => new InputLayer({ inputShape: [2], sparse: true })).toThrow(/InputLayer: sparse inputs are not supported/);
    expect(() => new Dense({ units: 1, dtype: 'float64' as never })).toThrow(/Dense: dtype must be 'float32', 'int32' or 'bool', got "float64"/);
  });
});
