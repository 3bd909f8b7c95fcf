import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Flatten, Permute, RepeatVector, Reshape } from './reshaping.js';
import { expectTensor, pseudoTensor } from './test-utils/helpers.js';

describe('Flatten', () => {
  it('keeps the batch axis and flattens the rest in row-major order', () => {
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expectTensor(new Flatten().apply(x), [2, 4], [[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(new Flatten().computeOutputShape([null, 3, 4, 5])).toEqual([null, 60]);
    expect(new Flatten().computeOutputShape([null, null, 4])).toEqual([null, null]);
  });
});

describe('Reshape', () => {
  it('reshapes samples, resolving one -1', () => {
    const x = tensor([[1, 2, 3, 4, 5, 6]]);
    expectTensor(new Reshape({ targetShape: [3, 2] }).apply(x), [1, 3, 2], [[[1, 2], [3, 4], [5, 6]]]);
    expectTensor(new Reshape({ targetShape: [-1, 3] }).apply(x), [1, 2, 3], [[[1, 2, 3], [4, 5, 6]]]);
    expect(new Reshape({ targetShape: [-1, 3] }).computeOutputShape([null, 2, 6])).toEqual([null, 4, 3]);
  });
  it('rejects impossible shapes', () => {
    expect(() => new Reshape({ targetShape: [4] }).apply(tensor([[1, 2, 3]]))).toThrow(/Reshape: cannot reshape samples of shape \[3\] \(3 values\) to \[4\]/);
    expect(() => new Reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
  });
});

describe('Permute', () => {
  it('permutes non-batch axes (1-based)', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    expectTensor(new Permute({ dims: [2, 1] }).apply(x), [1, 3, 2], [[[1, 4], [2, 5], [3, 6]]]);
    expect(new Permute({ dims: [2, 1] }).computeOutputShape([null, 10, 64])).toEqual([null, 64, 10]);
    expect(() => new Permute({ dims: [0, 1] })).toThrow(/Permute: dims must be a permutation of 1..n/);
  });
});

describe('RepeatVector', () => {
  it('repeats each sample n times', () => {
    expectTensor(new RepeatVector({ n: 3 }).apply(tensor([[1, 2], [3, 4]])), [2, 3, 2], [[[1, 2], [1, 2], [1, 2]], [[3, 4], [3, 4], [3, 4]]]);
    expect(new RepeatVector({ n: 3 }).computeOutputShape([null, 5])).toEqual([null, 3, 5]);
    expect(() => new RepeatVector({ n: 3 }).apply(tensor([[[1]]]))).toThrow(/RepeatVector: expected input of rank 2/);
  });
});

describe('gradients', () => {
  it('pass gradCheck', () => {
    gradCheck((t) => new Flatten().apply(t), [pseudoTensor([2, 2, 3], 1)]);
    gradCheck((t) => new Reshape({ targetShape: [3, -1] }).apply(t), [pseudoTensor([2, 6], 2)]);
    gradCheck((t) => new Permute({ dims: [2, 3, 1] }).apply(t), [pseudoTensor([2, 2, 3, 2], 3)]);
    gradCheck((t) => new RepeatVector({ n: 2 }).apply(t), [pseudoTensor([2, 3], 4)]);
  });
});
