// The options of `fit` (tensors or dataset) and the checks of the ones both forms share.
import type { Callback } from '../callbacks/callback.js';
import { formatValue } from '../format.js';
import type { ClassWeight, Dataset, DataStructure } from './data.js';

export type ValidationTuple = readonly [DataStructure, DataStructure] | readonly [DataStructure, DataStructure, DataStructure];

export interface CommonFitOptions {
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

export function positiveInt(op: string, name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${formatValue(value)}`);
  return value;
}

export function checkEpochs(opts: CommonFitOptions): { epochs: number; initialEpoch: number } {
  const epochs = opts.epochs ?? 1;
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${formatValue(epochs)}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${formatValue(initialEpoch)}`);
  return { epochs, initialEpoch };
}

export function validationSchedule(freq: number | readonly number[] | undefined): (epoch: number) => boolean {
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

export function rejectOptions(op: string, options: object, names: readonly string[], why: string): void {
  if (typeof options !== 'object' || options === null) return;
  for (const name of names) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw new Error(`${op}: option '${name}' ${why}`);
  }
}
