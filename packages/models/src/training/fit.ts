import type { Tensor } from '@descent/tensor';
import { dispose, Generator, withGenerator, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList, checkCallbacks } from '../callbacks/callback.js';
import { formatValue } from '../format.js';
import { History } from '../callbacks/history.js';
import { ProgbarLogger } from '../callbacks/progbar-logger.js';
import { isInteractive } from '../platform.js';
import type { Dataset, DataStructure } from './data.js';
import { batchLength } from './data.js';
import type { ValidationRunner } from './evaluate.js';
import type { CommonFitOptions, FitDatasetOptions, FitOptions } from './fit-options.js';
import { validationSchedule } from './fit-options.js';
import type { BatchSource, PreparedFit } from './fit-prepare.js';
import { prepareDatasetFit, prepareTensorFit } from './fit-prepare.js';
import { epochSeed, setFitRandomState } from './fit-random.js';
import type { AnyModel } from './model-kind.js';
import { trainer } from './model-kind.js';

export type { FitDatasetOptions, FitOptions } from './fit-options.js';
export type { FitRandomState } from './fit-random.js';
export { epochSeed, getFitRandomState, setFitRandomState } from './fit-random.js';

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const st = (globalThis as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
    if (st) st(resolve, 0);
    else resolve();
  });

/**
 * Run `prepare` and then the training loop; tensors that `prepare` notes in `made` (converted from the
 * user's arrays, weights, validation splits) are fit's own and disposed when it ends, however it ends.
 * Everything up to runFit's first await is synchronous, so concurrent fits prepare (and draw their
 * seeds) in the order they were called, as they would one after the other.
 */
async function fitWith(model: AnyModel, opts: CommonFitOptions, prepare: (made: Tensor[]) => PreparedFit): Promise<History> {
  const made: Tensor[] = [];
  try {
    const { source, validation, epochs, initialEpoch, seed } = prepare(made);
    return await runFit(model, source, validation, opts, epochs, initialEpoch, seed);
  } finally {
    dispose(made);
  }
}

/** `fit(x, y, options)` with tensors. */
export function fitTensors(model: AnyModel, xIn: DataStructure, yIn: DataStructure, opts: FitOptions): Promise<History> {
  return fitWith(model, opts, (made) => prepareTensorFit(model, xIn, yIn, opts, made));
}

/** `fit(dataset, options)` with an (async) iterable of batches. */
export function fitDataset(model: AnyModel, dataset: Dataset, opts: FitDatasetOptions): Promise<History> {
  return fitWith(model, opts, (made) => prepareDatasetFit(model, dataset, opts, made));
}

async function runFit(
  model: AnyModel,
  source: BatchSource,
  validation: ValidationRunner | null,
  opts: CommonFitOptions,
  epochs: number,
  initialEpoch: number,
  seed: number,
): Promise<History> {
  const { optimizer } = trainer(model).requireCompiled('fit');
  const shouldValidate = validationSchedule(opts.validationFreq);
  const verbose = opts.verbose ?? (isInteractive() ? 1 : 2);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${formatValue(verbose)}`);
  const user = checkCallbacks('fit', opts.callbacks);
  const history = new History();
  const all: Callback[] = [...user];
  if (verbose > 0 && !user.some((cb) => cb instanceof ProgbarLogger)) all.push(new ProgbarLogger());
  all.push(history);
  const metricNames = ['loss', ...trainer(model).metrics.map((m) => m.name)];
  const names = validation ? [...metricNames, ...metricNames.map((k) => `val_${k}`)] : metricNames;
  const callbacks = new CallbackList(all, model, { epochs, steps: source.steps, verbose, metrics: names });

  model.stopTraining = false;
  setFitRandomState(model, { seed, nextEpoch: initialEpoch });
  await callbacks.run('onTrainBegin', {});
  let lastLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    for (const m of trainer(model).metrics) m.reset();
    // This epoch's random draws (shuffle, dropout, a lazy build) depend only on (seed, epoch).
    const gen = new Generator(epochSeed(seed, epoch));
    withGenerator(gen, () => source.startEpoch(epoch));
    await callbacks.run('onEpochBegin', epoch, {});
    let lossSum = 0;
    let seen = 0;
    let step = 0;
    for (;;) {
      // Fetching the batch and the hooks may await, so they run outside any scope: the scope stack
      // is one for the whole process, and a scope open across await would take in (and free) the
      // tensors that other async work makes meanwhile — another fit, a timer, the dataset's own
      // generator. Tensors that hooks and datasets make are theirs; fit never releases them.
      const batch = await source.next(gen);
      if (batch === null) break;
      let size = 0;
      let lossValue: number;
      try {
        await callbacks.run('onBatchBegin', step, {});
        // The step itself is synchronous and runs in a scope: on backends with manual memory the
        // batch rows cut from tensor data and every intermediate are released at its end, so memory
        // stays flat. With this fit's generator current, so its random draws come from its own stream.
        lossValue = withGenerator(gen, () =>
          withScope(() => {
            const { x, y, sampleWeight } = batch.tensors();
            size = batchLength(x);
            return trainer(model).trainStep(x, y, sampleWeight);
          }),
        );
      } finally {
        if (batch.made.length > 0) dispose(batch.made);
      }
      if (size === 0) break;
      lossSum += lossValue * size;
      seen += size;
      const logs: Logs = { loss: lossSum / seen };
      for (const m of trainer(model).metrics) logs[m.name] = m.result();
      await callbacks.run('onBatchEnd', step, logs);
      step++;
      if (model.stopTraining) break;
    }
    if (source.exhausted) {
      console.warn(`fit: the dataset ran out of data after ${step} batches in epoch ${epoch + 1}; stopping training (a one-shot generator cannot be restarted)`);
      model.stopTraining = true;
      if (step === 0) break;
    }
    const epochLogs: Logs = { loss: seen > 0 ? lossSum / seen : NaN };
    for (const m of trainer(model).metrics) epochLogs[m.name] = m.result();
    if (validation && shouldValidate(epoch)) {
      const valLogs = await validation(callbacks, gen);
      for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
    }
    // Before onEpochEnd, so a ModelCheckpoint saves the epoch a resumed fit starts from.
    setFitRandomState(model, { seed, nextEpoch: epoch + 1 });
    await callbacks.run('onEpochEnd', epoch, epochLogs);
    lastLogs = epochLogs;
    if (model.stopTraining) break;
    await yieldToEventLoop();
  }
  await callbacks.run('onTrainEnd', lastLogs);
  // Keras swaps the EMA weights in once, when fit ends.
  if (optimizer.useEma) optimizer.finalizeVariableValues(trainer(model).trainableWeights);
  return history;
}
