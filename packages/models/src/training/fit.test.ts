import { BatchNormalization, Dense, Dropout, l2, resetLayerNames } from '@descent/layers';
import { get as getOptimizer } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { deriveSeed, Generator, permutation, setSeed, tensor, withGenerator } from '@descent/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LambdaCallback } from '../callbacks/lambda-callback.js';
import { resetSequentialNames, Sequential } from '../sequential.js';
import { Recorder } from '../test-utils/layers.js';
import { epochSeed } from './fit.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(11);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** x = [[0],[1],…,[n-1]]: the recorded first feature is the sample index. */
function indexData(n: number): { x: Tensor; y: Tensor } {
  const xs = Array.from({ length: n }, (_, i) => [i]);
  return { x: tensor(xs), y: tensor(xs.map(([i]) => [i! * 0.1])) };
}

/** Dense(1) with kernel k and bias b, so predictions are known exactly; SGD with learning rate `lr`. */
function linearModel(k: number, b: number, lr = 0, extra: { recorder?: Recorder; kernelRegularizer?: ReturnType<typeof l2> } = {}): Sequential {
  const layers = extra.recorder ? [extra.recorder] : [];
  const dense = new Dense({ units: 1, inputShape: extra.recorder ? undefined : [1], ...(extra.kernelRegularizer ? { kernelRegularizer: extra.kernelRegularizer } : {}) } as never);
  const m = new Sequential([...layers, dense]);
  if (!m.built) m.build([null, 1]);
  m.setWeights([tensor([[k]]), tensor([b])]);
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: lr } }, loss: 'mse', metrics: ['mae'] });
  return m;
}

describe('fit', () => {
  it('learns a linear function and reports the loss per epoch', async () => {
    const xs = Array.from({ length: 32 }, (_, i) => [(i - 16) / 8]);
    const x = tensor(xs);
    const y = tensor(xs.map(([v]) => [2 * v! - 1]));
    const m = linearModel(0, 0, 0.1);
    const history = await m.fit(x, y, { epochs: 40, batchSize: 8, verbose: 0 });
    const loss = history.history.loss!;
    expect(loss).toHaveLength(40);
    expect(loss[39]!).toBeLessThan(1e-4);
    expect(loss[39]!).toBeLessThan(loss[0]!);
    const [k, b] = m.getWeights().map((w) => w.dataSync()[0]!);
    expect(k).toBeCloseTo(2, 2);
    expect(b).toBeCloseTo(-1, 2);
  });

  it('records loss, metrics and their val_ versions in History, one value per epoch', async () => {
    const { x, y } = indexData(10);
    const m = linearModel(1, 0, 0.001);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    for (const v of Object.values(h.history)) expect(v).toHaveLength(3);
    expect(h.epoch).toEqual([0, 1, 2]);
  });

  it('batchSize sets the batches; shuffle: false keeps the order', async () => {
    const rec = new Recorder();
    const m = linearModel(0, 0, 0, { recorder: rec });
    await m.fit(indexData(10).x, indexData(10).y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(rec.seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('shuffles every epoch from a stream of its own: one seed drawn from the global seed when fit starts, one generator per (seed, epoch)', async () => {
    const rec = new Recorder();
    const m = linearModel(0, 0, 0, { recorder: rec });
    setSeed(3);
    const seed = deriveSeed();
    const expected = [0, 1].map((epoch) => withGenerator(new Generator(epochSeed(seed, epoch)), () => Array.from(permutation(10).dataSync())));
    setSeed(3);
    await m.fit(indexData(10).x, indexData(10).y, { epochs: 2, batchSize: 10, verbose: 0 });
    expect(rec.seen).toEqual(expected);
    expect(expected[0]).not.toEqual(expected[1]);
  });

  it('validationSplit holds out the last samples and validates on them', async () => {
    const rec = new Recorder();
    const m = linearModel(2, 1, 0, { recorder: rec });
    const { x, y } = indexData(10);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 10, validationSplit: 0.2, shuffle: false, verbose: 0 });
    expect(rec.seen).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    // Predictions 2x + 1 for x = 8, 9 against y = 0.8, 0.9: errors 16.2 and 18.1.
    expect(h.history.val_loss![0]).toBeCloseTo((16.2 ** 2 + 18.1 ** 2) / 2, 3);
    expect(h.history.val_mae![0]).toBeCloseTo((16.2 + 18.1) / 2, 4);
    // Training loss over x = 0..7 with y = 0.1x: error 1.9x + 1.
    const train = Array.from({ length: 8 }, (_, i) => (1.9 * i + 1) ** 2).reduce((a, b) => a + b) / 8;
    expect(h.history.loss![0]).toBeCloseTo(train, 3);
  });

  it('validationData (with sample weights) is evaluated at the end of each epoch; validationBatchSize sets its batches', async () => {
    const m = linearModel(1, 0, 0);
    let testBatches = 0;
    const counter = new LambdaCallback({ onTestBatchEnd: () => void testBatches++ });
    const xv = tensor([[1], [2], [3], [4], [5], [6], [7]]);
    const yv = tensor([[0], [0], [0], [0], [0], [0], [0]]);
    const h = await m.fit(indexData(4).x, indexData(4).y, {
      epochs: 2,
      verbose: 0,
      validationData: [xv, yv, tensor([1, 1, 1, 1, 1, 1, 0])],
      validationBatchSize: 3,
      callbacks: [counter],
    });
    // Squares 1..36 weighted 1, the 7th weighted 0, divided by the 7 samples.
    expect(h.history.val_loss![0]).toBeCloseTo((1 + 4 + 9 + 16 + 25 + 36) / 7, 4);
    expect(testBatches).toBe(2 * 3);
  });

  it('sampleWeight scales each sample of the training loss', async () => {
    const m = linearModel(1, 0, 0);
    const h = await m.fit(tensor([[1], [2], [3], [4]]), tensor([[0], [0], [0], [0]]), { epochs: 1, verbose: 0, sampleWeight: tensor([1, 0, 0, 2]) });
    // (1·1 + 0·4 + 0·9 + 2·16) / 4
    expect(h.history.loss![0]).toBeCloseTo(8.25, 5);
  });

  it('classWeight weights samples by their class (integer or one-hot labels)', async () => {
    const m = linearModel(1, 0, 0);
    const x = tensor([[1], [2], [3], [4]]);
    const h = await m.fit(x, tensor([[0], [1], [1], [0]]), { epochs: 1, verbose: 0, classWeight: { 0: 1, 1: 3 } });
    // Squared errors 1, 1, 4, 16 with weights 1, 3, 3, 1.
    expect(h.history.loss![0]).toBeCloseTo((1 + 3 + 12 + 16) / 4, 5);

    const two = new Sequential([new Dense({ units: 2, inputShape: [1], useBias: false, kernelInitializer: 'ones' })]);
    two.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'mse' });
    // Predictions [x, x]; one-hot class 1 for the first sample, class 0 for the second.
    const h2 = await two.fit(tensor([[1], [2]]), tensor([[0, 1], [1, 0]]), { epochs: 1, verbose: 0, classWeight: [1, 5] });
    // Per-sample mse: ((1-0)² + (1-1)²)/2 = 0.5 weighted 5; ((2-1)² + 2²)/2 = 2.5 weighted 1.
    expect(h2.history.loss![0]).toBeCloseTo((0.5 * 5 + 2.5) / 2, 5);
  });

  it('initialEpoch resumes the epoch count', async () => {
    const m = linearModel(1, 0, 0);
    const epochs: number[] = [];
    const h = await m.fit(indexData(4).x, indexData(4).y, {
      epochs: 5,
      initialEpoch: 3,
      verbose: 0,
      callbacks: [new LambdaCallback({ onEpochBegin: (e) => void epochs.push(e) })],
    });
    expect(epochs).toEqual([3, 4]);
    expect(h.epoch).toEqual([3, 4]);
  });

  it('validationFreq validates every N epochs or on listed epochs', async () => {
    const m = linearModel(1, 0, 0);
    const { x, y } = indexData(6);
    const every2 = await m.fit(x, y, { epochs: 4, verbose: 0, validationSplit: 0.5, validationFreq: 2 });
    expect(every2.history.val_loss).toHaveLength(2);
    expect(every2.history.loss).toHaveLength(4);
    const seen: number[] = [];
    await m.fit(x, y, {
      epochs: 4,
      verbose: 0,
      validationSplit: 0.5,
      validationFreq: [1, 4],
      callbacks: [new LambdaCallback({ onEpochEnd: (e, logs) => void ('val_loss' in logs && seen.push(e)) })],
    });
    expect(seen).toEqual([0, 3]);
  });

  it('verbose 0 prints nothing; 2 prints one line per epoch; 1 off a TTY prints the bar once per epoch', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      writes.push(String(s));
      return true;
    });
    const m = linearModel(1, 0, 0);
    const { x, y } = indexData(8);
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(writes).toEqual([]);
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 2 });
    const text2 = writes.join('');
    expect(text2).toMatch(/^Epoch 1\/2\n2\/2 - \d+s - \d+(ms|us|s)\/step - loss: \d+\.\d{4} - mae: \d+\.\d{4}\nEpoch 2\/2\n2\/2 - /);
    writes.length = 0;
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 1 });
    expect(writes.join('')).toMatch(new RegExp(`^Epoch 1/1\\n2/2 \\[={30}\\] - \\d+s \\d+(ms|us|s)/step - loss: \\d+\\.\\d{4} - mae: \\d+\\.\\d{4}\\n$`));
    writes.length = 0;
    // Default: not a TTY under the test runner, so one line per epoch.
    await m.fit(x, y, { epochs: 1, batchSize: 4 });
    expect(writes.join('')).toMatch(/^Epoch 1\/1\n2\/2 - /);
    // On a terminal the default is the bar, redrawn in place.
    writes.length = 0;
    const had = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      await m.fit(x, y, { epochs: 1, batchSize: 4 });
    } finally {
      if (had) Object.defineProperty(process.stdout, 'isTTY', had);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(writes[0]).toBe('Epoch 1/1\n');
    expect(writes[1]).toMatch(/^\r1\/2 \[=+>\.+\] - ETA: /);
    // Full bar (no wider than the 80 columns assumed for a terminal that does not report its width).
    expect(writes[writes.length - 1]).toMatch(/^\r2\/2 \[=+\] - .*\n$/);
  });

  it('runs hooks in Keras order and awaits async hooks', async () => {
    const m = linearModel(1, 0, 0);
    const events: string[] = [];
    let slowDone = false;
    const cb = new LambdaCallback({
      onTrainBegin: () => void events.push('trainBegin'),
      onEpochBegin: (e) => {
        events.push(`epochBegin ${e} slowDone=${slowDone}`);
      },
      onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
      onBatchEnd: (b, logs) => void events.push(`batchEnd ${b} ${Object.keys(logs).join(',')}`),
      onTestBegin: () => void events.push('testBegin'),
      onTestEnd: () => void events.push('testEnd'),
      onEpochEnd: async (e, logs) => {
        events.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
        await new Promise((r) => setTimeout(r, 5));
        slowDone = true;
      },
      onTrainEnd: () => void events.push('trainEnd'),
    });
    const { x, y } = indexData(4);
    await m.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, validationData: [x, y], callbacks: [cb] });
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0 slowDone=false',
      'batchBegin 0',
      'batchEnd 0 loss,mae',
      'batchBegin 1',
      'batchEnd 1 loss,mae',
      'testBegin',
      'testEnd',
      'epochEnd 0 loss,mae,val_loss,val_mae',
      'epochBegin 1 slowDone=true',
      'batchBegin 0',
      'batchEnd 0 loss,mae',
      'batchBegin 1',
      'batchEnd 1 loss,mae',
      'testBegin',
      'testEnd',
      'epochEnd 1 loss,mae,val_loss,val_mae',
      'trainEnd',
    ]);
  });

  it('stopTraining set in a hook ends fit after the current batch', async () => {
    const m = linearModel(1, 0, 0);
    let batches = 0;
    const cb = new LambdaCallback({
      onBatchEnd: (b) => {
        batches++;
        if (b === 1) m.stopTraining = true;
      },
    });
    const h = await m.fit(indexData(10).x, indexData(10).y, { epochs: 3, batchSize: 2, verbose: 0, callbacks: [cb] });
    expect(batches).toBe(2);
    expect(h.epoch).toEqual([0]);
  });

  it('adds layer regularization penalties to the training and evaluation loss', async () => {
    const m = linearModel(2, 0, 0, { kernelRegularizer: l2(0.1) });
    const x = tensor([[1], [2]]);
    const y = tensor([[0], [0]]);
    const h = await m.fit(x, y, { epochs: 1, verbose: 0 });
    // Data loss (2² + 4²)/2 = 10, penalty 0.1 · 2² = 0.4.
    expect(h.history.loss![0]).toBeCloseTo(10.4, 5);
    expect(h.history.mae![0]).toBeCloseTo(3, 5);
    expect(m.evaluate(x, y).loss).toBeCloseTo(10.4, 5);
  });

  it('runs layers in training mode in fit and inference mode in evaluate/predict', async () => {
    const rec = new Recorder();
    const m = new Sequential([rec, new Dense({ units: 1 }), new BatchNormalization({ momentum: 0.5 })]);
    m.build([null, 1]);
    m.setWeights([tensor([[1]]), tensor([0]), tensor([1]), tensor([0]), tensor([0]), tensor([1])]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'mse' });
    rec.modes.length = 0;
    await m.fit(tensor([[2], [4]]), tensor([[0], [0]]), { epochs: 1, batchSize: 2, verbose: 0 });
    // The first call is fit's inference-mode check of the data before training, then the step.
    expect(rec.modes).toEqual([false, true]);
    // One training step: moving_mean = 0.5·0 + 0.5·mean(2, 4) = 1.5.
    expect(m.getLayer(2).getWeights()[2]!.dataSync()[0]).toBeCloseTo(1.5, 6);
    rec.modes.length = 0;
    m.evaluate(tensor([[2]]), tensor([[0]]));
    m.predict(tensor([[2]]));
    expect(rec.modes.every((t) => !t)).toBe(true);
  });

  it('dropout is active only in training', async () => {
    const rec = new Recorder();
    const m = new Sequential([new Dropout({ rate: 0.5, inputShape: [1] }), rec, new Dense({ units: 1, kernelInitializer: 'ones', useBias: false })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'mse' });
    const x = tensor(Array.from({ length: 64 }, () => [1]));
    const y = tensor(Array.from({ length: 64 }, () => [1]));
    await m.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 });
    // Inverted dropout: each unit is dropped (0) or scaled by 1/(1 - 0.5) = 2.
    const seen = rec.seen[0]!;
    expect(seen.every((v) => v === 0 || v === 2)).toBe(true);
    expect(seen.filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(seen.filter((v) => v === 2).length).toBeGreaterThan(10);
    expect(Array.from(m.predict(x).dataSync()).every((v) => v === 1)).toBe(true);
    expect(m.evaluate(x, y).loss).toBe(0);
  });

  it('finalizes EMA weights at the end of fit when the optimizer uses EMA', async () => {
    const opt = getOptimizer({ className: 'SGD', config: { learningRate: 0.1, useEma: true } });
    const spy = vi.spyOn(opt, 'finalizeVariableValues');
    const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    m.compile({ optimizer: opt, loss: 'mse' });
    await m.fit(indexData(4).x, indexData(4).y, { epochs: 2, verbose: 0 });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual(m.trainableWeights);
    const plain = linearModel(0, 0, 0.1);
    const spy2 = vi.spyOn(plain.optimizer!, 'finalizeVariableValues');
    await plain.fit(indexData(4).x, indexData(4).y, { epochs: 1, verbose: 0 });
    expect(spy2).not.toHaveBeenCalled();
  });

  it('fails before any training step on wrong data, naming what is wrong', async () => {
    const m = linearModel(1, 0, 0.1);
    const before = m.getWeights().map((w) => w.dataSync()[0]);
    await expect(m.fit(tensor([[1], [2], [3]]), tensor([[1], [2]]), { verbose: 0 })).rejects.toThrow(
      /fit: all inputs must have the same number of samples, got x \[3,1\] and y \[2,1\]/,
    );
    await expect(m.fit(tensor([[1, 2]]), tensor([[1]]), { verbose: 0 })).rejects.toThrow(/fit: input shape mismatch: model 'sequential' expects \[null,1\], got x of shape \[1,2\]/);
    await expect(m.fit(tensor([[1]]), tensor([[1]]), { verbose: 0, stepsPerEpoch: 2 } as never)).rejects.toThrow(/stepsPerEpoch' applies to datasets/);
    await expect(m.fit(tensor([[1], [2]]), tensor([[1], [2]]), { verbose: 0, validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \(0, 1\)/);
    await expect(m.fit(tensor([[1]]), tensor([[1]]), { verbose: 0, batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);

    const clf = new Sequential([new Dense({ units: 3, inputShape: [2], activation: 'softmax' })]);
    clf.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const w0 = clf.getWeights()[0]!.dataSync();
    const oneHotOfWrongWidth = tensor([[0, 1, 0, 0], [1, 0, 0, 0]]);
    await expect(clf.fit(tensor([[1, 2], [3, 4]]), oneHotOfWrongWidth, { verbose: 0 })).rejects.toThrow(/^fit: the data does not fit model 'sequential_1' compiled with loss 'sparse_categorical_crossentropy': /);
    expect(clf.getWeights()[0]!.dataSync()).toEqual(w0);
    expect(m.getWeights().map((w) => w.dataSync()[0])).toEqual(before);
  });
});

describe('fit with datasets', () => {
  const batches = [
    { xs: [[0], [1]], ys: [[0], [0.1]] },
    { xs: [[2], [3]], ys: [[0.2], [0.3]] },
  ];

  it('iterates a re-iterable dataset once per epoch', async () => {
    const rec = new Recorder();
    const m = linearModel(1, 0, 0, { recorder: rec });
    const h = await m.fit(batches, { epochs: 2, verbose: 0 });
    expect(rec.seen).toEqual([[0, 1], [2, 3], [0, 1], [2, 3]]);
    expect(h.history.loss).toHaveLength(2);
  });

  it('with stepsPerEpoch, one iterator runs across epochs (so a generator can stream)', async () => {
    const rec = new Recorder();
    const m = linearModel(1, 0, 0, { recorder: rec });
    function* stream() {
      for (let i = 0; ; i++) yield { xs: [[i]], ys: [[0]] };
    }
    await m.fit(stream(), { epochs: 2, stepsPerEpoch: 3, verbose: 0 });
    expect(rec.seen).toEqual([[0], [1], [2], [3], [4], [5]]);
  });

  it('with stepsPerEpoch, restarts a re-iterable dataset and stops when a one-shot one runs out', async () => {
    const rec = new Recorder();
    const m = linearModel(1, 0, 0, { recorder: rec });
    await m.fit(batches, { epochs: 2, stepsPerEpoch: 3, verbose: 0 });
    expect(rec.seen).toEqual([[0, 1], [2, 3], [0, 1], [2, 3], [0, 1], [2, 3]]);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    function* three() {
      for (let i = 0; i < 3; i++) yield { xs: [[i]], ys: [[0]] };
    }
    const h = await m.fit(three(), { epochs: 5, stepsPerEpoch: 2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ran out of data after 1 batches in epoch 2; stopping training/));
  });

  it('accepts async iterables and validation datasets with validationSteps', async () => {
    const m = linearModel(1, 0, 0);
    async function* data() {
      await Promise.resolve();
      yield { xs: [[1]], ys: [[0]] };
      yield { xs: [[2]], ys: [[0]] };
    }
    const reusable = { [Symbol.asyncIterator]: data };
    let testBatches = 0;
    const h = await m.fit(reusable, {
      epochs: 2,
      verbose: 0,
      validationData: { [Symbol.asyncIterator]: data },
      validationSteps: 1,
      callbacks: [new LambdaCallback({ onTestBatchEnd: () => void testBatches++ })],
    });
    // Training: (1 + 4) / 2 per epoch (mean over samples); validation: first batch only.
    expect(h.history.loss).toEqual([2.5, 2.5]);
    expect(h.history.val_loss).toEqual([1, 1]);
    expect(testBatches).toBe(2);
  });

  it('explains a one-shot generator that is used up, and options that do not apply', async () => {
    const m = linearModel(1, 0, 0);
    function* once() {
      yield { xs: [[1]], ys: [[0]] };
    }
    await expect(m.fit(once(), { epochs: 2, verbose: 0 })).rejects.toThrow(/yielded no batches in epoch 2; a one-shot generator is used up/);
    await expect(m.fit(batches, { verbose: 0, batchSize: 4 } as never)).rejects.toThrow(/option 'batchSize' does not apply to a dataset/);
    await expect(m.fit([{ xs: [[1, 2]], ys: [[0]] }], { verbose: 0 })).rejects.toThrow(/input shape mismatch/);
  });
});

describe('evaluate, trainOnBatch, testOnBatch', () => {
  it('evaluate returns named results averaged over all samples whatever the batch size', () => {
    const m = linearModel(1, 0, 0);
    const x = tensor([[1], [2], [3]]);
    const y = tensor([[0], [0], [0]]);
    const expected = { loss: (1 + 4 + 9) / 3, mae: 2 };
    for (const batchSize of [1, 2, 32]) {
      const r = m.evaluate(x, y, { batchSize });
      expect(r.loss).toBeCloseTo(expected.loss, 5);
      expect(r.mae).toBeCloseTo(expected.mae, 5);
    }
    expect(m.evaluate(x, y, { sampleWeight: [0, 0, 3] }).loss).toBeCloseTo(27 / 3, 5);
  });

  it('trainOnBatch takes one SGD step and returns the loss before it', () => {
    const m = linearModel(1, 0, 0.1);
    const logs = m.trainOnBatch(tensor([[1]]), tensor([[3]]));
    expect(logs.loss).toBeCloseTo(4, 6);
    expect(logs.mae).toBeCloseTo(2, 6);
    // d/dk (k + b - 3)² = 2·(1 - 3)·1 = -4 → k = 1 + 0.1·4; same for b.
    const [k, b] = m.getWeights().map((w) => w.dataSync()[0]!);
    expect(k).toBeCloseTo(1.4, 6);
    expect(b).toBeCloseTo(0.4, 6);
    expect(m.testOnBatch(tensor([[1]]), tensor([[3]])).loss).toBeCloseTo((1.8 - 3) ** 2, 5);
    expect(m.optimizer!.iterations).toBe(1);
  });

  it('evaluate and predict run their test/predict hooks per batch', () => {
    const m = linearModel(1, 0, 0);
    const events: string[] = [];
    const cb = new LambdaCallback({
      onTestBegin: () => void events.push('testBegin'),
      onTestBatchEnd: (b, logs) => void events.push(`testBatch ${b} loss=${logs.loss}`),
      onTestEnd: (logs) => void events.push(`testEnd loss=${logs.loss}`),
      onPredictBegin: () => void events.push('predictBegin'),
      onPredictBatchBegin: (b) => void events.push(`predictBatch ${b}`),
      onPredictEnd: () => void events.push('predictEnd'),
    });
    const x = tensor([[1], [2], [3]]);
    m.evaluate(x, tensor([[0], [0], [0]]), { batchSize: 2, callbacks: [cb] });
    m.predict(x, { batchSize: 2, callbacks: [cb] });
    // Running loss after batch 0: (1 + 4) / 2; after batch 1 over all three: 14 / 3.
    expect(events).toEqual(['testBegin', 'testBatch 0 loss=2.5', `testBatch 1 loss=${14 / 3}`, `testEnd loss=${14 / 3}`, 'predictBegin', 'predictBatch 0', 'predictBatch 1', 'predictEnd']);
  });

  it('evaluate refuses async callbacks, which it cannot await', () => {
    const m = linearModel(1, 0, 0);
    const cb = new LambdaCallback({ onTestEnd: () => Promise.resolve() });
    expect(() => m.evaluate(tensor([[1]]), tensor([[1]]), { callbacks: [cb] })).toThrow(/returned a Promise, but evaluate\(\) runs callbacks synchronously/);
  });
});
