import type { Tensor, TensorLike } from '@descent/tensor';
import { endScope, permutation, startScope, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgbarLogger } from '../callbacks/progbar-logger.js';
import { isInteractive } from '../platform.js';
import type { Sequential } from '../sequential.js';
import type { BatchTensors, ClassWeight, Dataset } from './data.js';
import { asBatchTensor, asSampleWeight, checkSameLength, classWeightsFor, isDataset, iteratorOf, multiplyWeights, Rows, unpackBatch } from './data.js';
import { validationRunner } from './evaluate.js';
import type { ValidationRunner } from './evaluate.js';

type ValidationTuple = readonly [TensorLike, TensorLike] | readonly [TensorLike, TensorLike, TensorLike];

interface CommonFitOptions {
  /** Index of the last epoch to run, exclusive of `initialEpoch` (default 1). */
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1 on a terminal, else 2). */
  verbose?: 0 | 1 | 2;
  callbacks?: readonly Callback[];
  /** Extra weight per class index, multiplied into the training samples' weights. */
  classWeight?: ClassWeight;
  /** Epoch to start counting from, e.g. to resume a run (default 0). */
  initialEpoch?: number;
  /** Validate every N epochs, or on the listed (1-based) epochs (default 1). */
  validationFreq?: number | readonly number[];
  /** Batch size for tensor validation data (default: batchSize). */
  validationBatchSize?: number;
  /** Batches to draw from a dataset given as validationData (default: until it ends). */
  validationSteps?: number;
}

export interface FitOptions extends CommonFitOptions {
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** Hold out the last fraction of x/y (before shuffling) for validation, as Keras does. */
  validationSplit?: number;
  /** `[xVal, yVal]`, `[xVal, yVal, sampleWeightVal]` or a dataset of batches; overrides validationSplit. */
  validationData?: ValidationTuple | Dataset;
  /** Shuffle the training samples every epoch, from the global seed (`setSeed`) (default true). */
  shuffle?: boolean;
  /** One weight per training sample, shape [n]. */
  sampleWeight?: TensorLike;
}

export interface FitDatasetOptions extends CommonFitOptions {
  /** Batches per epoch. Without it, each epoch iterates the dataset until it ends (so it must be re-iterable). */
  stepsPerEpoch?: number;
  validationData?: ValidationTuple | Dataset;
}

/** Delivers one epoch's batches. `next` returns null when the epoch is over. */
interface BatchSource {
  readonly steps: number | null;
  startEpoch(epoch: number): void;
  next(): Promise<BatchTensors | null> | BatchTensors | null;
  /** Set when the data ran out for good and training must stop. */
  exhausted: boolean;
}

function positiveInt(op: string, name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function checkEpochs(opts: CommonFitOptions): { epochs: number; initialEpoch: number } {
  const epochs = opts.epochs ?? 1;
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${String(epochs)}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${String(initialEpoch)}`);
  return { epochs, initialEpoch };
}

function validationSchedule(freq: number | readonly number[] | undefined): (epoch: number) => boolean {
  if (freq === undefined) return () => true;
  if (typeof freq === 'number') {
    if (!Number.isInteger(freq) || freq < 1) throw new Error(`fit: validationFreq must be a positive integer or a list of epochs, got ${freq}`);
    return (epoch) => (epoch + 1) % freq === 0;
  }
  if (!Array.isArray(freq) || freq.some((e) => !Number.isInteger(e) || e < 1)) {
    throw new Error(`fit: validationFreq list must hold 1-based epoch numbers, got ${JSON.stringify(freq)}`);
  }
  const set = new Set(freq);
  return (epoch) => set.has(epoch + 1);
}

function rejectOptions(op: string, options: object, names: readonly string[], why: string): void {
  for (const name of names) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw new Error(`${op}: option '${name}' ${why}`);
  }
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const st = (globalThis as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
    if (st) st(resolve, 0);
    else resolve();
  });

/** Validation data in either form, turned into a runner; also checks it against the model up front. */
function makeValidation(model: Sequential, data: ValidationTuple | Dataset, opts: CommonFitOptions, batchSize: number | undefined): ValidationRunner {
  if (isDataset(data)) {
    rejectOptions('fit', opts, ['validationBatchSize'], 'applies to tensor validationData; a dataset brings its own batches');
    return validationRunner(model, { dataset: data, steps: opts.validationSteps ?? null });
  }
  if (!Array.isArray(data) || data.length < 2 || data.length > 3) {
    throw new Error('fit: validationData must be [xVal, yVal], [xVal, yVal, sampleWeightVal] or an iterable of { xs, ys } batches');
  }
  if (opts.validationSteps !== undefined) throw new Error("fit: option 'validationSteps' applies when validationData is a dataset of batches");
  const [xv, yv, swv] = data as readonly [TensorLike, TensorLike, TensorLike?];
  const x = asBatchTensor('fit', xv, 'validationData x');
  const y = asBatchTensor('fit', yv, 'validationData y');
  const n = checkSameLength('fit', [['validationData x', x], ['validationData y', y]]);
  const sw = swv === undefined ? null : asSampleWeight('fit', swv, n);
  model.checkBatch('fit (validationData)', x, y);
  return validationRunner(model, { x, y, sampleWeight: sw, batchSize: positiveInt('fit', 'validationBatchSize', opts.validationBatchSize, batchSize ?? 32) });
}

/** `fit(x, y, options)` with tensors. */
export async function fitTensors(model: Sequential, xIn: TensorLike, yIn: TensorLike, opts: FitOptions): Promise<History> {
  const op = 'fit';
  rejectOptions(op, opts, ['stepsPerEpoch'], 'applies to datasets of batches; with tensors, use batchSize');
  model.requireCompiled(op);
  const { epochs, initialEpoch } = checkEpochs(opts);
  const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
  let x = asBatchTensor(op, xIn, 'x');
  let y = asBatchTensor(op, yIn, 'y');
  let sw: Tensor | null = null;
  const n0 = checkSameLength(op, [['x', x], ['y', y]]);
  if (opts.sampleWeight !== undefined) sw = asSampleWeight(op, opts.sampleWeight, n0);
  model.checkInput(op, x);

  let validation: ValidationRunner | null = null;
  if (opts.validationData !== undefined) {
    validation = makeValidation(model, opts.validationData, opts, batchSize);
  } else if (opts.validationSplit !== undefined && opts.validationSplit !== 0) {
    const split = opts.validationSplit;
    if (!(split > 0 && split < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${split}`);
    const at = Math.floor(n0 * (1 - split));
    if (at === 0 || at === n0) {
      throw new Error(`fit: validationSplit ${split} of ${n0} samples leaves ${at} for training and ${n0 - at} for validation; both need at least one`);
    }
    const xr = new Rows(x);
    const yr = new Rows(y);
    const swr = sw === null ? null : new Rows(sw);
    const xv = xr.take(at, n0);
    const yv = yr.take(at, n0);
    const swv = swr === null ? null : swr.take(at, n0);
    x = xr.take(0, at);
    y = yr.take(0, at);
    sw = swr === null ? null : swr.take(0, at);
    validation = validationRunner(model, { x: xv, y: yv, sampleWeight: swv, batchSize: positiveInt(op, 'validationBatchSize', opts.validationBatchSize, batchSize) });
  } else if (opts.validationBatchSize !== undefined) {
    throw new Error("fit: option 'validationBatchSize' needs validationData or validationSplit");
  }
  if (opts.validationSteps !== undefined && !(opts.validationData !== undefined && isDataset(opts.validationData))) {
    throw new Error("fit: option 'validationSteps' applies when validationData is a dataset of batches");
  }
  if (opts.classWeight !== undefined) sw = multiplyWeights(sw, classWeightsFor(op, y, opts.classWeight));
  model.checkBatch(op, x, y);

  const n = x.shape[0]!;
  const xr = new Rows(x);
  const yr = new Rows(y);
  const swr = sw === null ? null : new Rows(sw);
  const shuffle = opts.shuffle ?? true;
  const steps = Math.ceil(n / batchSize);
  let order: Int32Array | null = null;
  let step = 0;
  const source: BatchSource = {
    steps,
    exhausted: false,
    startEpoch() {
      step = 0;
      order = shuffle ? withScope(() => permutation(n).dataSync() as Int32Array) : null;
    },
    next() {
      if (step >= steps) return null;
      const start = step * batchSize;
      const end = Math.min(n, start + batchSize);
      step++;
      return { x: xr.take(start, end, order), y: yr.take(start, end, order), sampleWeight: swr === null ? null : swr.take(start, end, order) };
    },
  };
  return runFit(model, source, validation, opts, epochs, initialEpoch);
}

/** `fit(dataset, options)` with an (async) iterable of batches. */
export async function fitDataset(model: Sequential, dataset: Dataset, opts: FitDatasetOptions): Promise<History> {
  const op = 'fit';
  rejectOptions(op, opts, ['batchSize', 'validationSplit', 'shuffle', 'sampleWeight'], 'does not apply to a dataset of batches: batch, shuffle and weight the data in the dataset itself');
  model.requireCompiled(op);
  const { epochs, initialEpoch } = checkEpochs(opts);
  const stepsPerEpoch = opts.stepsPerEpoch === undefined ? null : positiveInt(op, 'stepsPerEpoch', opts.stepsPerEpoch, 1);
  const validation = opts.validationData === undefined ? null : makeValidation(model, opts.validationData, opts, undefined);
  if (opts.validationData === undefined && (opts.validationSteps !== undefined || opts.validationBatchSize !== undefined)) {
    throw new Error("fit: options 'validationSteps'/'validationBatchSize' need validationData");
  }
  let iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;
  let step = 0;
  let index = 0;
  let checked = false;
  let epochNumber = 0;
  const source: BatchSource = {
    steps: stepsPerEpoch,
    exhausted: false,
    startEpoch(epoch) {
      step = 0;
      epochNumber = epoch;
      // Without stepsPerEpoch every epoch is one full pass; with it, one iterator runs across epochs (as in Keras).
      if (stepsPerEpoch === null || iterator === null) iterator = iteratorOf(dataset);
    },
    async next() {
      if (stepsPerEpoch !== null && step >= stepsPerEpoch) return null;
      let r = await iterator!.next();
      if (r.done && stepsPerEpoch !== null) {
        // Start the data over (an array or a re-iterable dataset); a one-shot generator stays empty.
        iterator = iteratorOf(dataset);
        r = await iterator.next();
        if (r.done) {
          source.exhausted = true;
          return null;
        }
      }
      if (r.done) {
        if (step === 0) {
          throw new Error(
            `fit: the dataset yielded no batches in epoch ${epochNumber + 1}; a one-shot generator is used up after one epoch — pass an iterable that can be iterated again (e.g. an array or an object with [Symbol.iterator]) or set stepsPerEpoch`,
          );
        }
        return null;
      }
      const batch = unpackBatch(op, r.value as never, index++);
      if (!checked) {
        model.checkBatch(op, batch.x, batch.y);
        checked = true;
      } else {
        model.checkInput(op, batch.x);
      }
      if (opts.classWeight !== undefined) batch.sampleWeight = multiplyWeights(batch.sampleWeight, classWeightsFor(op, batch.y, opts.classWeight));
      step++;
      return batch;
    },
  };
  return runFit(model, source, validation, opts, epochs, initialEpoch);
}

async function runFit(
  model: Sequential,
  source: BatchSource,
  validation: ValidationRunner | null,
  opts: CommonFitOptions,
  epochs: number,
  initialEpoch: number,
): Promise<History> {
  const { optimizer } = model.requireCompiled('fit');
  const shouldValidate = validationSchedule(opts.validationFreq);
  const verbose = opts.verbose ?? (isInteractive() ? 1 : 2);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const user = [...(opts.callbacks ?? [])];
  for (const cb of user) {
    if (typeof cb !== 'object' || cb === null || typeof cb.onEpochEnd !== 'function') {
      throw new Error('fit: every entry of callbacks must be a Callback (e.g. new EarlyStopping(...) or new LambdaCallback({...}))');
    }
  }
  const history = new History();
  const all: Callback[] = [...user];
  if (verbose > 0 && !user.some((cb) => cb instanceof ProgbarLogger)) all.push(new ProgbarLogger());
  all.push(history);
  const metricNames = ['loss', ...model.metrics.map((m) => m.name)];
  const names = validation ? [...metricNames, ...metricNames.map((k) => `val_${k}`)] : metricNames;
  const callbacks = new CallbackList(all, model, { epochs, steps: source.steps, verbose, metrics: names });

  model.stopTraining = false;
  await callbacks.run('onTrainBegin', {});
  let lastLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    for (const m of model.metrics) m.reset();
    source.startEpoch(epoch);
    await callbacks.run('onEpochBegin', epoch, {});
    let lossSum = 0;
    let seen = 0;
    let step = 0;
    for (;;) {
      // One step scope per batch, around fetching it and the step: on backends with manual memory
      // the batch and every intermediate are released at its end, so memory stays flat. Tensors
      // that onBatchBegin hooks create live in it too (keep() what must outlive the batch).
      startScope();
      let size = 0;
      let lossValue = NaN;
      try {
        const batch = await source.next();
        if (batch !== null) {
          await callbacks.run('onBatchBegin', step, {});
          size = batch.x.shape[0]!;
          lossValue = model.trainStep(batch.x, batch.y, batch.sampleWeight);
        }
      } finally {
        endScope();
      }
      if (size === 0) break;
      lossSum += lossValue * size;
      seen += size;
      const logs: Logs = { loss: lossSum / seen };
      for (const m of model.metrics) logs[m.name] = m.result();
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
    for (const m of model.metrics) epochLogs[m.name] = m.result();
    if (validation && shouldValidate(epoch)) {
      const valLogs = await validation(callbacks);
      for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
    }
    await callbacks.run('onEpochEnd', epoch, epochLogs);
    lastLogs = epochLogs;
    if (model.stopTraining) break;
    await yieldToEventLoop();
  }
  await callbacks.run('onTrainEnd', lastLogs);
  // Keras swaps the EMA weights in once, when fit ends.
  if (optimizer.getConfig().useEma === true) optimizer.finalizeVariableValues(model.trainableWeights);
  return history;
}
