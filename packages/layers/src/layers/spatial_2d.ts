import type { Tensor } from '@descent/tensor';
import { pad, reshape, tile } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape_utils.js';
import { checkDataFormat, formatSymbolic, normalizeTuple } from '../engine/shape_utils.js';
import { showValue } from '../engine/show_value.js';
import { layerOptions } from '../engine/options.js';

type PaddingSpec = number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];

export interface ZeroPadding2DArgs extends LayerArgs {
  /** `p` (all sides), `[ph, pw]` (symmetric), or `[[top, bottom], [left, right]]`. Default 1. */
  padding?: PaddingSpec;
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Pads the height and width of NHWC inputs with zeros. */
export class ZeroPadding2D extends Layer {
  static override className = 'ZeroPadding2D';
  static override readonly optionKeys = layerOptions<ZeroPadding2DArgs>({ padding: true, dataFormat: true });
  /** `[[top, bottom], [left, right]]`. */
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(args);
    checkDataFormat('ZeroPadding2D', args.dataFormat);
    const p = args.padding ?? 1;
    const bad = (): never => {
      throw new Error(`ZeroPadding2D: padding must be a non-negative integer, [h, w], or [[top, bottom], [left, right]], got ${showValue(p)}`);
    };
    if (isNonNegInt(p)) this.padding = [[p, p], [p, p]];
    else if (Array.isArray(p) && p.length === 2 && isNonNegInt(p[0]) && isNonNegInt(p[1])) this.padding = [[p[0], p[0]], [p[1], p[1]]];
    else if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(isNonNegInt))) {
      const q = p as readonly (readonly [number, number])[];
      this.padding = [[q[0]![0], q[0]![1]], [q[1]![0], q[1]![1]]];
    } else this.padding = bad();
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 4) throw new Error(`ZeroPadding2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    return pad(inputs, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    const [t, b] = this.padding[0];
    const [l, r] = this.padding[1];
    const grow = (d: number | null | undefined, n: number): number | null => (d === null || d === undefined ? null : d + n);
    return [s[0] ?? null, grow(s[1], t + b), grow(s[2], l + r), s[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: [[...this.padding[0]], [...this.padding[1]]], dataFormat: 'channelsLast' };
  }
}

export interface UpSampling2DArgs extends LayerArgs {
  /** Repeat factors for rows and columns (default 2). */
  size?: number | readonly number[];
  /** Only nearest-neighbour upsampling is implemented. */
  interpolation?: string;
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** Nearest-neighbour upsampling of NHWC inputs: each pixel becomes a `size[0] × size[1]` block. */
export class UpSampling2D extends Layer {
  static override className = 'UpSampling2D';
  static override readonly optionKeys = layerOptions<UpSampling2DArgs>({ size: true, interpolation: true, dataFormat: true });
  /** Repeat factors `[rows, columns]`. */
  readonly size: number[];

  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    checkDataFormat('UpSampling2D', args.dataFormat);
    this.size = normalizeTuple('UpSampling2D', 'size', args.size ?? 2, 2);
    if (args.interpolation !== undefined && args.interpolation !== 'nearest') {
      throw new Error(`UpSampling2D: interpolation must be 'nearest' (the only mode Descent implements), got ${showValue(args.interpolation)}`);
    }
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 4) throw new Error(`UpSampling2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    const [n, h, w, c] = inputs.shape as [number, number, number, number];
    const [sh, sw] = this.size as [number, number];
    // Insert unit axes after rows and columns, tile them, and fold them back in.
    const spread = tile(reshape(inputs, [n, h, 1, w, 1, c]), [1, 1, sh, 1, sw, 1]);
    return reshape(spread, [n, h * sh, w * sw, c]);
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    const mul = (d: number | null | undefined, k: number): number | null => (d === null || d === undefined ? null : d * k);
    return [s[0] ?? null, mul(s[1], this.size[0]!), mul(s[2], this.size[1]!), s[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], interpolation: 'nearest', dataFormat: 'channelsLast' };
  }
}
