import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { mul, neg, relu, sub } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import type { ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface PReLUArgs extends LayerArgs {
  /** Initializer of the learned negative slopes `alpha` (default `'zeros'`, i.e. starting as ReLU). */
  alphaInitializer?: InitializerId;
  /** Penalty on alpha added to the loss (default none). */
  alphaRegularizer?: RegularizerOption;
  /** Constraint applied to alpha after each optimizer step (default none). */
  alphaConstraint?: ConstraintOption;
  /**
   * Input axes (1 = the first after the batch) along which one slope is shared, e.g. `[1, 2]` for one
   * slope per channel of `[batch, height, width, channels]` images (default none: one slope per entry).
   */
  sharedAxes?: number | readonly number[] | null;
}

/**
 * Parametric ReLU (He et al., 2015), as Keras: `max(x, 0) − alpha · max(−x, 0)`, with a learned slope
 * `alpha` per entry of the sample shape (size 1 along `sharedAxes`).
 */
export class PReLU extends Layer {
  static override className = 'PReLU';
  /** Works on each sample alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<PReLUArgs>({ alphaInitializer: true, alphaRegularizer: true, alphaConstraint: true, sharedAxes: true });
  /** Axes along which a slope is shared, or null. */
  readonly sharedAxes: number[] | null;
  /** Initializer of alpha. */
  declare readonly alphaInitializer: Initializer;
  /** Penalty on alpha, or null. */
  declare readonly alphaRegularizer: Regularizer | null;
  /** Constraint on alpha, or null. */
  declare readonly alphaConstraint: Constraint | null;
  /** The learned slopes, shaped like a sample with size 1 along `sharedAxes`; null until built. */
  alpha: Variable | null = null;

  constructor(args: PReLUArgs = {}) {
    super(args);
    const s: unknown = args.sharedAxes ?? null;
    const list = s === null ? null : typeof s === 'number' ? [s] : Array.isArray(s) ? [...(s as unknown[])] : undefined;
    if (list === undefined || (list !== null && !list.every((a) => typeof a === 'number' && Number.isInteger(a) && a >= 1))) {
      throw new Error(`PReLU: sharedAxes must be null, a positive integer or a list of positive integers (axis 0 is the batch), got ${showValue(args.sharedAxes)}`);
    }
    this.sharedAxes = list as number[] | null;
    initWeightOptions(this, args, { alpha: 'zeros' });
  }

  override build(inputShape: SymbolicShape): void {
    const rank = inputShape.length;
    for (const a of this.sharedAxes ?? []) {
      if (a >= rank) throw new Error(`PReLU: sharedAxes entry ${a} is out of range for input shape ${formatSymbolic(inputShape)}`);
    }
    const shape = inputShape.slice(1).map((d, i) => {
      if (this.sharedAxes?.includes(i + 1) === true) return 1;
      if (d === null || d === undefined) {
        throw new Error(`PReLU: axis ${i + 1} of input shape ${formatSymbolic(inputShape)} must be known to build alpha (or list it in sharedAxes)`);
      }
      return d;
    });
    this.alpha = this.addWeight('alpha', shape, weightOptions(this, 'alpha'));
    super.build(inputShape);
  }

  /** Alpha fixes the rank and every unshared axis. */
  protected override inputSpec(): InputSpec | null {
    const built = this.builtInputShape;
    if (built === null || !Array.isArray(built)) return null;
    const axes: number[] = [];
    for (let i = 1; i < built.length; i++) if (this.sharedAxes?.includes(i) !== true) axes.push(i);
    return this.specFromBuild(axes, true);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return sub(relu(inputs), mul(this.alpha!, relu(neg(inputs))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...weightOptionsConfig(this, ['alpha']), sharedAxes: this.sharedAxes };
  }
}
