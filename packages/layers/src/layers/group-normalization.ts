import type { Tensor } from '@descent/tensor';
import { add, moments, mul, neg, reshape, rsqrt } from '@descent/tensor';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic, knownDim } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';
import type { ScaleOffsetArgs } from './scale-offset-normalization.js';
import { SCALE_OFFSET_OPTIONS, ScaleOffsetNormalization } from './scale-offset-normalization.js';

export interface GroupNormalizationArgs extends LayerArgs, ScaleOffsetArgs {
  /** Number of groups the channels of `axis` are split into (default 32); -1 puts each channel in its own group. */
  groups?: number;
  /** The channel axis, split into groups (default -1). */
  axis?: number;
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
}

/**
 * Group normalization (Wu & He, 2018), as Keras 3's `GroupNormalization`: the channels of `axis` are
 * split into `groups` consecutive groups, and each sample is normalized over every other non-batch
 * axis and the channels of a group; then a per-channel `gamma` scales and `beta` shifts. The same in
 * training and inference. `groups: 1` is LayerNormalization over all non-batch axes with per-channel
 * weights; `groups: -1` (one channel per group) is instance normalization.
 */
export class GroupNormalization extends ScaleOffsetNormalization {
  static override className = 'GroupNormalization';
  /** Works on each sample alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<GroupNormalizationArgs>({ groups: true, axis: true, epsilon: true, ...SCALE_OFFSET_OPTIONS });
  /** Number of groups as given (-1: one per channel). */
  readonly groups: number;
  /** The channel axis. */
  readonly axis: number;
  /** Added to the variance before the square root. */
  readonly epsilon: number;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args);
    const groups: unknown = args.groups ?? 32;
    if (typeof groups !== 'number' || !Number.isInteger(groups) || !(groups > 0 || groups === -1)) {
      throw new Error(`GroupNormalization: groups must be a positive integer or -1 (one group per channel), got ${showValue(args.groups)}`);
    }
    this.groups = groups;
    const axis: unknown = args.axis ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new Error(`GroupNormalization: axis must be an integer, got ${showValue(args.axis)}`);
    this.axis = axis;
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0)) throw new Error(`GroupNormalization: epsilon must be a positive number, got ${showValue(args.epsilon)}`);
    this.initScaleOffset(args);
  }

  /** The channel axis as a non-negative index for inputs of `rank`. */
  private channelAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 1 || a >= rank) throw new Error(`GroupNormalization: axis ${this.axis} is out of range for input of rank ${rank} (the batch axis 0 cannot be the channel axis)`);
    return a;
  }

  /** The number of groups for `channels` channels, checked against them. */
  private groupCount(channels: number, shape: readonly (number | null)[]): number {
    const g = this.groups === -1 ? channels : this.groups;
    if (channels < g) {
      throw new Error(`GroupNormalization: groups (${g}) cannot exceed the number of channels (${channels}) of input shape ${formatSymbolic(shape)}`);
    }
    if (channels % g !== 0) {
      throw new Error(`GroupNormalization: the number of channels (${channels}) of input shape ${formatSymbolic(shape)} must be a multiple of groups (${g})`);
    }
    return g;
  }

  override build(inputShape: SymbolicShape): void {
    const a = this.channelAxis(inputShape.length);
    const channels = knownDim('GroupNormalization', inputShape, a);
    this.groupCount(channels, inputShape);
    this.addScaleOffset([channels]);
    super.build(inputShape);
  }

  /** gamma/beta fix the channel axis; the rank is fixed too, as in Keras. */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([this.axis], true);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const shape = inputs.shape;
    const a = this.channelAxis(inputs.rank);
    const channels = shape[a]!;
    const g = this.groupCount(channels, shape);
    // [..., channels, ...] → [..., groups, channels / groups, ...]; statistics over all but batch and group.
    const grouped = [...shape.slice(0, a), g, channels / g, ...shape.slice(a + 1)];
    const x = reshape(inputs, grouped);
    const reduce: number[] = [];
    for (let i = 1; i < grouped.length; i++) if (i !== a) reduce.push(i);
    const { mean, variance } = moments(x, reduce, true);
    // Per-channel weights broadcast over the grouped layout: [1, ..., groups, channels / groups, 1, ...].
    const bshape = grouped.map((d, i) => (i === a || i === a + 1 ? d : 1));
    let inv = rsqrt(add(variance, this.epsilon));
    if (this.gamma) inv = mul(inv, reshape(this.gamma, bshape));
    let offset = mul(neg(mean), inv);
    if (this.beta) offset = add(offset, reshape(this.beta, bshape));
    return reshape(add(mul(x, inv), offset), shape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      ...this.scaleOffsetConfig(),
    };
  }
}
