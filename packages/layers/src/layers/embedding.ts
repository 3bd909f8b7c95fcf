import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { cast, gather, notEqual } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, LayerArgs, LayerInputs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import type { ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { positiveInt } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { layerOptions } from '../engine/options.js';
import { showValue } from '../engine/show-value.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: indices must lie in `[0, inputDim)`. */
  inputDim: number;
  /** Size of each embedding vector; a positive integer. */
  outputDim: number;
  /** Initializer of the embeddings (default `'randomUniform'`). */
  embeddingsInitializer?: InitializerId;
  /** Penalty on the embeddings added to the loss (default none). */
  embeddingsRegularizer?: RegularizerOption;
  /** Constraint applied to the embeddings after each optimizer step (default none). */
  embeddingsConstraint?: ConstraintOption;
  /**
   * Treat index 0 as padding (default false): the output carries the mask `ids != 0` (`getMask`), so
   * masking layers after it (RNNs, `GlobalAveragePooling1D`, attention, the loss) skip the padded
   * steps. Index 0 still has a row in the table, so `inputDim` is the vocabulary size + 1, as in Keras.
   */
  maskZero?: boolean;
  /** Fixed sequence length, for `computeOutputShape` and as `inputShape: [inputLength]`. */
  inputLength?: number | null;
}

/** Maps integer indices `[batch, ...]` to vectors: output `[batch, ..., outputDim]`; embeddings `[inputDim, outputDim]`. */
export class Embedding extends Layer {
  static override className = 'Embedding';
  static override readonly optionKeys = layerOptions<EmbeddingArgs>({ inputDim: true, outputDim: true, embeddingsInitializer: true, embeddingsRegularizer: true, embeddingsConstraint: true, maskZero: true, inputLength: true });
  /** Vocabulary size. */
  readonly inputDim: number;
  /** Size of each embedding vector. */
  readonly outputDim: number;
  /** Fixed sequence length, or null. */
  readonly inputLength: number | null;
  /** Whether index 0 is padding: the output then carries the mask `ids != 0`. */
  readonly maskZero: boolean;
  /** Initializer of the embeddings. */
  declare readonly embeddingsInitializer: Initializer;
  /** Penalty on the embeddings, or null. */
  declare readonly embeddingsRegularizer: Regularizer | null;
  /** Constraint on the embeddings, or null. */
  declare readonly embeddingsConstraint: Constraint | null;
  /** The embedding table `[inputDim, outputDim]`; null until built. */
  embeddings: Variable | null = null;

  constructor(args: EmbeddingArgs) {
    const len = args.inputLength ?? null;
    super(len !== null && args.inputShape === undefined && args.batchInputShape === undefined ? { ...args, inputShape: [len] } : args);
    const maskZero = args.maskZero ?? false;
    if (typeof maskZero !== 'boolean') throw new Error(`Embedding: maskZero must be true or false, got ${showValue(maskZero)}`);
    this.maskZero = maskZero;
    this.supportsMasking = maskZero;
    this.inputDim = positiveInt('Embedding', 'inputDim', args.inputDim);
    this.outputDim = positiveInt('Embedding', 'outputDim', args.outputDim);
    this.inputLength = len;
    initWeightOptions(this, args, { embeddings: 'randomUniform' });
  }

  override build(inputShape: SymbolicShape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], weightOptions(this, 'embeddings'));
    super.build(inputShape);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const idx = inputs.dtype === 'int32' ? inputs : cast(inputs, 'int32');
    const values = idx.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v >= this.inputDim) {
        throw new Error(`Embedding: index ${v} at flat position ${i} is out of range [0, ${this.inputDim}) (inputDim = ${this.inputDim})`);
      }
    }
    return gather(this.embeddings!, idx, 0);
  }

  /** With `maskZero`, the mask of the output: true where the index is not 0 (Keras's `compute_mask`); else none. */
  override computeMask(inputs: LayerInputs): Tensor | null {
    if (!this.maskZero || Array.isArray(inputs)) return null;
    return notEqual(inputs, 0);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape, this.outputDim];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      ...weightOptionsConfig(this, ['embeddings'], { activityRegularizer: true }),
      maskZero: this.maskZero,
      inputLength: this.inputLength,
    };
  }
}
