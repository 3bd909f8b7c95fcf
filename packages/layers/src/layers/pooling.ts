import type { Tensor } from '@descent/tensor';
import { avgPool, avgPool1d, maxPool, maxPool1d } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { checkDataFormat, checkPadding, convOutputLength, formatSymbolic, normalizeTuple } from '../engine/shape-utils.js';
import { layerOptions } from '../engine/options.js';

export interface PoolingArgs extends LayerArgs {
  /** Window size (default 2). */
  poolSize?: number | readonly number[];
  /** Step between windows (default: the pool size). */
  strides?: number | readonly number[] | null;
  /** `'valid'` (default, windows stay inside the input) or `'same'` (output size ceil(in / stride)). */
  padding?: string;
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** Shared options of the 1-D and 2-D max/average pooling layers. */
export abstract class BasePooling extends Layer {
  /** Number of spatial axes: 1 or 2. */
  readonly rank: number;
  /** Window size per spatial axis. */
  readonly poolSize: number[];
  /** Window step per spatial axis. */
  readonly strides: number[];
  /** `'valid'` or `'same'`. */
  readonly padding: 'valid' | 'same';

  constructor(rank: number, args: PoolingArgs) {
    super(args);
    const cls = this.className;
    this.rank = rank;
    this.poolSize = normalizeTuple(cls, 'poolSize', args.poolSize ?? 2, rank);
    this.strides = args.strides === undefined || args.strides === null ? [...this.poolSize] : normalizeTuple(cls, 'strides', args.strides, rank);
    const padding = args.padding ?? 'valid';
    checkPadding(cls, padding);
    this.padding = padding as 'valid' | 'same';
    checkDataFormat(cls, args.dataFormat);
  }

  /** Pools `inputs` (`[batch, ...spatial, channels]`) with the layer's window, strides and padding. */
  protected abstract pool(inputs: Tensor): Tensor;

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== this.rank + 2) {
      const what = this.rank === 1 ? '[batch, steps, channels]' : '[batch, height, width, channels]';
      throw new Error(`${this.className}: expected input of rank ${this.rank + 2} (${what}), got shape ${formatSymbolic(inputs.shape)}`);
    }
    return this.pool(inputs);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const spatial = inputShape.slice(1, 1 + this.rank).map((len, i) => convOutputLength(len, this.poolSize[i]!, this.padding, this.strides[i]!));
    return [inputShape[0] ?? null, ...spatial, inputShape[this.rank + 1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
    };
  }
}

/** Max over windows of `[batch, steps, channels]`. */
export class MaxPooling1D extends BasePooling {
  static override className = 'MaxPooling1D';
  static override readonly optionKeys = layerOptions<PoolingArgs>({ poolSize: true, strides: true, padding: true, dataFormat: true });
  constructor(args: PoolingArgs = {}) {
    super(1, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool1d(x, this.poolSize[0]!, this.strides[0], this.padding);
  }
}

/** Mean over windows of `[batch, steps, channels]` ('same' padding averages the in-bounds values only). */
export class AveragePooling1D extends BasePooling {
  static override className = 'AveragePooling1D';
  static override readonly optionKeys = layerOptions<PoolingArgs>({ poolSize: true, strides: true, padding: true, dataFormat: true });
  constructor(args: PoolingArgs = {}) {
    super(1, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool1d(x, this.poolSize[0]!, this.strides[0], this.padding);
  }
}

/** Max over windows of NHWC `[batch, height, width, channels]`. */
export class MaxPooling2D extends BasePooling {
  static override className = 'MaxPooling2D';
  static override readonly optionKeys = layerOptions<PoolingArgs>({ poolSize: true, strides: true, padding: true, dataFormat: true });
  constructor(args: PoolingArgs = {}) {
    super(2, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool(x, [this.poolSize[0]!, this.poolSize[1]!], [this.strides[0]!, this.strides[1]!], this.padding);
  }
}

/** Mean over windows of NHWC `[batch, height, width, channels]`. */
export class AveragePooling2D extends BasePooling {
  static override className = 'AveragePooling2D';
  static override readonly optionKeys = layerOptions<PoolingArgs>({ poolSize: true, strides: true, padding: true, dataFormat: true });
  constructor(args: PoolingArgs = {}) {
    super(2, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool(x, [this.poolSize[0]!, this.poolSize[1]!], [this.strides[0]!, this.strides[1]!], this.padding);
  }
}
