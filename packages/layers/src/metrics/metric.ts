import type { Tensor, TensorLike } from '@descent/tensor';
import { broadcastTo } from '@descent/tensor';
import { alignSampleWeight, toFloat } from '../losses/shapes.js';
import { showValue } from '../engine/show-value.js';

/**
 * A stateful metric: `update` folds in a batch, `result` reads the value over everything seen since
 * the last `reset`. Totals are kept in float64 and weighted by sample counts (or sample weights),
 * so an epoch's value is the exact average over its samples whatever the batch sizes.
 */
export abstract class Metric {
  /** The Keras name used as the history key ('accuracy', 'precision', 'mean_squared_error'). */
  readonly name: string;

  protected constructor(name: string) {
    if (typeof name !== 'string' || name === '') throw new Error(`Metric: name must be a non-empty string, got ${showValue(name)}`);
    this.name = name;
  }

  /** Folds in one batch: labels `yTrue`, predictions `yPred`, optional per-sample weights. */
  abstract update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void;
  /** The metric's value over everything seen since the last `reset` (0 before any update). */
  abstract result(): number;
  /** Clears the accumulated state (`fit` calls it at the start of every epoch). */
  abstract reset(): void;

  /** Constructor options for serialization (`{ name }` plus the subclass's own). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

/** Σ values·weights and Σ weights (weights broadcast to the values' shape; none = all ones), in float64. */
export function weightedTotals(op: string, values: Tensor, sampleWeight?: TensorLike): { total: number; count: number } {
  const v = values.dataSync();
  let total = 0;
  let count = 0;
  if (sampleWeight === undefined) {
    for (let i = 0; i < v.length; i++) total += v[i]!;
    return { total, count: v.length };
  }
  const w = broadcastTo(alignSampleWeight(op, sampleWeight, values.shape), values.shape).dataSync();
  for (let i = 0; i < v.length; i++) {
    total += v[i]! * w[i]!;
    count += w[i]!;
  }
  return { total, count };
}

/**
 * The weighted mean of the values it is given (Keras's `Mean`). Its `update` takes the values and
 * optional weights, not `(yTrue, yPred)`: use it to track a quantity such as the loss.
 */
export class Mean extends Metric {
  /** Weighted sum of the values seen since the last reset (float64). */
  protected total = 0;
  /** Sum of the weights seen since the last reset. */
  protected count = 0;

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean');
  }

  /**
   * Adds `values` (any shape), each weighted by `sampleWeight` (broadcast to the values' shape; default
   * 1).
   */
  override update(values: TensorLike, sampleWeight?: TensorLike): void {
    const t = toFloat(values, this.name, 'values');
    const { total, count } = weightedTotals(this.name, t, sampleWeight);
    this.total += total;
    this.count += count;
  }

  /** The weighted mean so far; 0 before any update. */
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** Clears the total and count. */
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** A metric as a function: labels and predictions in, per-sample values out (`[batch]`). */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * A function `(yTrue, yPred) → per-sample values` averaged over every sample seen (weighted by
 * `sampleWeight`): how accuracies, errors and cross-entropies become epoch metrics.
 */
export class MeanMetricWrapper extends Metric {
  /** The wrapped function. */
  readonly fn: MetricFunction;
  private total = 0;
  private count = 0;

  constructor(fn: MetricFunction, name?: string) {
    super(name ?? (fn.name !== '' ? fn.name : 'metric'));
    this.fn = fn;
  }

  /** Applies `fn` to the batch and adds its per-sample values, weighted by `sampleWeight`. */
  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const values = this.fn(toFloat(yTrue, this.name, 'yTrue'), toFloat(yPred, this.name, 'yPred'));
    const { total, count } = weightedTotals(this.name, values, sampleWeight);
    this.total += total;
    this.count += count;
  }

  /** Weighted mean of the per-sample values seen so far; 0 before any update. */
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** Clears the accumulated values. */
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}
