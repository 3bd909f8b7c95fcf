import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D } from './global-pooling.js';
import { expectTensor, pseudoTensor } from './test-utils/helpers.js';

describe('global pooling', () => {
  it('averages and maxes over every spatial axis', () => {
    const x1 = tensor([[[1, -1], [3, 5], [2, 0]]]);
    expectTensor(new GlobalAveragePooling1D().apply(x1), [1, 2], [[2, 4 / 3]]);
    expectTensor(new GlobalMaxPooling1D().apply(x1), [1, 2], [[3, 5]]);
    const x2 = tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    expectTensor(new GlobalAveragePooling2D().apply(x2), [1, 2], [[2.5, 25]]);
    expectTensor(new GlobalMaxPooling2D().apply(x2), [1, 2], [[4, 40]]);
    expect(new GlobalMaxPooling2D().computeOutputShape([null, 7, 7, 3])).toEqual([null, 3]);
  });

  it('gradients pass gradCheck', () => {
    const x = pseudoTensor([2, 3, 2, 2], 47);
    gradCheck((t) => new GlobalAveragePooling2D().apply(t), [x]);
    gradCheck((t) => new GlobalMaxPooling2D().apply(t), [x]);
    gradCheck((t) => new GlobalAveragePooling1D().apply(t), [pseudoTensor([2, 3, 2], 3)]);
    gradCheck((t) => new GlobalMaxPooling1D().apply(t), [pseudoTensor([2, 3, 2], 3)]);
  });

  it('rejects the wrong rank', () => {
    expect(() => new GlobalAveragePooling2D().apply(tensor([[[1]]]))).toThrow(/GlobalAveragePooling2D: expected input of rank 4/);
  });
});
