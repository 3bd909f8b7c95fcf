import { zeros } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv2D } from '../layers/conv.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { GRU } from '../layers/gru.js';
import { LayerNormalization } from '../layers/layer-normalization.js';
import { LSTM } from '../layers/lstm.js';
import { Flatten, Reshape } from '../layers/reshaping.js';
import { SimpleRNN } from '../layers/rnn.js';
import { showValue } from './show-value.js';

describe('a built layer checks the input dims its build fixed (name, expected, given)', () => {
  it('Dense built on 4 features, given 5', () => {
    const d = new Dense({ units: 2, name: 'd' });
    d.apply(zeros([2, 4]));
    expect(() => d.apply(zeros([2, 5]))).toThrow(
      "Dense 'd': expected input with rank ≥ 2 and 4 features on the last axis (it was built for input shape [2,4]), got input shape [2,5]",
    );
    // Other batch sizes and a higher rank (as Keras's Dense allows) still go.
    expect(d.apply(zeros([7, 4])).shape).toEqual([7, 2]);
    expect(d.apply(zeros([3, 6, 4])).shape).toEqual([3, 6, 2]);
  });

  it('LSTM, GRU and SimpleRNN built on 4 features, given 5; other sequence lengths still go', () => {
    for (const [Cls, name] of [[LSTM, 'lstm_x'], [GRU, 'gru_x'], [SimpleRNN, 'rnn_x']] as const) {
      const layer = new Cls({ units: 3, name });
      layer.apply(zeros([2, 6, 4]));
      expect(layer.apply(zeros([2, 9, 4])).shape).toEqual([2, 3]);
      expect(() => layer.apply(zeros([2, 6, 5]))).toThrow(
        `${layer.className} '${name}': expected input with rank 3 and 4 features on the last axis (it was built for input shape [2,6,4]), got input shape [2,6,5]`,
      );
    }
  });

  it('Bidirectional names itself', () => {
    const b = new Bidirectional({ layer: new LSTM({ units: 2 }), name: 'bi' });
    b.apply(zeros([1, 3, 4]));
    expect(() => b.apply(zeros([1, 3, 5]))).toThrow(/^Bidirectional 'bi': expected input with rank 3 and 4 features on the last axis/);
  });

  it('LayerNormalization and BatchNormalization: no reshape: message', () => {
    const ln = new LayerNormalization({ name: 'ln' });
    ln.apply(zeros([2, 4]));
    expect(() => ln.apply(zeros([2, 5]))).toThrow(
      "LayerNormalization 'ln': expected input with rank ≥ 2 and 4 features on the last axis (it was built for input shape [2,4]), got input shape [2,5]",
    );
    const bn = new BatchNormalization({ name: 'bn' });
    bn.apply(zeros([2, 4]));
    expect(() => bn.apply(zeros([2, 5]))).toThrow(/^BatchNormalization 'bn': expected input with rank ≥ 2 and 4 features on the last axis/);
  });

  it('Conv2D fixes rank and channels, not the spatial size', () => {
    const c = new Conv2D({ filters: 2, kernelSize: 1, name: 'c' });
    c.apply(zeros([1, 3, 3, 4]));
    expect(c.apply(zeros([1, 5, 6, 4])).shape).toEqual([1, 5, 6, 2]);
    expect(() => c.apply(zeros([1, 3, 3, 5]))).toThrow(/^Conv2D 'c': expected input with rank 4 and 4 features on the last axis/);
  });
});

describe('error messages print NaN as NaN', () => {
  it('rate: NaN', () => {
    expect(() => new Dropout({ rate: NaN })).toThrow('Dropout: rate must be a number in [0, 1), got NaN');
  });
  it('showValue', () => {
    expect(showValue([1, NaN, -Infinity])).toBe('[1,NaN,-Infinity]');
    expect(showValue({ a: Infinity, b: 'x' })).toBe('{"a":Infinity,"b":"x"}');
    expect(showValue('s')).toBe('"s"');
    expect(showValue(undefined)).toBe('undefined');
  });
});

describe('batch 0', () => {
  it('Flatten and Reshape accept an empty batch', () => {
    expect(new Flatten().apply(zeros([0, 3, 4])).shape).toEqual([0, 12]);
    expect(new Reshape({ targetShape: [-1] }).apply(zeros([0, 3, 4])).shape).toEqual([0, 12]);
  });
});
