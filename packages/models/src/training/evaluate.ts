import type { Generator, Tensor } from '@descent/tensor';
import { dispose, withGenerator, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList, checkCallbacks } from '../callbacks/callback.js';
import { formatValue } from '../format.js';
import type { BatchTensors, Dataset, StepBatch } from './data.js';
import type { BatchData, DataStructure } from './data.js';
import { asBatchData, asSampleWeights, batchLength, checkSameLength, DataRows, iteratorOf, namedTensors, unpackBatch } from './data.js';
import type { AnyModel } from './model-kind.js';
import { dataNames, trainer } from './model-kind.js';
import { checkOptionKeys, EVALUATE_DATASET_OPTIONS, EVALUATE_OPTIONS } from './options.js';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** One weight per sample, shape [n]; for a multi-output model also one per output (array or object by output name). */
  sampleWeight?: DataStructure;
  /** Callbacks whose onTest* hooks run (synchronously: evaluate is synchronous). */
  callbacks?: readonly Callback[];
}

/** Options of `evaluateDataset`. */
export interface EvaluateDatasetOptions {
  /** Batches to draw (default: until the dataset ends). */
  steps?: number;
  /** Callbacks whose onTest* hooks run. */
  callbacks?: readonly Callback[];
}

/** Accumulates the loss (weighted by batch size, as Keras does) and reads the metrics at the end. */
class Totals {
  private lossSum = 0;
  private count = 0;

  constructor(private readonly model: AnyModel) {
    for (const m of trainer(model).metrics) m.reset();
  }

  add(batch: BatchTensors): void {
    const n = batchLength(batch.x);
    this.lossSum += trainer(this.model).testStep(batch.x, batch.y, batch.sampleWeight) * n;
    this.count += n;
  }

  logs(): Logs {
    const logs: Logs = { loss: this.count > 0 ? this.lossSum / this.count : NaN };
    for (const m of trainer(this.model).metrics) logs[m.name] = m.result();
    return logs;
  }
}

/**
 * Tensor data in batches: `batch(i)` cuts batch `i`'s rows (call it inside the step's scope, so the
 * slices are released with the step); all of the data when it fits in one batch.
 */
function tensorBatches(x: BatchData, y: BatchData, sw: BatchData | null, batchSize: number): { steps: number; batch(i: number): BatchTensors } {
  const n = batchLength(x);
  if (n <= batchSize) return { steps: 1, batch: () => ({ x, y, sampleWeight: sw }) };
  const xr = new DataRows(x);
  const yr = new DataRows(y);
  const swr = sw === null ? null : new DataRows(sw);
  return {
    steps: Math.ceil(n / batchSize),
    batch(i) {
      const start = i * batchSize;
      const end = Math.min(n, start + batchSize);
      return { x: xr.take(start, end), y: yr.take(start, end), sampleWeight: swr === null ? null : swr.take(start, end) };
    },
  };
}

export function evaluateTensors(model: AnyModel, xIn: DataStructure, yIn: DataStructure, options: EvaluateOptions): Logs {
  const op = 'evaluate';
  checkOptionKeys(op, options, EVALUATE_OPTIONS);
  trainer(model).requireCompiled(op);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`evaluate: batchSize must be a positive integer, got ${formatValue(batchSize)}`);
  // Tensors made here from the user's arrays (and the sample weights) are ours: disposed at the end.
  const made: Tensor[] = [];
  try {
    const names = dataNames(model);
    const x = asBatchData(op, xIn, 'x', names.x, made);
    const y = asBatchData(op, yIn, 'y', names.y, made);
    const n = checkSameLength(op, [...namedTensors('x', x, names.x), ...namedTensors('y', y, names.y)]);
    const sw = options.sampleWeight === undefined ? null : asSampleWeights(op, options.sampleWeight, n, names.y, made);
    withScope(() => trainer(model).checkBatch(op, x, y));
    trainer(model).checkLabels(op, y);
    const batches = tensorBatches(x, y, sw, batchSize);
    const callbacks = new CallbackList(checkCallbacks(op, options.callbacks), model, {
      epochs: 1,
      steps: batches.steps,
      verbose: 0,
      metrics: ['loss', ...trainer(model).metrics.map((m) => m.name)],
    });
    callbacks.runSync(op, 'onTestBegin', {});
    const totals = new Totals(model);
    for (let step = 0; step < batches.steps; step++) {
      // Hooks run outside the step's scope: tensors they make are theirs, not released with the step.
      callbacks.runSync(op, 'onTestBatchBegin', step, {});
      withScope(() => totals.add(batches.batch(step)));
      callbacks.runSync(op, 'onTestBatchEnd', step, totals.logs());
    }
    const logs = totals.logs();
    callbacks.runSync(op, 'onTestEnd', logs);
    return logs;
  } finally {
    dispose(made);
  }
}

/** `fn()`, with `gen` as the default generator when one is given (fit's validation runs with fit's). */
function withGeneratorOf<T>(gen: Generator | null, fn: () => T): T {
  return gen === null ? fn() : withGenerator(gen, fn);
}

async function evaluateBatches(model: AnyModel, next: () => Promise<StepBatch | null>, callbacks: CallbackList, gen: Generator | null): Promise<Logs> {
  await callbacks.run('onTestBegin', {});
  const totals = new Totals(model);
  let step = 0;
  for (;;) {
    // As in fit: fetching and the hooks may await, so they run outside any scope; only the
    // synchronous step runs in one (its batch rows and intermediates are released at its end).
    const batch = await next();
    if (batch === null) break;
    try {
      await callbacks.run('onTestBatchBegin', step, {});
      withGeneratorOf(gen, () => withScope(() => totals.add(batch.tensors())));
    } finally {
      if (batch.made.length > 0) dispose(batch.made);
    }
    await callbacks.run('onTestBatchEnd', step, totals.logs());
    step++;
  }
  if (step === 0) throw new Error('evaluate: the validation/evaluation data yielded no batches');
  const logs = totals.logs();
  await callbacks.run('onTestEnd', logs);
  return logs;
}

function datasetReader(op: string, model: AnyModel, dataset: Dataset, steps: number | null, gen: Generator | null): () => Promise<StepBatch | null> {
  const iterator = iteratorOf(dataset);
  let taken = 0;
  return async () => {
    if (steps !== null && taken >= steps) return null;
    const r = await iterator.next();
    if (r.done) return null;
    // Unpacked outside any scope: the dataset's tensors stay the user's; those made from arrays are
    // listed in batch.made and disposed after the step.
    const batch = unpackBatch(op, r.value, taken, dataNames(model));
    try {
      if (taken === 0) withGeneratorOf(gen, () => withScope(() => trainer(model).checkBatch(op, batch.x, batch.y)));
      trainer(model).checkLabels(op, batch.y, `batch ${taken} ys`);
    } catch (err) {
      dispose(batch.made);
      throw err;
    }
    taken++;
    return { tensors: () => batch, made: batch.made };
  };
}

export async function evaluateDatasetLoop(model: AnyModel, dataset: Dataset, options: EvaluateDatasetOptions): Promise<Logs> {
  const op = 'evaluateDataset';
  checkOptionKeys(op, options, EVALUATE_DATASET_OPTIONS);
  trainer(model).requireCompiled(op);
  const steps = options.steps ?? null;
  if (steps !== null && (!Number.isInteger(steps) || steps < 1)) throw new Error(`evaluateDataset: steps must be a positive integer, got ${formatValue(steps)}`);
  const callbacks = new CallbackList(checkCallbacks(op, options.callbacks), model, {
    epochs: 1,
    steps,
    verbose: 0,
    metrics: ['loss', ...trainer(model).metrics.map((m) => m.name)],
  });
  return evaluateBatches(model, datasetReader(op, model, dataset, steps, null), callbacks, null);
}

/**
 * Runs validation at the end of an epoch, with fit's callbacks (so their onTest* hooks fire) and
 * fit's generator (current while its synchronous parts run).
 */
export type ValidationRunner = (callbacks: CallbackList, gen: Generator | null) => Promise<Logs>;

export function validationRunner(
  model: AnyModel,
  data: { x: BatchData; y: BatchData; sampleWeight: BatchData | null; batchSize: number } | { dataset: Dataset; steps: number | null },
): ValidationRunner {
  if ('dataset' in data) {
    if (data.steps !== null && (!Number.isInteger(data.steps) || data.steps < 1)) {
      throw new Error(`fit: validationSteps must be a positive integer, got ${formatValue(data.steps)}`);
    }
    return (callbacks, gen) => evaluateBatches(model, datasetReader('fit (validation)', model, data.dataset, data.steps, gen), callbacks, gen);
  }
  return (callbacks, gen) => {
    const batches = tensorBatches(data.x, data.y, data.sampleWeight, data.batchSize);
    let i = 0;
    return evaluateBatches(
      model,
      () => {
        if (i >= batches.steps) return Promise.resolve(null);
        const at = i++;
        return Promise.resolve({ tensors: () => batches.batch(at), made: [] });
      },
      callbacks,
      gen,
    );
  };
}
