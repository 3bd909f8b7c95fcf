import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, moments, mul, reshape, rsqrt, sub } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { knownDim } from '../engine/shape-utils.js';
import type { ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface LayerNormalizationArgs extends LayerArgs {
  /** Axis or axes normalized over, per sample (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Add the learned offset `beta` (default true). */
  center?: boolean;
  /** Multiply by the learned scale `gamma` (default true). */
  scale?: boolean;
  /** Initializer of beta (default `'zeros'`). */
  betaInitializer?: InitializerId;
  /** Initializer of gamma (default `'ones'`). */
  gammaInitializer?: InitializerId;
  /** Penalty on beta added to the loss (default none). */
  betaRegularizer?: RegularizerOption;
  /** Penalty on gamma added to the loss (default none). */
  gammaRegularizer?: RegularizerOption;
  /** Constraint applied to beta after each optimizer step (default none). */
  betaConstraint?: ConstraintOption;
  /** Constraint applied to gamma after each optimizer step (default none). */
  gammaConstraint?: ConstraintOption;
}

/** Normalizes each sample over `axis` (default the last), then scales by gamma and shifts by beta. Same in training and inference. */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<LayerNormalizationArgs>({ axis: true, epsilon: true, center: true, scale: true, betaInitializer: true, gammaInitializer: true, betaRegularizer: true, gammaRegularizer: true, betaConstraint: true, gammaConstraint: true });
  /** Axis or axes normalized over. */
  readonly axis: number | number[];
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Whether the learned offset beta is added. */
  readonly center: boolean;
  /** Whether the learned scale gamma is applied. */
  readonly scale: boolean;
  /** Initializer of beta. */
  declare readonly betaInitializer: Initializer;
  /** Initializer of gamma. */
  declare readonly gammaInitializer: Initializer;
  /** Penalty on beta, or null. */
  declare readonly betaRegularizer: Regularizer | null;
  /** Penalty on gamma, or null. */
  declare readonly gammaRegularizer: Regularizer | null;
  /** Constraint on beta, or null. */
  declare readonly betaConstraint: Constraint | null;
  /** Constraint on gamma, or null. */
  declare readonly gammaConstraint: Constraint | null;
  /** Learned scale, shaped like the normalized axes; null until built or when `scale` is false. */
  gamma: Variable | null = null;
  /** Learned offset, shaped like the normalized axes; null until built or when `center` is false. */
  beta: Variable | null = null;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const list = typeof axis === 'number' ? [axis] : [...axis];
    if (list.length === 0 || !list.every((a) => Number.isInteger(a))) {
      throw new Error(`LayerNormalization: axis must be an integer or a non-empty list of integers, got ${showValue(args.axis)}`);
    }
    this.axis = typeof axis === 'number' ? axis : list;
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.epsilon > 0)) throw new Error(`LayerNormalization: epsilon must be positive, got ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    initWeightOptions(this, args, { beta: 'zeros', gamma: 'ones' });
  }

  private axes(rank: number): number[] {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    const out = list.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (n < 1 || n >= rank) throw new Error(`LayerNormalization: axis ${a} is out of range for input of rank ${rank} (the batch axis 0 cannot be normalized over)`);
      return n;
    });
    return [...new Set(out)].sort((p, q) => p - q);
  }

  override build(inputShape: SymbolicShape): void {
    const axes = this.axes(inputShape.length);
    const shape = axes.map((a) => knownDim('LayerNormalization', inputShape, a));
    if (this.scale) this.gamma = this.addWeight('gamma', shape, weightOptions(this, 'gamma'));
    if (this.center) this.beta = this.addWeight('beta', shape, weightOptions(this, 'beta'));
    super.build(inputShape);
  }

  /** gamma/beta fix the normalized axes; a non-negative axis also fixes the rank. */
  protected override inputSpec(): InputSpec | null {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    return this.specFromBuild(list, list.some((a) => a >= 0));
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const axes = this.axes(inputs.rank);
    const { mean, variance } = moments(inputs, axes, true);
    let y = mul(sub(inputs, mean), rsqrt(add(variance, this.epsilon)));
    const bshape = inputs.shape.map((d, i) => (axes.includes(i) ? d : 1));
    if (this.gamma) y = mul(y, reshape(this.gamma, bshape));
    if (this.beta) y = add(y, reshape(this.beta, bshape));
    return y;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...weightOptionsConfig(this, ['beta', 'gamma']),
    };
  }
}
