import type { Tensor } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';

/** Options of `InputLayer`: the input's shape, batch size, dtype and name. */
export interface InputLayerArgs extends Pick<LayerArgs, 'name' | 'inputShape' | 'batchInputShape' | 'batchSize' | 'dtype'> {
  /** Keras/TF.js write `sparse: false`; sparse inputs do not exist in Descent. */
  sparse?: boolean;
  /** Keras 3's name for `batchInputShape`. */
  batchShape?: readonly (number | null)[];
}

/** Declares the model's input shape; passes its input through unchanged. */
export class InputLayer extends Layer {
  static override className = 'InputLayer';
  static override readonly optionKeys = layerOptions<InputLayerArgs>({ sparse: true, batchShape: true });

  constructor(args: InputLayerArgs) {
    const withShape: InputLayerArgs = args.batchShape !== undefined && args.batchInputShape === undefined ? { ...args, batchInputShape: args.batchShape } : args;
    if (withShape.inputShape === undefined && withShape.batchInputShape === undefined) {
      throw new Error('InputLayer: give inputShape or batchInputShape');
    }
    if (args.sparse === true) throw new Error('InputLayer: sparse inputs are not supported (sparse must be false)');
    super(withShape);
    this.built = true;
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { batchInputShape: this.batchInputShape, dtype: this.dtype, sparse: false, name: this.name };
  }
}
