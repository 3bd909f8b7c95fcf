import type { Tensor, TensorLike } from '@descent/tensor';
import { squaredDifference } from '@descent/tensor';
import type { CrossentropyOptions } from '../losses/crossentropy.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses/crossentropy.js';
import { meanAbsoluteError, meanSquaredError } from '../losses/regression.js';
import { matchShapes } from '../losses/shapes.js';
import { Mean, MeanMetricWrapper } from './metric.js';

/*
 * Metric classes over loss functions. They carry a `Metric` suffix where the loss of the same
 * Keras name exists (`MeanSquaredError` is the loss, `MeanSquaredErrorMetric` the metric), because
 * both are exported from one package.
 */

export class MeanSquaredErrorMetric extends MeanMetricWrapper {
  constructor(args: { name?: string } = {}) {
    super(meanSquaredError, args.name ?? 'mean_squared_error');
  }
}

export class MeanAbsoluteErrorMetric extends MeanMetricWrapper {
  constructor(args: { name?: string } = {}) {
    super(meanAbsoluteError, args.name ?? 'mean_absolute_error');
  }
}

/** sqrt of the mean squared error over every entry seen (the root is taken after averaging, not per batch). */
export class RootMeanSquaredError extends Mean {
  constructor(args: { name?: string } = {}) {
    super({ name: args.name ?? 'root_mean_squared_error' });
  }
  override update(yTrue: TensorLike, yPred?: TensorLike, sampleWeight?: TensorLike): void {
    if (yPred === undefined) throw new Error(`${this.name}: update needs yTrue and yPred`);
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    super.update(squaredDifference(p, t), sampleWeight);
  }
  override result(): number {
    return Math.sqrt(super.result());
  }
}

class CrossentropyMetric extends MeanMetricWrapper {
  /** Whether predictions are logits rather than probabilities. */
  readonly fromLogits: boolean;
  /** Amount of label smoothing, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(fn: (t: Tensor, p: Tensor, o: CrossentropyOptions) => Tensor, name: string, args: CrossentropyOptions) {
    const o = { fromLogits: args.fromLogits ?? false, labelSmoothing: args.labelSmoothing ?? 0 };
    super((t, p) => fn(t, p, o), name);
    this.fromLogits = o.fromLogits;
    this.labelSmoothing = o.labelSmoothing;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** Binary cross-entropy averaged over every sample seen (the `'binaryCrossentropy'` metric). */
export class BinaryCrossentropyMetric extends CrossentropyMetric {
  constructor(args: { name?: string } & CrossentropyOptions = {}) {
    super(binaryCrossentropy, args.name ?? 'binary_crossentropy', args);
  }
}

/** Categorical cross-entropy averaged over every sample seen (the `'categoricalCrossentropy'` metric). */
export class CategoricalCrossentropyMetric extends CrossentropyMetric {
  constructor(args: { name?: string } & CrossentropyOptions = {}) {
    super(categoricalCrossentropy, args.name ?? 'categorical_crossentropy', args);
  }
}

export class SparseCategoricalCrossentropyMetric extends MeanMetricWrapper {
  /** Whether predictions are logits rather than probabilities. */
  readonly fromLogits: boolean;
  constructor(args: { name?: string; fromLogits?: boolean } = {}) {
    const fromLogits = args.fromLogits ?? false;
    super((t, p) => sparseCategoricalCrossentropy(t, p, { fromLogits }), args.name ?? 'sparse_categorical_crossentropy');
    this.fromLogits = fromLogits;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}
