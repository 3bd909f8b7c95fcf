import type { DType, Tensor } from '@descent/tensor';
import { closestName } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import { showValue } from '../engine/show-value.js';
import { Node, SymbolicTensor } from '../engine/symbolic.js';

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
  /** An identity: a mask given with the input passes through (a Sequential may list it first). */
  override supportsMasking = true;

  constructor(args: InputLayerArgs) {
    const withShape: InputLayerArgs = args.batchShape !== undefined && args.batchInputShape === undefined ? { ...args, batchInputShape: args.batchShape } : args;
    if (withShape.inputShape === undefined && withShape.batchInputShape === undefined) {
      throw new Error('InputLayer: give inputShape or batchInputShape');
    }
    if (args.sparse === true) throw new Error('InputLayer: sparse inputs are not supported (sparse must be false)');
    super(withShape);
    this.built = true;
    // Like Keras, an InputLayer is its own graph input: one node with no inputs and one output.
    const node = new Node(this, [], false);
    node.outputs.push(new SymbolicTensor([...this.batchInputShape!], this.dtype, node, 0, this.name));
    this.inboundNodes.push(node);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { batchInputShape: this.batchInputShape, dtype: this.dtype, sparse: false, name: this.name };
  }
}

/** Options of `Input`: the shape of one sample, and optionally the batch size, dtype and name. */
export interface InputArgs {
  /** Shape of one sample, without the batch axis (`[784]`, `[28, 28, 1]`; `null` for a free dim). */
  shape?: readonly (number | null)[];
  /** Full shape with the batch axis (`[null, 784]`), instead of `shape`. */
  batchShape?: readonly (number | null)[];
  /** Fixed batch size (default: any, `null`). */
  batchSize?: number;
  /** Dtype of the input (default float32; int32 for token ids). */
  dtype?: DType;
  /** Name of the input layer (unique default `input_layer`, `input_layer_1`, …); also the key of this input in `x` objects. */
  name?: string;
}

const INPUT_KEYS = ['shape', 'batchShape', 'batchSize', 'dtype', 'name'] as const;

/**
 * The start of a functional graph (Keras `keras.Input`, TF.js `tf.input`): a symbolic tensor of
 * shape `[batchSize ?? null, ...shape]`. Call layers on it, then make a model of the result:
 * ```ts
 * const x = Input({ shape: [784] });
 * const y = new Dense({ units: 10, activation: 'softmax' }).apply(x);
 * const model = new Model({ inputs: x, outputs: y });
 * ```
 */
export function Input(args: InputArgs): SymbolicTensor {
  if (typeof args !== 'object' || args === null) throw new Error(`Input: expected { shape, batchSize?, dtype?, name? }, got ${showValue(args)}`);
  for (const key of Object.keys(args)) {
    if (!(INPUT_KEYS as readonly string[]).includes(key)) {
      const guess = closestName(key, INPUT_KEYS);
      throw new Error(`Input: unknown option '${key}'.${guess !== undefined ? ` Did you mean '${guess}'?` : ''} Valid options: ${INPUT_KEYS.join(', ')}`);
    }
  }
  if ((args.shape === undefined) === (args.batchShape === undefined)) {
    throw new Error(`Input: give exactly one of shape (one sample's shape, e.g. [784]) or batchShape (with the batch axis, e.g. [null, 784]), got ${showValue(args)}`);
  }
  const layerArgs: InputLayerArgs = args.shape !== undefined ? { inputShape: args.shape } : { batchInputShape: args.batchShape! };
  if (args.batchSize !== undefined) {
    if (args.shape === undefined) throw new Error('Input: batchSize goes with shape; with batchShape, put the batch size in its first entry');
    layerArgs.batchSize = args.batchSize;
  }
  if (args.dtype !== undefined) layerArgs.dtype = args.dtype;
  if (args.name !== undefined) layerArgs.name = args.name;
  return new InputLayer(layerArgs).inboundNodes[0]!.outputs[0]!;
}

/** `Input` under TF.js's lowercase name (`tf.input`). */
export const input = Input;
