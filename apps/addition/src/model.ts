import type { Variable } from '@descent/autograd';
import type { CallKwargs, LayerArgs, SymbolicShape, SymbolicTensor } from '@descent/layers';
import {
  Add, Dense, Dropout, Embedding, Input, Layer, LayerNormalization, MultiHeadAttention, RandomNormal, registerLayer,
} from '@descent/layers';
import { Model } from '@descent/models';
import type { Tensor } from '@descent/tensor';
import { lengths, VOCAB } from './data.js';

export interface PositionEmbeddingArgs extends LayerArgs {
  /** The longest sequence the layer accepts: one learned vector per position. */
  maxLength: number;
  /** Seed of the initial position vectors (normal, stddev 0.02). */
  seed?: number;
}

/**
 * Adds a learned vector per position to a sequence `[batch, steps, dim]` (positions `0..steps-1`), as
 * keras-hub's `PositionEmbedding` added to a token embedding. The input's mask passes through unchanged.
 */
export class PositionEmbedding extends Layer {
  static override className = 'PositionEmbedding';
  readonly maxLength: number;
  readonly seed: number | undefined;
  /** The position table `[maxLength, dim]`; null until built. */
  positions: Variable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    const { maxLength, seed, ...rest } = args;
    super(rest);
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`PositionEmbedding: maxLength must be a positive integer, got ${String(maxLength)}`);
    this.maxLength = maxLength;
    this.seed = seed;
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape): void {
    const dim = inputShape[inputShape.length - 1];
    if (inputShape.length !== 3 || typeof dim !== 'number') {
      throw new Error(`PositionEmbedding: expected input [batch, steps, dim] with a known dim, got [${inputShape.map(String).join(', ')}]`);
    }
    this.positions = this.addWeight('positions', [this.maxLength, dim], { initializer: new RandomNormal({ stddev: 0.02, seed: this.seed ?? null }) });
    super.build(inputShape);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const [, steps, dim] = inputs.shape as [number, number, number];
    if (steps > this.maxLength) throw new Error(`PositionEmbedding: sequence of ${steps} steps is longer than maxLength ${this.maxLength}`);
    return inputs.add(this.positions!.slice([0, 0], [steps, dim]));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxLength: this.maxLength, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }
}
registerLayer('PositionEmbedding', PositionEmbedding);

export interface ModelOptions {
  /** Numbers of up to this many digits (fixes the padded lengths). */
  digits: number;
  /** Width of every token vector (default 64). */
  dModel?: number;
  /** Attention heads (default 4); each head has `dModel / numHeads` dimensions. */
  numHeads?: number;
  /** Hidden units of each block's MLP (default 2·dModel). */
  ffDim?: number;
  /** Encoder and decoder blocks (default 1 each). */
  encoderBlocks?: number;
  decoderBlocks?: number;
  /** Dropout after attention and MLP (default 0). */
  dropout?: number;
  /** Seed of the initial weights. */
  seed?: number;
}

/** The parts of the model the tests and the decoder reach into. */
export interface Seq2Seq {
  model: Model;
  /** The encoder alone: question ids → `[batch, steps, dModel]` (carries the question's padding mask). */
  encoder: Model;
}

/**
 * The encoder-decoder Transformer. Inputs: `question` ids `[batch, ≤ 2·digits+1]` and `decoder` ids
 * `[batch, ≤ digits+2]` (START then the answer so far), both padded with 0 (the data pads to those
 * lengths; any shorter length works too); output: the next-token probabilities `[batch, steps, VOCAB]`,
 * carrying the decoder input's mask so padded steps are left out of the loss and the accuracy.
 */
export function buildModel(opts: ModelOptions): Seq2Seq {
  const dModel = opts.dModel ?? 64;
  const numHeads = opts.numHeads ?? 4;
  const ffDim = opts.ffDim ?? 2 * dModel;
  const rate = opts.dropout ?? 0;
  const seed = opts.seed ?? 1;
  if (dModel % numHeads !== 0) throw new Error(`addition: dModel (${dModel}) must be a multiple of numHeads (${numHeads})`);
  const keyDim = dModel / numHeads;
  let s = seed * 1000;
  const next = () => ++s;
  const init = () => ({ className: 'GlorotUniform', config: { seed: next() } });
  const { question: qLen, answer: aLen } = lengths(opts.digits);

  const residual = (x: SymbolicTensor, y: SymbolicTensor): SymbolicTensor => {
    const dropped = rate > 0 ? new Dropout({ rate, seed: next() }).apply(y) : y;
    return new LayerNormalization({ epsilon: 1e-5 }).apply(new Add().apply([x, dropped]));
  };
  const mlp = (x: SymbolicTensor): SymbolicTensor => {
    const h = new Dense({ units: ffDim, activation: 'relu', kernelInitializer: init() }).apply(x);
    return new Dense({ units: dModel, kernelInitializer: init() }).apply(h);
  };
  const attention = () => new MultiHeadAttention({ numHeads, keyDim, kernelInitializer: init() });
  const embed = (ids: SymbolicTensor, maxLength: number, name: string): SymbolicTensor => {
    const tokens = new Embedding({ inputDim: VOCAB, outputDim: dModel, maskZero: true, name: `${name}_tokens`, embeddingsInitializer: { className: 'RandomNormal', config: { stddev: 0.1, seed: next() } } }).apply(ids);
    return new PositionEmbedding({ maxLength, seed: next(), name: `${name}_positions` }).apply(tokens);
  };

  // Encoder: the question's padding mask rides along from the embedding, so self-attention ignores
  // padded keys and every later layer passes the mask on.
  const question = Input({ shape: [null], dtype: 'int32', name: 'question' });
  let enc = embed(question, qLen, 'encoder');
  for (let i = 0; i < (opts.encoderBlocks ?? 1); i++) {
    enc = residual(enc, attention().apply([enc, enc]));
    enc = residual(enc, mlp(enc));
  }

  // Decoder: causal self-attention over the answer so far, then cross-attention on the encoder output
  // (whose mask hides the question's padding), then an MLP.
  const decoderIn = Input({ shape: [null], dtype: 'int32', name: 'decoder' });
  let dec = embed(decoderIn, aLen, 'decoder');
  for (let i = 0; i < (opts.decoderBlocks ?? 1); i++) {
    dec = residual(dec, attention().apply([dec, dec], { useCausalMask: true }));
    dec = residual(dec, attention().apply([dec, enc]));
    dec = residual(dec, mlp(dec));
  }
  const probs = new Dense({ units: VOCAB, activation: 'softmax', kernelInitializer: init(), name: 'next_token' }).apply(dec);

  return {
    model: new Model({ inputs: [question, decoderIn], outputs: probs, name: 'addition' }),
    encoder: new Model({ inputs: question, outputs: enc, name: 'addition_encoder' }),
  };
}
