import type { Tensor } from '@descent/tensor';
import { deriveSeed, dispose, Generator, permutation, withGenerator, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList, checkCallbacks } from '../callbacks/callback.js';
import { formatValue } from '../format.js';
import { History } from '../callbacks/history.js';
import { ProgbarLogger } from '../callbacks/progbar-logger.js';
import { isInteractive } from '../platform.js';
import type { ClassWeight, Dataset, DataStructure, StepBatch } from './data.js';
import type { BatchData } from './data.js';
import { applyClassWeight, asBatchData, asSampleWeights, batchLength, checkSameLength, classWeightsFor, DataRows, isDataset, iteratorOf, multiplyWeights, namedTensors, singleY, unpackBatch } from './data.js';
import { validationRunner } from './evaluate.js';
import type { ValidationRunner } from './evaluate.js';
import type { AnyModel } from './model-kind.js';
import { dataNames, trainer } from './model-kind.js';
import { checkOptionKeys, FIT_DATASET_OPTIONS, FIT_OPTIONS } from './options.js';

type ValidationTuple = readonly [DataStructure, DataStructure] | readonly [DataStructure, DataStructure, DataStructure];

interface CommonFitOptions {
  /** Index of the last epoch to run, exclusive of `initialEpoch` (default 1). */
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1 on a terminal, else 2). */
  verbose?: 0 | 1 | 2;
  /** Callbacks whose hooks run during training (and validation). */
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

/** Options of `fit`. */
export interface FitOptions extends CommonFitOptions {
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** Hold out the last fraction of x/y (before shuffling) for validation, as Keras does. */
  validationSplit?: number;
  /** `[xVal, yVal]`, `[xVal, yVal, sampleWeightVal]` or a dataset of batches; overrides validationSplit. */
  validationData?: ValidationTuple | Dataset;
  /**
   * Shuffle the training samples every epoch (default true). The order comes from this fit's own
   * random stream: when it starts, fit draws one seed from the global generator (`setSeed`), and
   * each epoch's shuffle, dropout masks and other random draws (layers without a seed of their own,
   * weights of a model it builds from a dataset's first batch) come from a generator made from that
   * seed and the epoch number. So a seeded fit gives the same weights whether it runs alone or
   * alongside other fits, timers or async work, and a fit resumed at epoch k (`initialEpoch`, after
   * `ModelCheckpoint` + `loadModel`) draws exactly what the uninterrupted run drew from epoch k on.
   */
  shuffle?: boolean;
  /** One weight per training sample, shape [n]; for a multi-output model also one per output (array or object by output name). */
  sampleWeight?: DataStructure;
}

/** Options of `fitDataset`. */
export interface FitDatasetOptions extends CommonFitOptions {
  /** Batches per epoch. Without it, each epoch iterates the dataset until it ends (so it must be re-iterable). */
  stepsPerEpoch?: number;
  /** `[xVal, yVal]`, `[xVal, yVal, sampleWeightVal]` or a dataset of batches, evaluated after each epoch. */
  validationData?: ValidationTuple | Dataset;
}

/** Delivers one epoch's batches. `next` returns null when the epoch is over. */
interface BatchSource {
  readonly steps: number | null;
  /** Synchronous; runFit runs it with the fit's generator current (the shuffle draws from it). */
  startEpoch(epoch: number): void;
  /** May await (an async dataset), so it runs outside any scope; see StepBatch. `gen` is the epoch's generator. */
  next(gen: Generator): Promise<StepBatch | null> | StepBatch | null;
  /** Set when the data ran out for good and training must stop. */
  exhausted: boolean;
}

function positiveInt(op: string, name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${formatValue(value)}`);
  return value;
}

function checkEpochs(opts: CommonFitOptions): { epochs: number; initialEpoch: number } {
  const epochs = opts.epochs ?? 1;
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${formatValue(epochs)}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${formatValue(initialEpoch)}`);
  return { epochs, initialEpoch };
}

function validationSchedule(freq: number | readonly number[] | undefined): (epoch: number) => boolean {
  if (freq === undefined) return () => true;
  if (typeof freq === 'number') {
    if (!Number.isInteger(freq) || freq < 1) throw new Error(`fit: validationFreq must be a positive integer or a list of epochs, got ${formatValue(freq)}`);
    return (epoch) => (epoch + 1) % freq === 0;
  }
  if (!Array.isArray(freq) || freq.some((e) => !Number.isInteger(e) || e < 1)) {
    throw new Error(`fit: validationFreq list must hold 1-based epoch numbers, got ${JSON.stringify(freq)}`);
  }
  const set = new Set(freq);
  return (epoch) => set.has(epoch + 1);
}

function rejectOptions(op: string, options: object, names: readonly string[], why: string): void {
  if (typeof options !== 'object' || options === null) return;
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
interface PreparedFit {
  source: BatchSource;
  validation: ValidationRunner | null;
  epochs: number;
  initialEpoch: number;
  seed: number;
}

/**
 * The random stream of a model's last `fit` (its seed) and the epoch it would run next. Kept per
 * model, saved in model.json by `save` (`userDefinedMetadata.descent.fit`) and set again by
 * `loadModel`, so that `fit(…, { initialEpoch })` continues the stream exactly.
 */
export interface FitRandomState {
  /** The fit's seed (an unsigned 32-bit integer); epoch e draws from `new Generator(epochSeed(seed, e))`. */
  seed: number;
  /** The first epoch not yet run. */
  nextEpoch: number;
}

const fitStates = new WeakMap<object, FitRandomState>();

/** @internal The random state of the model's last fit, or null if it was never fit (nor loaded with one). */
export function getFitRandomState(model: AnyModel): FitRandomState | null {
  const state = fitStates.get(model);
  return state === undefined ? null : { ...state };
}

/** @internal Set (or clear, with null) the random state `fit` continues from when given an initialEpoch > 0. */
export function setFitRandomState(model: AnyModel, state: FitRandomState | null): void {
  if (state === null) fitStates.delete(model);
  else fitStates.set(model, { seed: state.seed, nextEpoch: state.nextEpoch });
}

/**
 * The seed of epoch `epoch`'s generator in a fit seeded `seed`: a bijective 32-bit mix (the
 * finalizer of MurmurHash3) of the seed and the epoch, so each epoch's draws depend on nothing but
 * these two numbers, and no two epochs of one fit share a stream.
 */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The seed of a fit's random stream, taken synchronously when fit is called: a fit that resumes
 * (`initialEpoch > 0`) on a model that carries the stream of an earlier fit (in this process, or
 * loaded from a checkpoint) continues it; any other fit draws a new seed from the current generator.
 */
function fitSeed(model: AnyModel, initialEpoch: number): number {
  const state = fitStates.get(model);
  if (initialEpoch > 0 && state !== undefined) return state.seed;
  return deriveSeed();
}

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

function prepareTensorFit(model: AnyModel, xIn: DataStructure, yIn: DataStructure, opts: FitOptions, made: Tensor[]): PreparedFit {
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

/** `fit(dataset, options)` with an (async) iterable of batches. */
export function fitDataset(model: AnyModel, dataset: Dataset, opts: FitDatasetOptions): Promise<History> {
  return fitWith(model, opts, (made) => prepareDatasetFit(model, dataset, opts, made));
}

function prepareDatasetFit(model: AnyModel, dataset: Dataset, opts: FitDatasetOptions, made: Tensor[]): PreparedFit {
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
  fitStates.set(model, { seed, nextEpoch: initialEpoch });
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
    fitStates.set(model, { seed, nextEpoch: epoch + 1 });
    await callbacks.run('onEpochEnd', epoch, epochLogs);
    lastLogs = epochLogs;
    if (model.stopTraining) break;
    await yieldToEventLoop();
  }
  await callbacks.run('onTrainEnd', lastLogs);
  // Keras swaps the EMA weights in once, when fit ends.
  if (optimizer.getConfig().useEma === true) optimizer.finalizeVariableValues(trainer(model).trainableWeights);
  return history;
}
