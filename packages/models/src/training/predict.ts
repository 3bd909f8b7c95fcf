// The batch loop of `predict`, shared by `Model` and `Sequential`.
import type { SymbolicShape } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { concat, makeTensor, withScope } from '@descent/tensor';
import type { Callback } from '../callbacks/callback.js';
import { CallbackList, checkCallbacks } from '../callbacks/callback.js';
import { formatValue } from '../format.js';
import type { BatchData } from './data.js';
import { batchLength, DataRows } from './data.js';
import type { AnyModel } from './model-kind.js';
import { checkOptionKeys, PREDICT_OPTIONS } from './options.js';

/** Options of `predict`. */
export interface PredictOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Callbacks whose onPredict* hooks run. */
  callbacks?: readonly Callback[];
}

/**
 * Check the options, take `x` from `toData` and check it against the model, then run `predictBatch`
 * on `batchSize` samples at a time (all of `x` when it fits in one batch), each in a scope of its own
 * (the batch's rows are released with it; the outputs survive), with the onPredict* hooks around.
 * Returns the data and each batch's outputs (one tensor per model output).
 */
export function predictBatches(model: AnyModel, options: PredictOptions, toData: () => BatchData, predictBatch: (x: BatchData) => Tensor[]): { x: BatchData; outs: Tensor[][] } {
  const op = 'predict';
  checkOptionKeys(op, options, PREDICT_OPTIONS);
  const userCallbacks = checkCallbacks(op, options.callbacks);
  const x = toData();
  model.checkInput(op, x);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predict: batchSize must be a positive integer, got ${formatValue(batchSize)}`);
  const n = batchLength(x);
  const steps = Math.ceil(n / batchSize);
  const callbacks = new CallbackList(userCallbacks, model, { epochs: 1, steps, verbose: 0, metrics: [] });
  callbacks.runSync(op, 'onPredictBegin', {});
  const rows = new DataRows(x);
  const outs: Tensor[][] = [];
  for (let b = 0; b < steps; b++) {
    callbacks.runSync(op, 'onPredictBatchBegin', b, {});
    outs.push(withScope(() => predictBatch(steps === 1 ? x : rows.take(b * batchSize, Math.min(n, (b + 1) * batchSize)))));
    callbacks.runSync(op, 'onPredictBatchEnd', b, {});
  }
  callbacks.runSync(op, 'onPredictEnd', {});
  return { x, outs };
}

/** Output `i` of every batch, joined along the batch axis; for no batches, an empty tensor of that output's shape. */
export function joinOutput(outs: readonly Tensor[][], i: number, shape: SymbolicShape): Tensor {
  if (outs.length === 0) return makeTensor(new Float32Array(0), [0, ...shape.slice(1).map((d) => d ?? 0)], 'float32');
  return outs.length === 1 ? outs[0]![i]! : concat(outs.map((b) => b[i]!), 0);
}
