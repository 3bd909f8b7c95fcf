import type { Tensor } from '@descent/tensor';
import { expandDims, reshape, tile, transpose } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { checkDataFormat, formatSymbolic, symbolicSize } from '../engine/shape-utils.js';
import { positiveInt } from './common.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

function isIntList(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x));
}

export interface FlattenArgs extends LayerArgs {
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** `[batch, d1, d2, ...]` → `[batch, d1·d2·...]`. */
export class Flatten extends Layer {
  static override className = 'Flatten';
  static override readonly optionKeys = layerOptions<FlattenArgs>({ dataFormat: true });
  constructor(args: FlattenArgs = {}) {
    super(args);
    checkDataFormat('Flatten', args.dataFormat);
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank < 1) throw new Error('Flatten: expected input of rank ≥ 1 (with a batch dimension), got a scalar');
    // The sample size is spelled out: with a batch of 0, reshape could not infer a -1.
    const perSample = inputs.shape.slice(1).reduce((n, d) => n * d, 1);
    return reshape(inputs, [inputs.shape[0]!, perSample]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, symbolicSize(inputShape.slice(1))];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: 'channelsLast' };
  }
}

export interface ReshapeArgs extends LayerArgs {
  /** Shape of one sample (batch excluded); at most one entry may be -1. */
  targetShape: readonly number[];
}

/** Reshapes each sample to `targetShape` (the batch dimension is kept). */
export class Reshape extends Layer {
  static override className = 'Reshape';
  static override readonly optionKeys = layerOptions<ReshapeArgs>({ targetShape: true });
  /** Shape of each sample after reshaping (without the batch axis). */
  readonly targetShape: number[];
  constructor(args: ReshapeArgs) {
    super(args);
    const t: unknown = args.targetShape;
    if (!isIntList(t) || !t.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) || t.filter((d) => d === -1).length > 1) {
      throw new Error(`Reshape: targetShape must be positive integers with at most one -1, got ${showValue(t)}`);
    }
    this.targetShape = [...t];
  }
  private resolve(inputShape: SymbolicShape): SymbolicShape {
    const total = symbolicSize(inputShape.slice(1));
    const known = this.targetShape.reduce((n, d) => (d === -1 ? n : n * d), 1);
    const free = this.targetShape.indexOf(-1);
    if (total === null) return this.targetShape.map((d) => (d === -1 ? null : d));
    if (free === -1 ? known !== total : total % known !== 0) {
      throw new Error(`Reshape: cannot reshape samples of shape ${formatSymbolic(inputShape.slice(1))} (${total} values) to ${formatSymbolic(this.targetShape)}`);
    }
    return this.targetShape.map((d) => (d === -1 ? total / known : d));
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    const target = this.resolve([...inputs.shape]) as number[];
    return reshape(inputs, [inputs.shape[0]!, ...target]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.resolve(inputShape)];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

export interface PermuteArgs extends LayerArgs {
  /** A permutation of `1 … rank-1` (1-based, the batch axis stays first), e.g. `[2, 1]`. */
  dims: readonly number[];
}

/** Permutes the non-batch axes of the input. */
export class Permute extends Layer {
  static override className = 'Permute';
  static override readonly optionKeys = layerOptions<PermuteArgs>({ dims: true });
  /** The permutation of the non-batch axes, counted from 1. */
  readonly dims: number[];
  constructor(args: PermuteArgs) {
    super(args);
    const d: unknown = args.dims;
    const sorted = isIntList(d) ? [...d].sort((a, b) => a - b) : [];
    if (!isIntList(d) || d.length === 0 || !sorted.every((v, i) => v === i + 1)) {
      throw new Error(`Permute: dims must be a permutation of 1..n (the batch axis 0 is not included), got ${showValue(d)}`);
    }
    this.dims = [...d];
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== this.dims.length + 1) {
      throw new Error(`Permute: dims ${JSON.stringify(this.dims)} need input of rank ${this.dims.length + 1}, got shape ${formatSymbolic(inputs.shape)}`);
    }
    return transpose(inputs, [0, ...this.dims]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.dims.map((d) => inputShape[d] ?? null)];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

export interface RepeatVectorArgs extends LayerArgs {
  /** Number of repetitions; a positive integer. */
  n: number;
}

/** `[batch, features]` → `[batch, n, features]`, repeating each sample `n` times. */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  static override readonly optionKeys = layerOptions<RepeatVectorArgs>({ n: true });
  /** Number of repetitions. */
  readonly n: number;
  constructor(args: RepeatVectorArgs) {
    super(args);
    this.n = positiveInt('RepeatVector', 'n', args.n);
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 2) throw new Error(`RepeatVector: expected input of rank 2 ([batch, features]), got shape ${formatSymbolic(inputs.shape)}`);
    return tile(expandDims(inputs, 1), [1, this.n, 1]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, this.n, inputShape[1] ?? null];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}
