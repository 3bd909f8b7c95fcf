import type { Tensor } from '@descent/tensor';
import { max, mean } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape_utils.js';
import { checkDataFormat, formatSymbolic } from '../engine/shape_utils.js';
import { layerOptions } from '../engine/options.js';

export interface GlobalPoolingArgs extends LayerArgs {
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** Reduces every spatial axis: `[batch, ...spatial, channels]` → `[batch, channels]`. */
export abstract class BaseGlobalPooling extends Layer {
  /** Number of spatial axes: 1 or 2. */
  readonly rank: number;
  constructor(rank: number, args: GlobalPoolingArgs) {
    super(args);
    this.rank = rank;
    checkDataFormat(this.className, args.dataFormat);
  }
  /** Reduces `x` over the spatial `axes` (mean or max). */
  protected abstract reduce(x: Tensor, axes: number[]): Tensor;
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== this.rank + 2) {
      throw new Error(`${this.className}: expected input of rank ${this.rank + 2}, got shape ${formatSymbolic(inputs.shape)}`);
    }
    return this.reduce(inputs, this.rank === 1 ? [1] : [1, 2]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, inputShape[inputShape.length - 1] ?? null];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: 'channelsLast' };
  }
}

/** Mean over the steps: `[batch, steps, channels]` → `[batch, channels]`. */
export class GlobalAveragePooling1D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling1D';
  static override readonly optionKeys = layerOptions<GlobalPoolingArgs>({ dataFormat: true });
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  protected reduce(x: Tensor, axes: number[]): Tensor {
    return mean(x, axes);
  }
}

/** Mean over height and width: `[batch, height, width, channels]` → `[batch, channels]`. */
export class GlobalAveragePooling2D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling2D';
  static override readonly optionKeys = layerOptions<GlobalPoolingArgs>({ dataFormat: true });
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  protected reduce(x: Tensor, axes: number[]): Tensor {
    return mean(x, axes);
  }
}

/** Maximum over the steps: `[batch, steps, channels]` → `[batch, channels]`. */
export class GlobalMaxPooling1D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling1D';
  static override readonly optionKeys = layerOptions<GlobalPoolingArgs>({ dataFormat: true });
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  protected reduce(x: Tensor, axes: number[]): Tensor {
    return max(x, axes);
  }
}

/** Maximum over height and width: `[batch, height, width, channels]` → `[batch, channels]`. */
export class GlobalMaxPooling2D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling2D';
  static override readonly optionKeys = layerOptions<GlobalPoolingArgs>({ dataFormat: true });
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  protected reduce(x: Tensor, axes: number[]): Tensor {
    return max(x, axes);
  }
}
