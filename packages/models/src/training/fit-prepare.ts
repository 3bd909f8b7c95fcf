// What `fit` does before its loop starts: checking the options and data, cutting the validation
// split, and making the source that delivers each epoch's batches.
import type { Generator, Tensor } from '@descent/tensor';
import { dispose, permutation, withGenerator, withScope } from '@descent/tensor';
import { formatValue } from '../format.js';
import type { BatchData, Dataset, DataStructure, StepBatch } from './data.js';
import { applyClassWeight, asBatchData, asSampleWeights, batchLength, checkSameLength, classWeightsFor, DataRows, isDataset, iteratorOf, multiplyWeights, namedTensors, singleY, unpackBatch } from './data.js';
import { validationRunner } from './evaluate.js';
import type { ValidationRunner } from './evaluate.js';
import type { CommonFitOptions, FitDatasetOptions, FitOptions, ValidationTuple } from './fit-options.js';
import { checkEpochs, positiveInt, rejectOptions } from './fit-options.js';
import { fitSeed } from './fit-random.js';
import type { AnyModel } from './model-kind.js';
import { dataNames, trainer } from './model-kind.js';
import { checkOptionKeys, FIT_DATASET_OPTIONS, FIT_OPTIONS } from './options.js';

/** Delivers one epoch's batches. `next` returns null when the epoch is over. */
export interface BatchSource {
  readonly steps: number | null;
  /** Synchronous; runFit runs it with the fit's generator current (the shuffle draws from it). */
  startEpoch(epoch: number): void;
  /** May await (an async dataset), so it runs outside any scope; see StepBatch. `gen` is the epoch's generator. */
  next(gen: Generator): Promise<StepBatch | null> | StepBatch | null;
  /** Set when the data ran out for good and training must stop. */
  exhausted: boolean;
}

/**
 * Validation data in either form, turned into a runner; also checks it against the model up front.
 * Tensors it makes from the user's arrays go to `made` (fit disposes them when it ends).
 */
function makeValidation(model: AnyModel, data: ValidationTuple | Dataset, opts: CommonFitOptions, batchSize: number | undefined, made: Tensor[]): ValidationRunner {
  if (isDataset(data)) {
    rejectOptions('fit', opts, ['validationBatchSize'], 'applies to tensor validationData; a dataset brings its own batches');
    return validationRunner(model, { dataset: data, steps: opts.validationSteps ?? null });
  }
  if (!Array.isArray(data) || data.length < 2 || data.length > 3) {
    throw new Error('fit: validationData must be [xVal, yVal], [xVal, yVal, sampleWeightVal] or an iterable of { xs, ys } batches');
  }
  if (opts.validationSteps !== undefined) throw new Error("fit: option 'validationSteps' applies when validationData is a dataset of batches");
  const [xv, yv, swv] = data as readonly [DataStructure, DataStructure, DataStructure?];
  const names = dataNames(model);
  const x = asBatchData('fit', xv, 'validationData x', names.x, made);
  const y = asBatchData('fit', yv, 'validationData y', names.y, made);
  const n = checkSameLength('fit', [...namedTensors('validationData x', x, names.x), ...namedTensors('validationData y', y, names.y)]);
  const sw = swv === undefined ? null : asSampleWeights('fit', swv, n, names.y, made);
  checkBatch(model, 'fit (validationData)', x, y);
  trainer(model).checkLabels('fit', y, 'validationData y');
  return validationRunner(model, { x, y, sampleWeight: sw, batchSize: positiveInt('fit', 'validationBatchSize', opts.validationBatchSize, batchSize ?? 32) });
}

/** Every tensor of `data` (cut by fit, so its own) noted in `made`. */
function oursAll(made: Tensor[], data: BatchData): BatchData {
  made.push(...(Array.isArray(data) ? (data as readonly Tensor[]) : [data as Tensor]));
  return data;
}

/** `t`, noted in `made` unless it is the caller's own value `user` (a Tensor passed in as it is). */
function ours<T extends Tensor>(made: Tensor[], t: T, user: unknown): T {
  if (t !== user) made.push(t);
  return t;
}

/** `trainer(model).checkBatch` in a scope of its own, so the sample rows it cuts are released right away. */
function checkBatch(model: AnyModel, op: string, x: BatchData, y: BatchData): void {
  withScope(() => trainer(model).checkBatch(op, x, y));
}

/** What fit needs to run: the training batches, validation, the epochs and the seed of the fit's own random stream. */
export interface PreparedFit {
  source: BatchSource;
  validation: ValidationRunner | null;
  epochs: number;
  initialEpoch: number;
  seed: number;
}

/** Checks and prepares `fit(x, y, options)` with tensors: the batches (shuffled per epoch), validation, epochs and seed. */
export function prepareTensorFit(model: AnyModel, xIn: DataStructure, yIn: DataStructure, opts: FitOptions, made: Tensor[]): PreparedFit {
  const op = 'fit';
  rejectOptions(op, opts, ['stepsPerEpoch'], 'applies to datasets of batches; with tensors, use batchSize');
  checkOptionKeys(op, opts, FIT_OPTIONS);
  trainer(model).requireCompiled(op);
  const { epochs, initialEpoch } = checkEpochs(opts);
  const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
  const names = dataNames(model);
  let x = asBatchData(op, xIn, 'x', names.x, made);
  let y = asBatchData(op, yIn, 'y', names.y, made);
  let sw: BatchData | null = null;
  const n0 = checkSameLength(op, [...namedTensors('x', x, names.x), ...namedTensors('y', y, names.y)]);
  // Every label, before the split and the shuffle: errors name the caller's sample index.
  const allY = y;
  if (opts.sampleWeight !== undefined) sw = asSampleWeights(op, opts.sampleWeight, n0, names.y, made);
  trainer(model).checkInput(op, x);

  let validation: ValidationRunner | null = null;
  if (opts.validationData !== undefined) {
    validation = makeValidation(model, opts.validationData, opts, batchSize, made);
  } else if (opts.validationSplit !== undefined && opts.validationSplit !== 0) {
    const split = opts.validationSplit;
    if (!(split > 0 && split < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${formatValue(split)}`);
    const at = Math.floor(n0 * (1 - split));
    if (at === 0 || at === n0) {
      throw new Error(`fit: validationSplit ${split} of ${n0} samples leaves ${at} for training and ${n0 - at} for validation; both need at least one`);
    }
    const xr = new DataRows(x);
    const yr = new DataRows(y);
    const swr = sw === null ? null : new DataRows(sw);
    const xv = oursAll(made, xr.take(at, n0));
    const yv = oursAll(made, yr.take(at, n0));
    const swv = swr === null ? null : oursAll(made, swr.take(at, n0));
    x = oursAll(made, xr.take(0, at));
    y = oursAll(made, yr.take(0, at));
    sw = swr === null ? null : oursAll(made, swr.take(0, at));
    validation = validationRunner(model, { x: xv, y: yv, sampleWeight: swv, batchSize: positiveInt(op, 'validationBatchSize', opts.validationBatchSize, batchSize) });
  } else if (opts.validationBatchSize !== undefined) {
    throw new Error("fit: option 'validationBatchSize' needs validationData or validationSplit");
  }
  if (opts.validationSteps !== undefined && !(opts.validationData !== undefined && isDataset(opts.validationData))) {
    throw new Error("fit: option 'validationSteps' applies when validationData is a dataset of batches");
  }
  if (opts.classWeight !== undefined) {
    const cw = ours(made, classWeightsFor(op, singleY(op, y), opts.classWeight), null);
    sw = multiplyWeights(sw as Tensor | null, cw);
    if (sw !== cw) made.push(sw as Tensor);
  }
  // Builds the model if it has no input shape yet, from the global generator: the same weights as
  // building it before fit would give.
  checkBatch(model, op, x, y);
  trainer(model).checkLabels(op, allY);

  const n = batchLength(x);
  const xr = new DataRows(x);
  const yr = new DataRows(y);
  const swr = sw === null ? null : new DataRows(sw);
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
      const rows = order;
      step++;
      // The rows are cut inside the step's scope, so they are released with the step.
      return {
        tensors: () => ({ x: xr.take(start, end, rows), y: yr.take(start, end, rows), sampleWeight: swr === null ? null : swr.take(start, end, rows) }),
        made: [],
      };
    },
  };
  return { source, validation, epochs, initialEpoch, seed: fitSeed(model, initialEpoch) };
}

/** Checks and prepares `fit(dataset, options)`: batches drawn from the dataset, validation, epochs and seed. */
export function prepareDatasetFit(model: AnyModel, dataset: Dataset, opts: FitDatasetOptions, made: Tensor[]): PreparedFit {
  const op = 'fit';
  rejectOptions(op, opts, ['batchSize', 'validationSplit', 'shuffle', 'sampleWeight'], 'does not apply to a dataset of batches: batch, shuffle and weight the data in the dataset itself');
  checkOptionKeys(op, opts, FIT_DATASET_OPTIONS);
  trainer(model).requireCompiled(op);
  const { epochs, initialEpoch } = checkEpochs(opts);
  const stepsPerEpoch = opts.stepsPerEpoch === undefined ? null : positiveInt(op, 'stepsPerEpoch', opts.stepsPerEpoch, 1);
  const validation = opts.validationData === undefined ? null : makeValidation(model, opts.validationData, opts, undefined, made);
  if (opts.validationData === undefined && (opts.validationSteps !== undefined || opts.validationBatchSize !== undefined)) {
    throw new Error("fit: options 'validationSteps'/'validationBatchSize' need validationData");
  }
  let iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;
  let step = 0;
  let index = 0;
  let checked = false;
  let epochNumber = 0;
  const seed = fitSeed(model, initialEpoch);
  const source: BatchSource = {
    steps: stepsPerEpoch,
    exhausted: false,
    startEpoch(epoch) {
      step = 0;
      epochNumber = epoch;
      // Without stepsPerEpoch every epoch is one full pass; with it, one iterator runs across epochs (as in Keras).
      if (stepsPerEpoch === null || iterator === null) iterator = iteratorOf(dataset);
    },
    async next(gen) {
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
      // Unpacked outside any scope: the dataset's tensors stay the user's; the ones fit makes from
      // arrays and weights are listed in batch.made and disposed after the step.
      const batch = unpackBatch(op, r.value as never, index++, dataNames(model));
      try {
        if (!checked) {
          // The first batch may build the model: its initial weights come from this fit's stream.
          withGenerator(gen, () => checkBatch(model, op, batch.x, batch.y));
          checked = true;
        } else {
          trainer(model).checkInput(op, batch.x);
        }
        // A dataset's labels are checked batch by batch, each before its own step.
        trainer(model).checkLabels(op, batch.y, `batch ${index - 1} ys`);
        if (opts.classWeight !== undefined) applyClassWeight(op, batch, opts.classWeight);
      } catch (err) {
        dispose(batch.made);
        throw err;
      }
      step++;
      return { tensors: () => batch, made: batch.made };
    },
  };
  return { source, validation, epochs, initialEpoch, seed };
}
