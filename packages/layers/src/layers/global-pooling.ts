import type { Tensor } from '@descent/tensor';
import { cast, div, expandDims, formatShape, max, mean, sum, where } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { checkDataFormat, formatSymbolic } from '../engine/shape-utils.js';
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
  protected abstract reduce(x: Tensor, axes: number[], kwargs: CallKwargs): Tensor;
  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (inputs.rank !== this.rank + 2) {
      throw new Error(`${this.className}: expected input of rank ${this.rank + 2}, got shape ${formatSymbolic(inputs.shape)}`);
    }
    return this.reduce(inputs, this.rank === 1 ? [1] : [1, 2], kwargs);
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
    // It reads the mask (averaging the real steps only) and, having pooled the steps away, passes none on.
    this.supportsMasking = true;
  }
  /** The steps are gone, so is the mask (Keras's `compute_mask` returns None). */
  override computeMask(): Tensor | null {
    return null;
  }
  /**
   * With a mask `[batch, steps]` (from `Embedding({ maskZero })`, `Masking`, …), the mean of the unmasked
   * steps only, as Keras: masked steps count neither in the sum nor in the divisor (a sample whose steps
   * are all masked gives 0/0 = NaN, as in Keras).
   */
  protected reduce(x: Tensor, axes: number[], kwargs: CallKwargs): Tensor {
    const mask = kwargs.mask;
    if (mask === undefined || mask === null) return mean(x, axes);
    if (Array.isArray(mask)) throw new Error(`${this.className} '${this.name}': mask must be one tensor [batch, steps], got a list of ${mask.length}`);
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new Error(`${this.className} '${this.name}': mask must have shape [batch, steps] = ${formatShape(x.shape.slice(0, 2))}, got ${formatShape(mask.shape)}`);
    }
    const keep = expandDims(mask.dtype === 'bool' ? mask : cast(mask, 'bool'), 2);
    return div(sum(where(keep, x, 0), 1), sum(cast(keep, 'float32'), 1));
  }
}

/** Mean over height and width: `[batch, height, width, channels]` → `[batch, channels]`. */
export class GlobalAveragePooling2D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling2D';
  static override readonly optionKeys = layerOptions<GlobalPoolingArgs>({ dataFormat: true });
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  protected reduce(x: Tensor, axes: number[], _kwargs: CallKwargs): Tensor {
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
  protected reduce(x: Tensor, axes: number[], _kwargs: CallKwargs): Tensor {
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
  protected reduce(x: Tensor, axes: number[], _kwargs: CallKwargs): Tensor {
    return max(x, axes);
  }
}
