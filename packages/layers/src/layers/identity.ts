import type { Tensor } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';

/** Options of `Identity`: only the ones every layer takes. */
export type IdentityArgs = LayerArgs;

/** Returns its input unchanged, as Keras's `Identity`: a placeholder, e.g. for a removable block of a model. */
export class Identity extends Layer {
  static override className = 'Identity';
  /** Works on each sample alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<IdentityArgs>({});

  constructor(args: IdentityArgs = {}) {
    super(args);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return inputs;
  }
}
