import type { Tensor, TensorLike } from '@descent/tensor';
import { div, mul, normalizeName, scalar, sum } from '@descent/tensor';
import { alignSampleWeight, toFloat } from './shapes.js';
import { showValue } from '../engine/show-value.js';

/**
 * How per-sample losses become the value to minimize: the mean over every per-sample value
 * (weighted values summed, divided by their count, as Keras's 'sum_over_batch_size'), their sum,
 * or no reduction.
 */
export type Reduction = 'sumOverBatchSize' | 'sum' | 'none';

const REDUCTIONS: Readonly<Record<string, Reduction>> = {
  sumoverbatchsize: 'sumOverBatchSize',
  sum: 'sum',
  none: 'none',
};

/** Options every loss class takes. */
export interface LossArgs {
  /** Defaults to the loss's Keras name ('categorical_crossentropy'). */
  name?: string;
  /** `'sumOverBatchSize'` (default; `'sum_over_batch_size'` accepted), `'sum'` or `'none'`. */
  reduction?: Reduction | 'sum_over_batch_size';
}

function checkReduction(op: string, reduction: unknown): Reduction {
  const r = typeof reduction === 'string' ? REDUCTIONS[normalizeName(reduction)] : undefined;
  if (!r) throw new Error(`${op}: reduction must be 'sumOverBatchSize', 'sum' or 'none', got ${showValue(reduction)}`);
  return r;
}

/** A loss function with its reduction. Subclasses implement `call` (per-sample values). */
export abstract class Loss {
  /** The snake_case Keras name ('categorical_crossentropy'), used in saved training configs. */
  readonly name: string;
  /** How per-sample losses are reduced (see `Reduction`); may be changed after construction. */
  reduction: Reduction;

  protected constructor(defaultName: string, args: LossArgs = {}) {
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new Error(`${defaultName}: name must be a non-empty string, got ${showValue(args.name)}`);
    }
    this.name = args.name ?? defaultName;
    this.reduction = checkReduction(this.name, args.reduction ?? 'sumOverBatchSize');
  }

  /** Per-sample losses: shape `[batch]` (or `[batch, ...]` for sequence outputs). */
  abstract call(yTrue: TensorLike, yPred: TensorLike): Tensor;

  /** The reduced loss; `sampleWeight` (`[batch]`, `[batch, 1]` or a scalar) scales each sample first. */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): Tensor {
    return reduceLoss(this.name, this.call(yTrue, yPred), sampleWeight, this.reduction);
  }

  /**
   * Check every label of `yTrue` (all of the data, not one batch) against outputs of shape
   * `yPredShape` (`null` for unknown dims, e.g. the batch), throwing an error that names the sample
   * (its index in `yTrue`). Training loops call it before the first update, so bad labels fail
   * before any weight changes. The default checks nothing; losses with a label domain override it.
   */
  validateLabels(_yTrue: Tensor, _yPredShape: readonly (number | null)[]): void {}

  /** Constructor options for serialization: `name`, `reduction` and the subclass's own. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}

/** Weight then reduce per-sample values (shared by every loss). */
export function reduceLoss(op: string, values: Tensor, sampleWeight: TensorLike | undefined, reduction: Reduction): Tensor {
  let v = values;
  if (sampleWeight !== undefined) v = mul(v, alignSampleWeight(op, sampleWeight, v.shape));
  if (reduction === 'none') return v;
  if (reduction === 'sum') return sum(v);
  return v.size === 0 ? scalar(0) : div(sum(v), v.size);
}

/** A loss as a function: labels and predictions in, per-sample losses out (`[batch]`). */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** A plain function `(yTrue, yPred) → per-sample losses` used as a Loss (custom losses). */
export class LossFunctionWrapper extends Loss {
  /** The wrapped function. */
  readonly fn: LossFunction;
  constructor(fn: LossFunction, args: LossArgs = {}) {
    super(fn.name !== '' ? fn.name : 'custom_loss', args);
    this.fn = fn;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return this.fn(toFloat(yTrue, this.name, 'yTrue'), toFloat(yPred, this.name, 'yPred'));
  }
}
