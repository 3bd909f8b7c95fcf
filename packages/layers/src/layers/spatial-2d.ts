import type { Tensor } from '@descent/tensor';
import { add, gather, makeTensor, mul, pad, reshape, tile } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { checkDataFormat, formatSymbolic, normalizeTuple } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
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
  /**
   * `'nearest'` (default: each pixel becomes a block) or `'bilinear'` (TF's `resize` with half-pixel
   * centers, as Keras 3 uses).
   */
  interpolation?: 'nearest' | 'bilinear';
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** The two source indices and the weight of the second for each of `outSize` outputs resized from `inSize` (TF's half-pixel rule). */
function bilinearTaps(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    // The output pixel's center mapped back into the input; taps clamp at the borders.
    const src = (i + 0.5) * scale - 0.5;
    const f = Math.floor(src);
    lo[i] = Math.max(f, 0);
    hi[i] = Math.min(Math.ceil(src), inSize - 1);
    frac[i] = src - f;
  }
  return { lo, hi, frac };
}

/** Linear interpolation along `axis` (1 or 2) of an NHWC tensor to `outSize` entries. */
function interpolateAxis(x: Tensor, axis: 1 | 2, outSize: number): Tensor {
  const { lo, hi, frac } = bilinearTaps(x.shape[axis]!, outSize);
  const wShape = axis === 1 ? [1, outSize, 1, 1] : [1, 1, outSize, 1];
  const w1 = makeTensor(frac, wShape, 'float32');
  const w0 = makeTensor(frac.map((f) => 1 - f), wShape, 'float32');
  const a = gather(x, makeTensor(lo, [outSize], 'int32'), axis);
  const b = gather(x, makeTensor(hi, [outSize], 'int32'), axis);
  return add(mul(a, w0), mul(b, w1));
}

/**
 * Upsampling of NHWC inputs by `size`: nearest-neighbour (each pixel becomes a `size[0] × size[1]`
 * block) or bilinear (as Keras 3, TF's `resize` with half-pixel centers; edges clamp).
 */
export class UpSampling2D extends Layer {
  static override className = 'UpSampling2D';
  static override readonly optionKeys = layerOptions<UpSampling2DArgs>({ size: true, interpolation: true, dataFormat: true });
  /** Repeat factors `[rows, columns]`. */
  readonly size: number[];
  /** `'nearest'` or `'bilinear'`. */
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    checkDataFormat('UpSampling2D', args.dataFormat);
    this.size = normalizeTuple('UpSampling2D', 'size', args.size ?? 2, 2);
    const mode: unknown = args.interpolation ?? 'nearest';
    if (mode !== 'nearest' && mode !== 'bilinear') {
      throw new Error(`UpSampling2D: interpolation must be 'nearest' or 'bilinear', got ${showValue(args.interpolation)}`);
    }
    this.interpolation = mode;
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 4) throw new Error(`UpSampling2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    const [n, h, w, c] = inputs.shape as [number, number, number, number];
    const [sh, sw] = this.size as [number, number];
    if (this.interpolation === 'bilinear') return interpolateAxis(interpolateAxis(inputs, 1, h * sh), 2, w * sw);
    // Insert unit axes after rows and columns, tile them, and fold them back in.
    const spread = tile(reshape(inputs, [n, h, 1, w, 1, c]), [1, 1, sh, 1, sw, 1]);
    return reshape(spread, [n, h * sh, w * sw, c]);
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    const mul = (d: number | null | undefined, k: number): number | null => (d === null || d === undefined ? null : d * k);
    return [s[0] ?? null, mul(s[1], this.size[0]!), mul(s[2], this.size[1]!), s[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], interpolation: this.interpolation, dataFormat: 'channelsLast' };
  }
}
