import type { Tensor } from '@descent/tensor';
import { slice } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { checkDataFormat, formatSymbolic } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isPair(v: unknown): v is readonly [number, number] {
  return Array.isArray(v) && v.length === 2 && isNonNegInt(v[0]) && isNonNegInt(v[1]);
}

/** Size left on an axis of `len` after cropping `[before, after]`, or an error naming the layer. */
function croppedLength(layer: string, shape: readonly (number | null)[], axis: number, [before, after]: readonly [number, number]): number | null {
  const len = shape[axis];
  if (len === null || len === undefined) return null;
  if (before + after >= len) {
    throw new Error(`${layer}: cropping [${before}, ${after}] leaves nothing of axis ${axis} (size ${len}) of input shape ${formatSymbolic(shape)}`);
  }
  return len - before - after;
}

export interface Cropping1DArgs extends LayerArgs {
  /** Steps removed: `n` from both ends, or `[start, end]` (default `[1, 1]`). */
  cropping?: number | readonly [number, number];
}

/** Removes steps from the start and end of `[batch, steps, channels]` sequences. */
export class Cropping1D extends Layer {
  static override className = 'Cropping1D';
  static override readonly optionKeys = layerOptions<Cropping1DArgs>({ cropping: true });
  /** Steps removed `[start, end]`. */
  readonly cropping: [number, number];

  constructor(args: Cropping1DArgs = {}) {
    super(args);
    const c: unknown = args.cropping ?? [1, 1];
    if (isNonNegInt(c)) this.cropping = [c, c];
    else if (isPair(c)) this.cropping = [c[0], c[1]];
    else throw new Error(`Cropping1D: cropping must be a non-negative integer or [start, end] of non-negative integers, got ${showValue(c)}`);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 3) throw new Error(`Cropping1D: expected input of rank 3 ([batch, steps, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    const steps = croppedLength('Cropping1D', inputs.shape, 1, this.cropping)!;
    return slice(inputs, [0, this.cropping[0], 0], [-1, steps, -1]);
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length !== 3) throw new Error(`Cropping1D: expected input of rank 3 ([batch, steps, channels]), got shape ${formatSymbolic(s)}`);
    return [s[0] ?? null, croppedLength('Cropping1D', s, 1, this.cropping), s[2] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }
}

export interface Cropping2DArgs extends LayerArgs {
  /**
   * Rows and columns removed: `n` from every side, `[rows, cols]` (symmetric), or
   * `[[top, bottom], [left, right]]` (default none).
   */
  cropping?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
  /** Only `'channelsLast'` data is supported; other values are refused. */
  dataFormat?: string;
}

/** Removes rows and columns at the borders of NHWC `[batch, height, width, channels]` images. */
export class Cropping2D extends Layer {
  static override className = 'Cropping2D';
  static override readonly optionKeys = layerOptions<Cropping2DArgs>({ cropping: true, dataFormat: true });
  /** `[[top, bottom], [left, right]]`. */
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Cropping2DArgs = {}) {
    super(args);
    checkDataFormat('Cropping2D', args.dataFormat);
    const c: unknown = args.cropping ?? 0;
    if (isNonNegInt(c)) this.cropping = [[c, c], [c, c]];
    else if (isPair(c)) this.cropping = [[c[0], c[0]], [c[1], c[1]]];
    else if (Array.isArray(c) && c.length === 2 && isPair(c[0]) && isPair(c[1])) this.cropping = [[c[0][0], c[0][1]], [c[1][0], c[1][1]]];
    else {
      throw new Error(`Cropping2D: cropping must be a non-negative integer, [rows, cols], or [[top, bottom], [left, right]] of non-negative integers, got ${showValue(c)}`);
    }
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== 4) throw new Error(`Cropping2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    const h = croppedLength('Cropping2D', inputs.shape, 1, this.cropping[0])!;
    const w = croppedLength('Cropping2D', inputs.shape, 2, this.cropping[1])!;
    return slice(inputs, [0, this.cropping[0][0], this.cropping[1][0], 0], [-1, h, w, -1]);
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length !== 4) throw new Error(`Cropping2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(s)}`);
    return [s[0] ?? null, croppedLength('Cropping2D', s, 1, this.cropping[0]), croppedLength('Cropping2D', s, 2, this.cropping[1]), s[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [[...this.cropping[0]], [...this.cropping[1]]], dataFormat: 'channelsLast' };
  }
}
