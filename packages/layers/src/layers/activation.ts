import type { Tensor } from '@descent/tensor';
import type { Activation as ActivationFn } from '../activations/index.js';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { ActivationId } from './common.js';
import { activationOf } from './common.js';
import { layerOptions } from '../engine/options.js';

export interface ActivationArgs extends LayerArgs {
  /** The activation: a name (`'relu'`, `'softmax'`, ...), a function or an `Activation` object. */
  activation: ActivationId;
}

/** Applies an activation function by name (`'relu'`, `'softmax'`, ...). */
export class Activation extends Layer {
  static override className = 'Activation';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<ActivationArgs>({ activation: true });
  /** The activation function applied. */
  readonly activation: ActivationFn;

  constructor(args: ActivationArgs) {
    super(args);
    if (args.activation === undefined) throw new Error("Activation: the 'activation' option is required (e.g. 'relu')");
    this.activation = activationOf(args.activation, this);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return this.activation.apply(inputs);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}
