import { Dense, resetLayerNames } from '@descent/layers';
import { setSeed, tensor, zeros } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
});

function model(): Sequential {
  const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

const x = tensor([[1, 2, 3], [4, 5, 6]]);
const y = tensor([[1, 0], [0, 1]]);
const dataset = [{ xs: x, ys: y }];

describe('unknown option names fail with a did-you-mean', () => {
  it('fit with tensors: { epoch: 3 } is a typo of epochs, and no weight changes', async () => {
    const m = model();
    const before = m.getWeights()[0]!.dataSync().slice();
    await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow("fit: unknown option 'epoch'. Did you mean 'epochs'? Valid options: epochs,");
    expect(Array.from(m.getWeights()[0]!.dataSync())).toEqual(Array.from(before));
  });

  it('fit with a dataset', async () => {
    await expect(model().fit(dataset, { stepsPerEpok: 1 } as never)).rejects.toThrow("fit: unknown option 'stepsPerEpok'. Did you mean 'stepsPerEpoch'?");
    // Options that belong to the other form keep their specific message.
    await expect(model().fit(dataset, { batchSize: 2 } as never)).rejects.toThrow("fit: option 'batchSize' does not apply to a dataset of batches");
    await expect(model().fit(x, y, { stepsPerEpoch: 2 } as never)).rejects.toThrow("fit: option 'stepsPerEpoch' applies to datasets of batches");
  });

  it('evaluate, evaluateDataset, predict, trainOnBatch, testOnBatch and compile', async () => {
    const m = model();
    expect(() => m.evaluate(x, y, { batchsize: 2 } as never)).toThrow("evaluate: unknown option 'batchsize'. Did you mean 'batchSize'?");
    await expect(m.evaluateDataset(dataset, { step: 1 } as never)).rejects.toThrow("evaluateDataset: unknown option 'step'. Did you mean 'steps'?");
    expect(() => m.predict(x, { batch_size: 2 } as never)).toThrow("predict: unknown option 'batch_size'. Did you mean 'batchSize'?");
    expect(() => m.trainOnBatch(x, y, { sampleWeights: [1, 1] } as never)).toThrow("trainOnBatch: unknown option 'sampleWeights'. Did you mean 'sampleWeight'?");
    expect(() => m.testOnBatch(x, y, { classWeight: [1, 1] } as never)).toThrow("testOnBatch: unknown option 'classWeight'. Valid options: sampleWeight");
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metric: ['mae'] } as never)).toThrow("compile: unknown option 'metric'. Did you mean 'metrics'? Valid options: optimizer, loss, metrics");
    expect(() => m.predict(x, 5 as never)).toThrow('predict: options must be an object');
  });
});

describe('clear errors for a wrong call shape', () => {
  it('fit([], options) says y is missing, not that y must be a Tensor', async () => {
    await expect(model().fit([] as never, { epochs: 2 } as never)).rejects.toThrow(/^fit: y is missing: the second argument is an options object \(keys: epochs\)/);
  });

  it('trainOnBatch with 0 rows says the batch is empty', () => {
    expect(() => model().trainOnBatch(zeros([0, 3]), zeros([0, 2]))).toThrow('trainOnBatch: the batch is empty: x has shape [0,3] (0 samples)');
  });
});

describe('callbacks and classWeight are checked with messages naming the call', () => {
  it.each([false, 3, {}, '3'])('fit / evaluate / predict refuse callbacks %j', async (cb) => {
    const m = model();
    await expect(m.fit(x, y, { callbacks: cb as never, verbose: 0 })).rejects.toThrow(/^fit: callbacks must be an array of Callback/);
    expect(() => m.evaluate(x, y, { callbacks: cb as never })).toThrow(/^evaluate: callbacks must be an array of Callback/);
    expect(() => m.predict(x, { callbacks: cb as never })).toThrow(/^predict: callbacks must be an array of Callback/);
    await expect(m.evaluateDataset(dataset, { callbacks: cb as never })).rejects.toThrow(/^evaluateDataset: callbacks must be an array of Callback/);
  });

  it('a non-Callback entry is refused by evaluate and predict', () => {
    const m = model();
    expect(() => m.evaluate(x, y, { callbacks: [2] as never })).toThrow(/^evaluate: every entry of callbacks must be a Callback.*got 2 at index 0/);
    expect(() => m.predict(x, { callbacks: [{}] as never })).toThrow(/^predict: every entry of callbacks must be a Callback/);
  });

  it('classWeight null or with non-finite weights is a fit error', async () => {
    const m = model();
    await expect(m.fit(x, y, { classWeight: null as never, verbose: 0 })).rejects.toThrow(/^fit: classWeight must be an object .* got null/);
    await expect(m.fit(x, y, { classWeight: { 0: 'a' } as never, verbose: 0 })).rejects.toThrow(/^fit: classWeight for class 0 must be a finite number, got "a"/);
  });

  it('object values print readably', async () => {
    await expect(model().fit(x, y, { verbose: {} as never })).rejects.toThrow('fit: verbose must be 0, 1 or 2, got {}');
  });
});
