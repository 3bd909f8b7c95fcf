import { Dense, resetLayerNames } from '@descent/layers';
import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelArtifacts } from '../io/artifacts.js';
import { registerIORouter, withSaveHandler } from '../io/router.js';
import { resetSequentialNames, Sequential } from '../sequential.js';
import type { Callback, CallbackParams, Logs } from './callback.js';
import { CSVLogger } from './csv-logger.js';
import { EarlyStopping } from './early-stopping.js';
import { LambdaCallback } from './lambda-callback.js';
import { LearningRateScheduler } from './learning-rate-scheduler.js';
import { formatFilepath, ModelCheckpoint } from './model-checkpoint.js';
import { ProgbarLogger } from './progbar-logger.js';
import { formatProgressLine } from './progbar.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
});

function model(lr = 1): Sequential {
  const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
  m.setWeights([tensor([[1]]), tensor([0])]);
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: lr } }, loss: 'mse' });
  return m;
}

const withVal: CallbackParams = { epochs: 10, steps: 1, verbose: 0, metrics: ['loss', 'val_loss'] };
const quiet = { log: () => {} };

/** Feed `values` of `key` as epoch logs; returns the epoch at which the model was told to stop, or null. */
/** Hooks through the base type, which may return promises (so awaiting them is meaningful). */
const hooks = (cb: Callback): Callback => cb;

async function drive(callback: EarlyStopping | ReduceLROnPlateau, m: Sequential, key: string, values: number[], params = withVal): Promise<number | null> {
  const cb = hooks(callback);
  cb.setModel(m);
  cb.setParams(params);
  m.stopTraining = false;
  await cb.onTrainBegin({});
  for (let e = 0; e < values.length; e++) {
    await cb.onEpochEnd(e, { loss: 0, [key]: values[e]! });
    if (m.stopTraining) {
      await cb.onTrainEnd({});
      return e;
    }
  }
  await cb.onTrainEnd({});
  return null;
}

describe('EarlyStopping', () => {
  it('stops once the value has not improved for `patience` epochs', async () => {
    const m = model();
    expect(await drive(new EarlyStopping(), m, 'val_loss', [1, 0.9, 0.95, 0.8])).toBe(2);
    expect(await drive(new EarlyStopping({ patience: 2 }), m, 'val_loss', [1, 1.1, 1.2, 1.3])).toBe(2);
    expect(await drive(new EarlyStopping({ patience: 2 }), m, 'val_loss', [1, 1.1, 0.9, 1.0, 1.1])).toBe(4);
  });

  it('minDelta: smaller changes do not count as improvement', async () => {
    const m = model();
    expect(await drive(new EarlyStopping({ minDelta: 0.1 }), m, 'val_loss', [1, 0.95, 0.5])).toBe(1);
    expect(await drive(new EarlyStopping({ minDelta: 0.01 }), m, 'val_loss', [1, 0.95, 0.9, 0.95])).toBe(3);
  });

  it('mode: accuracy-like names are maximized by auto; min/max force the direction', async () => {
    const m = model();
    expect(await drive(new EarlyStopping({ monitor: 'val_accuracy' }), m, 'val_accuracy', [0.5, 0.6, 0.55])).toBe(2);
    expect(await drive(new EarlyStopping({ monitor: 'val_loss', mode: 'max' }), m, 'val_loss', [0.5, 0.6, 0.55])).toBe(2);
    expect(await drive(new EarlyStopping({ monitor: 'val_accuracy', mode: 'min' }), m, 'val_accuracy', [0.5, 0.6])).toBe(1);
    expect(() => new EarlyStopping({ mode: 'up' as never })).toThrow(/mode must be 'auto', 'min' or 'max', got 'up'/);
  });

  it('baseline: patience only resets once the value beats the baseline', async () => {
    const m = model();
    const values = [0.9, 0.8, 0.85, 0.84];
    expect(await drive(new EarlyStopping({ patience: 2 }), m, 'val_loss', values)).toBe(3);
    expect(await drive(new EarlyStopping({ patience: 2, baseline: 0.5 }), m, 'val_loss', values)).toBe(2);
  });

  it('startFromEpoch ignores the first epochs', async () => {
    const m = model();
    expect(await drive(new EarlyStopping(), m, 'val_loss', [1, 2, 3, 4])).toBe(1);
    expect(await drive(new EarlyStopping({ startFromEpoch: 2 }), m, 'val_loss', [1, 2, 3, 4])).toBe(3);
  });

  it('restoreBestWeights puts back the best epoch, when stopping and when training just ends', async () => {
    const m = model();
    const cb = new EarlyStopping({ restoreBestWeights: true, patience: 1 });
    cb.setModel(m);
    cb.setParams(withVal);
    await hooks(cb).onTrainBegin({});
    const kernels = [1, 2, 3];
    const losses = [0.7, 0.5, 0.6];
    for (let e = 0; e < 3; e++) {
      m.setWeights([tensor([[kernels[e]!]]), tensor([0])]);
      await hooks(cb).onEpochEnd(e, { loss: 0, val_loss: losses[e]! });
    }
    expect(m.stopTraining).toBe(true);
    await hooks(cb).onTrainEnd({});
    expect(m.getWeights()[0]!.dataSync()[0]).toBe(2);

    // Without stopping (patience not exhausted), the best weights still come back at the end.
    const cb2 = new EarlyStopping({ restoreBestWeights: true, patience: 5 });
    m.stopTraining = false;
    cb2.setModel(m);
    cb2.setParams(withVal);
    await hooks(cb2).onTrainBegin({});
    for (let e = 0; e < 3; e++) {
      m.setWeights([tensor([[kernels[e]!]]), tensor([0])]);
      await hooks(cb2).onEpochEnd(e, { loss: 0, val_loss: losses[e]! });
    }
    expect(m.stopTraining).toBe(false);
    await hooks(cb2).onTrainEnd({});
    expect(m.getWeights()[0]!.dataSync()[0]).toBe(2);
  });

  it('stops a real fit, and needs validation data to watch val_loss', async () => {
    const m = model(0);
    const x = tensor([[1], [2]]);
    const y = tensor([[0], [0]]);
    // Learning rate 0: the loss never improves, so training stops after the second epoch.
    const h = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new EarlyStopping({ monitor: 'loss' })] });
    expect(h.epoch).toEqual([0, 1]);
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new EarlyStopping()] })).rejects.toThrow(
      /EarlyStopping: monitor 'val_loss' needs validation data/,
    );
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, validationData: [x, y], callbacks: [new EarlyStopping({ monitor: 'val_acc' })] })).rejects.toThrow(
      /monitor 'val_acc' is not in the logs; available: loss, val_loss/,
    );
  });
});

describe('ReduceLROnPlateau', () => {
  it('multiplies the rate by factor after patience epochs, then waits out the cooldown', () => {
    const m = model(1);
    const rates: number[] = [];
    const logged: number[] = [];
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0, cooldown: 2 });
    cb.setModel(m);
    cb.setParams(withVal);
    cb.onTrainBegin();
    for (let e = 0; e < 5; e++) {
      const logs: Logs = { loss: 0, val_loss: 1 };
      cb.onEpochEnd(e, logs);
      logged.push(logs.learning_rate!);
      rates.push(m.optimizer!.currentLearningRate());
    }
    expect(rates).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
    expect(logged).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('never goes below minLr, and improvements reset the wait', () => {
    const m = model(1);
    const cb = new ReduceLROnPlateau({ factor: 0.1, patience: 2, minLr: 0.05 });
    cb.setModel(m);
    cb.setParams(withVal);
    cb.onTrainBegin();
    // Improvements at epochs 0..2 (by more than minDelta 1e-4), then a plateau of two epochs.
    for (const [e, v] of [1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8].entries()) cb.onEpochEnd(e, { loss: 0, val_loss: v });
    // Reduced at epoch 4 to 0.1, again at epoch 6 to max(0.01, 0.05).
    expect(m.optimizer!.currentLearningRate()).toBeCloseTo(0.05, 10);
    expect(() => new ReduceLROnPlateau({ factor: 1.5 })).toThrow(/factor must be in \[0, 1\), got 1.5/);
  });

  it('changes the rate of a real fit and logs it in History', async () => {
    const m = model(0.01);
    const h = await m.fit(tensor([[1]]), tensor([[1]]), {
      epochs: 3,
      verbose: 0,
      callbacks: [new ReduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.5, minDelta: 10 })],
    });
    // Logged at each epoch end before that epoch's reduction, as Keras does.
    expect(h.history.learning_rate).toEqual([0.01, 0.01, 0.005]);
  });
});

describe('LearningRateScheduler', () => {
  it('sets the rate at each epoch start from schedule(epoch, rate)', async () => {
    const m = model(1);
    const sched = new LearningRateScheduler((epoch, lr) => (epoch === 0 ? 0.2 : lr / 2));
    const h = await m.fit(tensor([[1]]), tensor([[1]]), { epochs: 3, verbose: 0, callbacks: [sched] });
    expect(h.history.learning_rate).toEqual([0.2, 0.1, 0.05]);
    expect(m.optimizer!.currentLearningRate()).toBe(0.05);
    const bad = new LearningRateScheduler(() => NaN);
    await expect(m.fit(tensor([[1]]), tensor([[1]]), { epochs: 1, verbose: 0, callbacks: [bad] })).rejects.toThrow(/must return a finite number, got NaN/);
  });
});

describe('TerminateOnNaN', () => {
  it('stops at the first batch whose loss is not finite', async () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    m.compile({ optimizer: 'sgd', loss: (yTrue, yPred) => yPred.sub(yTrue).mul(NaN).sum(-1) });
    const cb = new TerminateOnNaN(quiet);
    const h = await m.fit(tensor([[1], [2], [3], [4]]), tensor([[1], [2], [3], [4]]), { epochs: 3, batchSize: 1, verbose: 0, callbacks: [cb] });
    expect(cb.terminatedAtBatch).toBe(0);
    expect(h.epoch).toEqual([0]);
  });
});

describe('CSVLogger', () => {
  it('writes a header of sorted keys and one row per epoch to a sink', async () => {
    const m = model(0);
    let text = '';
    const sink = { write: (t: string) => void (text += t) };
    const h = await m.fit(tensor([[1], [2]]), tensor([[0], [0]]), { epochs: 2, verbose: 0, validationData: [tensor([[3]]), tensor([[0]])], callbacks: [new CSVLogger(sink, { separator: ';' })] });
    const loss = h.history.loss!;
    const val = h.history.val_loss!;
    expect(text).toBe(`epoch;loss;val_loss\n0;${loss[0]};${val[0]}\n1;${loss[1]};${val[1]}\n`);
    expect(loss[0]).toBeCloseTo(2.5, 6);
    expect(() => new CSVLogger(42 as never)).toThrow(/expected a file path or an object with a write\(text\) method/);
    await expect(m.fit(tensor([[1]]), tensor([[0]]), { epochs: 1, verbose: 0, callbacks: [new CSVLogger('log.csv')] })).rejects.toThrow(
      /CSVLogger: writing to the file 'log.csv' needs the Node entry/,
    );
  });
});

describe('LambdaCallback', () => {
  it('rejects unknown hooks and non-functions', () => {
    expect(() => new LambdaCallback({ onEpochEnds: () => {} } as never)).toThrow(/unknown hook 'onEpochEnds'/);
    expect(() => new LambdaCallback({ onEpochEnd: 3 } as never)).toThrow(/onEpochEnd must be a function, got number/);
  });
});

describe('ModelCheckpoint', () => {
  it('fills {epoch}, {epoch:02d} and {name:.4f} templates', () => {
    expect(formatFilepath('mem://ck/m-{epoch:02d}-{val_loss:.4f}', 2, { val_loss: 0.123456 })).toBe('mem://ck/m-03-0.1235');
    expect(formatFilepath('m-{epoch}-{loss:.2e}-{loss:8.3f}', 0, { loss: 12345 })).toBe('m-1-1.23e+4-12345.000');
    expect(formatFilepath('m-{epoch:03d}', 9, {})).toBe('m-010');
    expect(() => formatFilepath('m-{val_acc}', 0, { loss: 1 })).toThrow(/uses \{val_acc\}, which is not in the logs \(available: epoch, loss\)/);
    expect(() => formatFilepath('m-{loss:x}', 0, { loss: 1 })).toThrow(/unsupported format '\{loss:x\}'/);
  });

  it('saves every epoch to the templated URL, or only improvements with saveBestOnly', async () => {
    const saved: { url: string; artifacts: ModelArtifacts }[] = [];
    registerIORouter('mem', (url) => withSaveHandler((artifacts) => void saved.push({ url, artifacts })));
    const m = model(0);
    const x = tensor([[1], [2]]);
    const y = tensor([[0], [0]]);
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new ModelCheckpoint('mem://ck/e{epoch:02d}-{loss:.2f}')] });
    expect(saved.map((s) => s.url)).toEqual(['mem://ck/e01-2.50', 'mem://ck/e02-2.50']);
    expect(saved[0]!.artifacts.modelTopology).not.toBeNull();

    saved.length = 0;
    const best = new ModelCheckpoint('mem://best', { saveBestOnly: true, saveWeightsOnly: true, ...quiet });
    best.setModel(m);
    best.setParams(withVal);
    best.onTrainBegin();
    for (const [e, v] of [0.5, 0.7, 0.4, 0.4].entries()) await best.onEpochEnd(e, { loss: 0, val_loss: v });
    expect(saved).toHaveLength(2);
    expect(saved[0]!.artifacts.modelTopology).toBeNull();
    expect(best.best).toBe(0.4);
  });

  it('accepts a function returning an IOHandler', async () => {
    const epochs: number[] = [];
    const m = model(0);
    const cb = new ModelCheckpoint((epoch) => withSaveHandler(() => void epochs.push(epoch)));
    await m.fit(tensor([[1]]), tensor([[0]]), { epochs: 3, verbose: 0, callbacks: [cb] });
    expect(epochs).toEqual([0, 1, 2]);
  });
});

describe('ProgbarLogger', () => {
  function setup(isTTY: boolean, verbose: 1 | 2 = 1) {
    const chunks: string[] = [];
    let now = 0;
    // 120 columns: wide enough for every line here, so none is shortened to fit.
    const bar = new ProgbarLogger({ writer: { write: (t) => void chunks.push(t), isTTY, columns: 120 }, now: () => now, interval: 50, ...(verbose === 2 ? { verbose } : {}) });
    bar.setParams({ epochs: 2, steps: 3, verbose: 1, metrics: ['loss'] });
    bar.onTrainBegin();
    return { chunks, bar, at: (t: number) => void (now = t) };
  }

  it('redraws one line in place with \\r on a TTY, throttled, and ends the epoch with a newline', () => {
    const { chunks, bar, at } = setup(true);
    at(0);
    bar.onEpochBegin(0);
    at(100);
    bar.onBatchEnd(0, { loss: 0.5 });
    at(120);
    bar.onBatchEnd(1, { loss: 0.25 });
    at(300);
    bar.onBatchEnd(2, { loss: 0.125 });
    bar.onEpochEnd(0, { loss: 0.125, val_loss: 0.75 });
    const l1 = formatProgressLine({ current: 1, target: 3, elapsed: 0.1, values: [['loss', 0.5]] });
    const l2 = formatProgressLine({ current: 3, target: 3, elapsed: 0.3, values: [['loss', 0.125]] });
    const l3 = formatProgressLine({ current: 3, target: 3, elapsed: 0.3, values: [['loss', 0.125], ['val_loss', 0.75]] });
    expect(l1).toBe(`1/3 [${'='.repeat(9)}>${'.'.repeat(20)}] - ETA: 0s - loss: 0.5000`);
    expect(l3).toBe(`3/3 [${'='.repeat(30)}] - 0s 100ms/step - loss: 0.1250 - val_loss: 0.7500`);
    // The batch at 120 ms came within 50 ms of the last draw and was skipped.
    expect(chunks).toEqual(['Epoch 1/2\n', `\r${l1}`, `\r${l2}${' '.repeat(Math.max(0, l1.length - l2.length))}`, `\r${l3}\n`]);
  });

  it('writes only the final line per epoch when not on a TTY, and the epoch line for verbose 2', () => {
    const off = setup(false);
    off.bar.onEpochBegin(0);
    off.at(200);
    off.bar.onBatchEnd(0, { loss: 1 });
    off.bar.onBatchEnd(1, { loss: 1 });
    off.bar.onBatchEnd(2, { loss: 1 });
    off.bar.onEpochEnd(0, { loss: 1 });
    expect(off.chunks).toEqual(['Epoch 1/2\n', `3/3 [${'='.repeat(30)}] - 0s 67ms/step - loss: 1.0000\n`]);

    const v2 = setup(true, 2);
    v2.bar.onEpochBegin(1);
    v2.at(3000);
    for (let b = 0; b < 3; b++) v2.bar.onBatchEnd(b, { loss: 2 });
    v2.bar.onEpochEnd(1, { loss: 2, val_loss: 3 });
    expect(v2.chunks).toEqual(['Epoch 2/2\n', '3/3 - 3s - 1s/step - loss: 2.0000 - val_loss: 3.0000\n']);
  });
});

// Issue 13 item 12: unknown option keys fail everywhere, callbacks included, with the closest valid one.
describe('callback options', () => {
  it('unknown keys are refused naming the callback, the key and the closest option', () => {
    expect(() => new EarlyStopping({ patiense: 3 } as never)).toThrow(/^EarlyStopping: unknown option 'patiense'\. Did you mean 'patience'\? Valid options: monitor, minDelta, /);
    expect(() => new ReduceLROnPlateau({ min_lr: 0.1 } as never)).toThrow(/^ReduceLROnPlateau: unknown option 'min_lr'\. Did you mean 'minLr'\?/);
    expect(() => new ModelCheckpoint('file://./x', { saveBestOnyl: true } as never)).toThrow(/^ModelCheckpoint: unknown option 'saveBestOnyl'\. Did you mean 'saveBestOnly'\?/);
    expect(() => new ProgbarLogger({ intervall: 10 } as never)).toThrow(/^ProgbarLogger: unknown option 'intervall'\. Did you mean 'interval'\?/);
    expect(() => new CSVLogger({ write: () => undefined }, { seperator: ';' } as never)).toThrow(/^CSVLogger: unknown option 'seperator'\. Did you mean 'separator'\?/);
    expect(() => new LearningRateScheduler((_e, lr) => lr, { verbos: 1 } as never)).toThrow(/^LearningRateScheduler: unknown option 'verbos'\. Did you mean 'verbose'\?/);
    expect(() => new TerminateOnNaN({ logger: () => undefined } as never)).toThrow(/^TerminateOnNaN: unknown option 'logger'/);
    expect(() => new EarlyStopping(3 as never)).toThrow(/^EarlyStopping: options must be an object/);
  });

  it('known keys still construct', () => {
    expect(new EarlyStopping({ monitor: 'loss', patience: 2, restoreBestWeights: true }).patience).toBe(2);
    expect(new ModelCheckpoint('file://./x', { monitor: 'loss', saveBestOnly: true, includeOptimizer: true }).includeOptimizer).toBe(true);
    expect(new ReduceLROnPlateau({ monitor: 'loss', minLr: 0.01 }).minLr).toBe(0.01);
  });
});
