import type { Variable } from '@descent/autograd';
import { noGrad } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, broadcastTo, cast, div, expandDims, moments, mul, reshape, rsqrt, square, sub, sum, where } from '@descent/tensor';
import type { Initializer } from '../initializers/index.js';
import { getInitializer } from '../initializers/index.js';
import type { CallKwargs, InputMask, InputSpec, LayerArgs } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic, knownDim } from '../engine/shape-utils.js';
import type { InitializerId } from './common.js';
import { weightOptionsConfig } from './weight-options.js';
import { forOption } from './common.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';
import type { ScaleOffsetArgs } from './scale-offset-normalization.js';
import { ScaleOffsetNormalization } from './scale-offset-normalization.js';

export interface BatchNormalizationArgs extends LayerArgs, ScaleOffsetArgs {
  /** The features axis (default -1, channels last). */
  axis?: number;
  /** Weight of the old value in the moving averages (default 0.99). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Initializer of the moving mean (default `'zeros'`). */
  movingMeanInitializer?: InitializerId;
  /** Initializer of the moving variance (default `'ones'`). */
  movingVarianceInitializer?: InitializerId;
}

/**
 * Normalizes each feature to zero mean and unit variance: in training with the batch's
 * statistics (and folds them into `moving_mean`/`moving_variance` with `momentum`), in inference
 * with the moving statistics. Weights, in Keras order: gamma, beta, moving_mean, moving_variance.
 * A frozen layer (`trainable = false`) always runs in inference mode, as in Keras.
 *
 * Masks pass through (Keras's `supports_masking`). In training, a mask (one rank below the input,
 * `[batch, steps]` for `[batch, steps, features]`) keeps the masked entries out of the batch statistics,
 * as Keras 3 does; the normalization itself still applies to every entry, and inference ignores the mask.
 */
export class BatchNormalization extends ScaleOffsetNormalization {
  static override className = 'BatchNormalization';
  /** Passes the input's mask on; in training, masked entries are left out of the batch statistics. */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<BatchNormalizationArgs>({ axis: true, momentum: true, epsilon: true, center: true, scale: true, betaInitializer: true, gammaInitializer: true, movingMeanInitializer: true, movingVarianceInitializer: true, betaRegularizer: true, gammaRegularizer: true, betaConstraint: true, gammaConstraint: true });
  /** The features axis (negative counts from the end). */
  readonly axis: number;
  /** Weight of the old value in the moving averages. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Initializer of the moving mean. */
  readonly movingMeanInitializer: Initializer;
  /** Initializer of the moving variance. */
  readonly movingVarianceInitializer: Initializer;
  /** Moving mean of each feature (non-trainable) `[features]`; null until built. */
  movingMean: Variable | null = null;
  /** Moving variance of each feature (non-trainable) `[features]`; null until built. */
  movingVariance: Variable | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const axis = Array.isArray(args.axis) && args.axis.length === 1 ? (args.axis[0] as number) : (args.axis ?? -1);
    if (!Number.isInteger(axis)) throw new Error(`BatchNormalization: axis must be one integer, got ${showValue(args.axis)}`);
    this.axis = axis;
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`BatchNormalization: momentum must be in [0, 1], got ${showValue(this.momentum)}`);
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0) || !Number.isFinite(this.epsilon)) throw new Error(`BatchNormalization: epsilon must be a positive finite number, got ${showValue(this.epsilon)}`);
    this.initScaleOffset(args);
    this.movingMeanInitializer = forOption(this, 'movingMeanInitializer', () => getInitializer(args.movingMeanInitializer ?? 'zeros'));
    this.movingVarianceInitializer = forOption(this, 'movingVarianceInitializer', () => getInitializer(args.movingVarianceInitializer ?? 'ones'));
  }

  private featureAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 0 || a >= rank) throw new Error(`BatchNormalization: axis ${this.axis} is out of range for input of rank ${rank}`);
    return a;
  }

  /** The statistics fix the feature axis; a non-negative axis also fixes the rank. */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([this.axis], this.axis >= 0);
  }

  override build(inputShape: SymbolicShape): void {
    const a = this.featureAxis(inputShape.length);
    const c = knownDim('BatchNormalization', inputShape, a);
    this.addScaleOffset([c]);
    this.movingMean = this.addWeight('moving_mean', [c], { initializer: this.movingMeanInitializer, trainable: false });
    this.movingVariance = this.addWeight('moving_variance', [c], { initializer: this.movingVarianceInitializer, trainable: false });
    super.build(inputShape);
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    const rank = inputs.rank;
    const a = this.featureAxis(rank);
    const c = this.movingMean!.shape[0]!;
    if (inputs.shape[a] !== c) {
      throw new Error(`BatchNormalization: expected ${c} features on axis ${a}, got input shape ${formatSymbolic(inputs.shape)}`);
    }
    // Per-feature vectors reshaped to broadcast along `a` (a no-op reshape for the last axis).
    const bshape = inputs.shape.map((d, i) => (i === a ? d : 1));
    const asB = (t: Tensor): Tensor => (a === rank - 1 ? t : reshape(t, bshape));
    let mean: Tensor;
    let variance: Tensor;
    // Checked in inference too, as Keras does, though only the training statistics use it.
    const keep = this.statisticsMask(inputs, kwargs.mask);
    if (kwargs.training && this.trainable) {
      const axes: number[] = [];
      for (let i = 0; i < rank; i++) if (i !== a) axes.push(i);
      ({ mean, variance } = keep === null ? moments(inputs, axes) : maskedMoments(inputs, keep, axes, asB));
      const m = this.momentum;
      const mm = this.movingMean!;
      const mv = this.movingVariance!;
      const batchMean = mean;
      const batchVar = variance;
      // Keras 3: moving = moving·momentum + batch·(1 − momentum), with the biased batch variance.
      noGrad(() => {
        mm.assign(add(mul(mm, m), mul(batchMean, 1 - m)));
        mv.assign(add(mul(mv, m), mul(batchVar, 1 - m)));
      });
    } else {
      mean = this.movingMean!;
      variance = this.movingVariance!;
    }
    let y = mul(sub(inputs, asB(mean)), asB(rsqrt(add(variance, this.epsilon))));
    if (this.gamma) y = mul(y, asB(this.gamma));
    if (this.beta) y = add(y, asB(this.beta));
    return y;
  }

  /**
   * The mask as bool with a trailing axis of 1 (rank of the input), ready to broadcast against it, or
   * null without one. As in Keras 3 it must have one axis less than the input (it is expanded on the
   * last axis), each axis matching the input's or 1.
   */
  private statisticsMask(inputs: Tensor, mask: InputMask | undefined): Tensor | null {
    if (mask === undefined || mask === null) return null;
    let m: Tensor | null;
    if (Array.isArray(mask)) {
      if (mask.length !== 1) throw new Error(`BatchNormalization '${this.name}': expected one mask (the layer takes one input), got a list of ${mask.length}`);
      m = mask[0] ?? null;
      if (m === null) return null;
    } else {
      m = mask;
    }
    const want = inputs.shape.slice(0, -1);
    if (m.rank !== inputs.rank - 1 || m.shape.some((d, i) => d !== 1 && d !== want[i])) {
      throw new Error(`BatchNormalization '${this.name}': the mask must have one axis less than the input, shape ${formatSymbolic(want)} (an axis may be 1), got mask shape ${formatSymbolic(m.shape)} for input shape ${formatSymbolic(inputs.shape)}`);
    }
    return expandDims(m.dtype === 'bool' ? m : cast(m, 'bool'), m.rank);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...weightOptionsConfig(this, ['beta', 'gamma'], { initializerOnly: ['movingMean', 'movingVariance'] }),
    };
  }
}

/**
 * Mean and biased variance over `axes` of the entries of `x` where `keep` (bool, broadcast against `x`)
 * is true, per feature, as Keras 3's masked moments: the counts get Keras's fuzz 1e-7 (so a feature
 * with no kept entry gets mean and variance 0, not NaN). `asB` reshapes a per-feature vector to
 * broadcast against `x`.
 */
function maskedMoments(x: Tensor, keep: Tensor, axes: number[], asB: (t: Tensor) => Tensor): { mean: Tensor; variance: Tensor } {
  const count = add(sum(broadcastTo(cast(keep, x.dtype), x.shape), axes), 1e-7);
  const mean = div(sum(where(keep, x, 0), axes), count);
  // `where` rather than a product with the mask: a non-finite value in a masked entry stays out.
  const variance = div(sum(square(where(keep, sub(x, asB(mean)), 0)), axes), count);
  return { mean, variance };
}
