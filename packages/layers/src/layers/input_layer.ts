import type { Tensor } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { registerLayer } from '../engine/registry.js';

export interface InputLayerArgs extends Pick<LayerArgs, 'name' | 'inputShape' | 'batchInputShape' | 'batchSize' | 'dtype'> {
  /** Keras/TF.js write `sparse: false`; sparse inputs do not exist in Descent. */
  sparse?: boolean;
}

/** Declares the model's input shape; passes its input through unchanged. */
export class InputLayer extends Layer {
  static override className = 'InputLayer';

  constructor(args: InputLayerArgs) {
    if (args.inputShape === undefined && args.batchInputShape === undefined) {
      throw new Error('InputLayer: give inputShape or batchInputShape');
    }
    if (args.sparse === true) throw new Error('InputLayer: sparse inputs are not supported (sparse must be false)');
    super(args);
    this.built = true;
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { batchInputShape: this.batchInputShape, dtype: this.dtype, sparse: false, name: this.name };
  }
}
registerLayer('InputLayer', InputLayer);
