import { Dense, resetLayerNames } from '@descent/layers';
import { setSeed, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(5);
});

function classifier(): Sequential {
  const m = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [2] })]);
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.5 } }, loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const x = tensor(Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8]));
// Sample 3 holds the out-of-range label 5 (3 classes); the first two samples are fine, so the
// old check on the first rows passed and earlier batches trained before the bad one failed.
const badY = tensor([0, 1, 2, 5, 0, 1, 2, 0], [8], 'int32');

function weightsOf(m: Sequential): number[][] {
  return m.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('sparse labels are validated for the whole input before the first update', () => {
  it('fit: names the sample in the caller order and changes no weight', async () => {
    const m = classifier();
    const before = weightsOf(m);
    await expect(m.fit(x, badY, { epochs: 1, batchSize: 2, verbose: 0, shuffle: true })).rejects.toThrow(
      "fit: y does not fit loss 'sparse_categorical_crossentropy': sparseCategoricalCrossentropy: labels must be integers in [0, 2] for 3 classes, got 5 for sample 3",
    );
    expect(weightsOf(m)).toEqual(before);
  });

  it('fit with validationSplit: a bad label in the held-out part fails up front, with its index in y', async () => {
    const m = classifier();
    const before = weightsOf(m);
    const y = tensor([0, 1, 2, 0, 1, 2, 0, 7], [8], 'int32');
    await expect(m.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, validationSplit: 0.25 })).rejects.toThrow(/got 7 for sample 7$/);
    expect(weightsOf(m)).toEqual(before);
  });

  it('fit with validationData, evaluate and trainOnBatch', async () => {
    const m = classifier();
    const before = weightsOf(m);
    const good = tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], 'int32');
    await expect(m.fit(x, good, { epochs: 1, verbose: 0, validationData: [x, badY] })).rejects.toThrow(
      /^fit: validationData y does not fit loss .*got 5 for sample 3$/,
    );
    expect(() => m.evaluate(x, badY)).toThrow(/^evaluate: y does not fit loss .*got 5 for sample 3$/);
    expect(() => m.trainOnBatch(x, badY)).toThrow(/^trainOnBatch: y does not fit loss .*got 5 for sample 3$/);
    expect(weightsOf(m)).toEqual(before);
  });

  it('fit with a dataset: a batch is checked before its step', async () => {
    const m = classifier();
    const ds = [
      { xs: tensor([[0, 1]]), ys: tensor([1], [1], 'int32') },
      { xs: tensor([[1, 0], [0.5, 0.5]]), ys: tensor([0, 3], [2], 'int32') },
    ];
    await expect(m.fit(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: batch 1 ys does not fit loss .*got 3 for sample 1$/);
    await expect(m.evaluateDataset(ds)).rejects.toThrow(/^evaluateDataset: batch 1 ys does not fit loss .*got 3 for sample 1$/);
  });
});
