import type { Tensor } from '@descent/tensor';
import { any, cast, mul, notEqual, reshape } from '@descent/tensor';
import type { CallKwargs, LayerArgs, LayerInputs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { setMask } from '../engine/mask.js';
import { layerOptions } from '../engine/options.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';

/** Options of `Masking`: the padding value, besides the options every layer takes. */
export interface MaskingArgs extends LayerArgs {
  /** The padding value (default 0): a step whose features all equal it is masked. */
  maskValue?: number;
}

/**
 * Marks padded steps of a sequence `[batch, steps, features]` (Keras `Masking`): a step whose every
 * feature equals `maskValue` is masked. The output is the input with masked steps set to 0 (Keras
 * multiplies by the mask), carrying the mask `[batch, steps]` (`getMask`) that later layers (RNNs,
 * `GlobalAveragePooling1D`, attention, the loss in `fit`) use to skip those steps.
 */
export class Masking extends Layer {
  static override className = 'Masking';
  static override readonly optionKeys = layerOptions<MaskingArgs>({ maskValue: true });
  /** Its output carries the mask it computes (and `apply` keeps it). */
  override supportsMasking = true;
  /** The padding value. */
  readonly maskValue: number;

  /** A masking layer for `maskValue` (default 0). */
  constructor(args: MaskingArgs = {}) {
    super(args);
    const value = args.maskValue ?? 0;
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`Masking: maskValue must be a number, got ${showValue(args.maskValue)}`);
    this.maskValue = value;
  }

  /** True for each step that holds a feature other than `maskValue`: `[batch, steps]`. */
  override computeMask(inputs: LayerInputs): Tensor | null {
    if (Array.isArray(inputs)) return null;
    return any(notEqual(inputs, this.maskValue), -1);
  }

  /** The input with masked steps set to 0, carrying the mask. */
  call(inputs: LayerInputs, _kwargs: CallKwargs): Tensor {
    const x = inputs as Tensor;
    if (x.rank < 2) throw new Error(`Masking '${this.name}': expected input of rank ≥ 2 ([batch, …, features]), got shape ${formatSymbolic(x.shape)}`);
    const keep = any(notEqual(x, this.maskValue), -1, true);
    const out = mul(x, cast(keep, x.dtype));
    // The mask and the output come from one comparison, as in Keras.
    setMask(out, reshape(keep, keep.shape.slice(0, -1)));
    return out;
  }

  /** The layer's options, with `maskValue`. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
