import type { Tensor } from '@descent/tensor';
import { maximum, mul, rsqrt, square, sum } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import { axisOption, resolveAxes } from './rms-normalization.js';

export interface UnitNormalizationArgs extends LayerArgs {
  /** Axis or axes over which each sample gets unit L2 norm (default -1). */
  axis?: number | readonly number[];
}

/** Keras's floor on the norm: an all-zero slice stays zero instead of dividing by zero. */
const MIN_NORM = 1e-12;

/**
 * Scales each sample to unit L2 norm over `axis`, as Keras's `UnitNormalization`:
 * `x / max(‖x‖₂, 1e-12)`. No weights.
 */
export class UnitNormalization extends Layer {
  static override className = 'UnitNormalization';
  /** Works on each sample alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<UnitNormalizationArgs>({ axis: true });
  /** Axis or axes normalized over. */
  readonly axis: number | number[];

  constructor(args: UnitNormalizationArgs = {}) {
    super(args);
    this.axis = axisOption('UnitNormalization', args.axis ?? -1);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const axes = resolveAxes('UnitNormalization', this.axis, inputs.rank);
    return mul(inputs, rsqrt(maximum(sum(square(inputs), axes, true), MIN_NORM * MIN_NORM)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
