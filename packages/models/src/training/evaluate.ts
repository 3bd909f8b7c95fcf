import type { Tensor, TensorLike } from '@descent/tensor';
import { endScope, startScope, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList } from '../callbacks/callback.js';
import type { Sequential } from '../sequential.js';
import type { BatchTensors, Dataset } from './data.js';
import { asBatchTensor, asSampleWeight, checkSameLength, iteratorOf, Rows, unpackBatch } from './data.js';

export interface EvaluateOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** One weight per sample, shape [n]. */
  sampleWeight?: TensorLike;
  /** Callbacks whose onTest* hooks run (synchronously: evaluate is synchronous). */
  callbacks?: readonly Callback[];
}

export interface EvaluateDatasetOptions {
  /** Batches to draw (default: until the dataset ends). */
  steps?: number;
  callbacks?: readonly Callback[];
}

/** Accumulates the loss (weighted by batch size, as Keras does) and reads the metrics at the end. */
class Totals {
  private lossSum = 0;
  private count = 0;

  constructor(private readonly model: Sequential) {
    for (const m of model.metrics) m.reset();
  }

  add(batch: BatchTensors): void {
    const n = batch.x.shape[0]!;
    this.lossSum += this.model.testStep(batch.x, batch.y, batch.sampleWeight) * n;
    this.count += n;
  }

  logs(): Logs {
    const logs: Logs = { loss: this.count > 0 ? this.lossSum / this.count : NaN };
    for (const m of this.model.metrics) logs[m.name] = m.result();
    return logs;
  }
}

function* tensorBatches(x: Tensor, y: Tensor, sw: Tensor | null, batchSize: number): Generator<BatchTensors> {
  const n = x.shape[0]!;
  if (n <= batchSize) {
    yield { x, y, sampleWeight: sw };
    return;
  }
  const xr = new Rows(x);
  const yr = new Rows(y);
  const swr = sw === null ? null : new Rows(sw);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    yield { x: xr.take(start, end), y: yr.take(start, end), sampleWeight: swr === null ? null : swr.take(start, end) };
  }
}

export function evaluateTensors(model: Sequential, xIn: TensorLike, yIn: TensorLike, options: EvaluateOptions): Logs {
  const op = 'evaluate';
  model.requireCompiled(op);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
  const x = asBatchTensor(op, xIn, 'x');
  const y = asBatchTensor(op, yIn, 'y');
  const n = checkSameLength(op, [['x', x], ['y', y]]);
  const sw = options.sampleWeight === undefined ? null : asSampleWeight(op, options.sampleWeight, n);
  model.checkBatch(op, x, y);
  const steps = Math.ceil(n / batchSize);
  const callbacks = new CallbackList(options.callbacks ?? [], model, {
    epochs: 1,
    steps,
    verbose: 0,
    metrics: ['loss', ...model.metrics.map((m) => m.name)],
  });
  callbacks.runSync(op, 'onTestBegin', {});
  const totals = new Totals(model);
  let step = 0;
  const batches = tensorBatches(x, y, sw, batchSize);
  for (;;) {
    const done = withScope(() => {
      const r = batches.next();
      if (r.done === true) return true;
      callbacks.runSync(op, 'onTestBatchBegin', step, {});
      totals.add(r.value);
      return false;
    });
    if (done) break;
    callbacks.runSync(op, 'onTestBatchEnd', step, totals.logs());
    step++;
  }
  const logs = totals.logs();
  callbacks.runSync(op, 'onTestEnd', logs);
  return logs;
}

async function evaluateBatches(model: Sequential, next: () => Promise<BatchTensors | null>, callbacks: CallbackList): Promise<Logs> {
  await callbacks.run('onTestBegin', {});
  const totals = new Totals(model);
  let step = 0;
  for (;;) {
    // A step scope per batch, as in fit.
    startScope();
    let done = false;
    try {
      const batch = await next();
      if (batch === null) done = true;
      else {
        await callbacks.run('onTestBatchBegin', step, {});
        totals.add(batch);
      }
    } finally {
      endScope();
    }
    if (done) break;
    await callbacks.run('onTestBatchEnd', step, totals.logs());
    step++;
  }
  if (step === 0) throw new Error('evaluate: the validation/evaluation data yielded no batches');
  const logs = totals.logs();
  await callbacks.run('onTestEnd', logs);
  return logs;
}

function datasetReader(op: string, model: Sequential, dataset: Dataset, steps: number | null): () => Promise<BatchTensors | null> {
  const iterator = iteratorOf(dataset);
  let taken = 0;
  return async () => {
    if (steps !== null && taken >= steps) return null;
    const r = await iterator.next();
    if (r.done) return null;
    const batch = unpackBatch(op, r.value, taken);
    if (taken === 0) model.checkBatch(op, batch.x, batch.y);
    taken++;
    return batch;
  };
}

export async function evaluateDatasetLoop(model: Sequential, dataset: Dataset, options: EvaluateDatasetOptions): Promise<Logs> {
  const op = 'evaluateDataset';
  model.requireCompiled(op);
  const steps = options.steps ?? null;
  if (steps !== null && (!Number.isInteger(steps) || steps < 1)) throw new Error(`evaluateDataset: steps must be a positive integer, got ${steps}`);
  const callbacks = new CallbackList(options.callbacks ?? [], model, {
    epochs: 1,
    steps,
    verbose: 0,
    metrics: ['loss', ...model.metrics.map((m) => m.name)],
  });
  return evaluateBatches(model, datasetReader(op, model, dataset, steps), callbacks);
}

/** Runs validation at the end of an epoch, with fit's callbacks (so their onTest* hooks fire). */
export type ValidationRunner = (callbacks: CallbackList) => Promise<Logs>;

export function validationRunner(
  model: Sequential,
  data: { x: Tensor; y: Tensor; sampleWeight: Tensor | null; batchSize: number } | { dataset: Dataset; steps: number | null },
): ValidationRunner {
  if ('dataset' in data) {
    if (data.steps !== null && (!Number.isInteger(data.steps) || data.steps < 1)) {
      throw new Error(`fit: validationSteps must be a positive integer, got ${data.steps}`);
    }
    return (callbacks) => evaluateBatches(model, datasetReader('fit (validation)', model, data.dataset, data.steps), callbacks);
  }
  return (callbacks) => {
    const it = tensorBatches(data.x, data.y, data.sampleWeight, data.batchSize);
    return evaluateBatches(
      model,
      () => {
        const r = it.next();
        return Promise.resolve(r.done ? null : r.value);
      },
      callbacks,
    );
  };
}
