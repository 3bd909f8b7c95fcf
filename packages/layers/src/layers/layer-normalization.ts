import type { Tensor } from '@descent/tensor';
import { add, moments, mul, reshape, rsqrt, sub } from '@descent/tensor';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { knownDim } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';
import type { ScaleOffsetArgs } from './scale-offset-normalization.js';
import { SCALE_OFFSET_OPTIONS, ScaleOffsetNormalization } from './scale-offset-normalization.js';

export interface LayerNormalizationArgs extends LayerArgs, ScaleOffsetArgs {
  /** Axis or axes normalized over, per sample (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
}

/** Normalizes each sample over `axis` (default the last), then scales by gamma and shifts by beta. Same in training and inference. */
export class LayerNormalization extends ScaleOffsetNormalization {
  static override className = 'LayerNormalization';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<LayerNormalizationArgs>({ axis: true, epsilon: true, ...SCALE_OFFSET_OPTIONS });
  /** Axis or axes normalized over. */
  readonly axis: number | number[];
  /** Added to the variance before the square root. */
  readonly epsilon: number;

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
    this.initScaleOffset(args);
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
    this.addScaleOffset(shape);
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
      ...this.scaleOffsetConfig(),
    };
  }
}
