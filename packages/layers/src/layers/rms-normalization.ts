import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, mean, mul, reshape, rsqrt, square } from '@descent/tensor';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { knownDim } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';
import { getInitializer } from '../initializers/index.js';

/** Parse an `axis` option (an integer or a non-empty list of them) for `layer`, or throw naming it. */
export function axisOption(layer: string, axis: unknown): number | number[] {
  if (typeof axis === 'number' && Number.isInteger(axis)) return axis;
  if (Array.isArray(axis) && axis.length > 0 && axis.every((a: unknown) => typeof a === 'number' && Number.isInteger(a))) return [...(axis as number[])];
  throw new Error(`${layer}: axis must be an integer or a non-empty list of integers, got ${showValue(axis)}`);
}

/** `axis` as sorted, distinct non-negative indices for inputs of `rank` (the batch axis excluded). */
export function resolveAxes(layer: string, axis: number | readonly number[], rank: number): number[] {
  const list = typeof axis === 'number' ? [axis] : axis;
  const out = list.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 1 || n >= rank) throw new Error(`${layer}: axis ${a} is out of range for input of rank ${rank} (the batch axis 0 cannot be normalized over)`);
    return n;
  });
  return [...new Set(out)].sort((p, q) => p - q);
}

export interface RMSNormalizationArgs extends LayerArgs {
  /** Axis or axes the root mean square is taken over, per sample (default -1). */
  axis?: number | readonly number[];
  /** Added to the mean square before the square root (default 1e-6). */
  epsilon?: number;
}

/**
 * Root-mean-square normalization (Zhang & Sennrich, 2019), as Keras 3's `RMSNormalization`:
 * `x / sqrt(mean(x², axis) + epsilon) · scale`, with a learned `scale` shaped like the normalized
 * axes (initialized to ones). No centering and no offset. The same in training and inference.
 */
export class RMSNormalization extends Layer {
  static override className = 'RMSNormalization';
  /**
   * False, as in Keras 3 (its RMSNormalization does not set `supports_masking`, unlike LayerNormalization):
   * an input's mask stops here, with the once-per-layer warning.
   */
  override supportsMasking = false;
  static override readonly optionKeys = layerOptions<RMSNormalizationArgs>({ axis: true, epsilon: true });
  /** Axis or axes normalized over. */
  readonly axis: number | number[];
  /** Added to the mean square before the square root. */
  readonly epsilon: number;
  /** Learned scale, shaped like the normalized axes; null until built. */
  scale: Variable | null = null;

  constructor(args: RMSNormalizationArgs = {}) {
    super(args);
    this.axis = axisOption('RMSNormalization', args.axis ?? -1);
    const eps: unknown = args.epsilon ?? 1e-6;
    if (typeof eps !== 'number' || !(eps > 0)) throw new Error(`RMSNormalization: epsilon must be a positive number, got ${showValue(args.epsilon)}`);
    this.epsilon = eps;
  }

  override build(inputShape: SymbolicShape): void {
    const axes = resolveAxes('RMSNormalization', this.axis, inputShape.length);
    const shape = axes.map((a) => knownDim('RMSNormalization', inputShape, a));
    this.scale = this.addWeight('scale', shape, { initializer: getInitializer('ones') });
    super.build(inputShape);
  }

  /** The scale fixes the normalized axes; a non-negative axis also fixes the rank. */
  protected override inputSpec(): InputSpec | null {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    return this.specFromBuild(list, list.some((a) => a >= 0));
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const axes = resolveAxes('RMSNormalization', this.axis, inputs.rank);
    const y = mul(inputs, rsqrt(add(mean(square(inputs), axes, true), this.epsilon)));
    const bshape = inputs.shape.map((d, i) => (axes.includes(i) ? d : 1));
    return mul(y, reshape(this.scale!, bshape));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
  }
}
