import { gradCheck, variableGrads } from '@descent/autograd';
import { mul, sum, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Embedding } from './embedding.js';
import { expectTensor } from './test-utils/helpers.js';

describe('Embedding', () => {
  it('looks up rows of the embedding matrix', () => {
    const e = new Embedding({ inputDim: 4, outputDim: 2 });
    const idx = tensor([[0, 3], [2, 2]], undefined, 'int32');
    e.apply(idx);
    e.setWeights([tensor([[0, 1], [10, 11], [20, 21], [30, 31]])]);
    expectTensor(e.apply(idx), [2, 2, 2], [[[0, 1], [30, 31]], [[20, 21], [20, 21]]]);
    expectTensor(e.apply(tensor([[1, 0]])), [1, 2, 2], [[[10, 11], [0, 1]]]);
    expect(e.getWeightNames()).toEqual(['embedding/embeddings']);
    expect(e.computeOutputShape([null, 7])).toEqual([null, 7, 2]);
  });

  it('gradient accumulates into the looked-up rows (repeated indices add)', () => {
    const e = new Embedding({ inputDim: 3, outputDim: 2 });
    const idx = tensor([[2, 0, 2]], undefined, 'int32');
    e.apply(idx);
    const w = tensor([[[1, 2], [3, 4], [5, 6]]]);
    const { grads } = variableGrads(() => sum(mul(e.apply(idx), w)), [e.embeddings!]);
    expectTensor(grads.get(e.embeddings!)!, [3, 2], [[3, 4], [0, 0], [6, 8]]);
    // and the same through gradCheck on the table itself
    gradCheck((table) => sum(mul(table.gather(idx, 0), w)), [tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])]);
  });

  it('rejects a non-boolean maskZero, out-of-range indices and bad sizes clearly', () => {
    expect(() => new Embedding({ inputDim: 3, outputDim: 2, maskZero: 'yes' as unknown as boolean })).toThrow(/^Embedding: maskZero must be true or false, got "yes"$/);
    expect(() => new Embedding({ inputDim: 3, outputDim: 2 }).apply(tensor([[3]], undefined, 'int32'))).toThrow(/Embedding: index 3 at flat position 0 is out of range \[0, 3\)/);
    expect(() => new Embedding({ inputDim: 0, outputDim: 2 })).toThrow(/inputDim must be a positive integer/);
  });

  it('inputLength sets the input shape', () => {
    expect(new Embedding({ inputDim: 5, outputDim: 2, inputLength: 10 }).batchInputShape).toEqual([null, 10]);
  });
});
