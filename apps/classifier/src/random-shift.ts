import type { CallKwargs, LayerArgs, LayerInputs } from '@descent/layers';
import { Layer, registerLayer } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { cast, floor, mul, oneHot, pad, randomUniform, reshape, slice, stack, sum } from '@descent/tensor';

export interface RandomShiftArgs extends LayerArgs {
  /** Largest shift in pixels, up or down and left or right; a non-negative integer. */
  maxShift: number;
}

/**
 * Data augmentation for images `[batch, height, width, channels]`: in training, moves each image by a
 * whole number of pixels drawn uniformly from `[-maxShift, maxShift]`, on each axis independently,
 * filling the uncovered border with zeros (like Keras's `RandomTranslation` with integer offsets and
 * `fill_mode='constant'`). Outside training it passes the input through. The draws come from the
 * global generator, so `setSeed` repeats them.
 */
export class RandomShift extends Layer {
  static override className = 'RandomShift';
  static override readonly optionKeys: readonly string[] = ['maxShift'];
  readonly maxShift: number;

  constructor(args: RandomShiftArgs) {
    super(args);
    const m: unknown = args.maxShift;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0) {
      throw new Error(`RandomShift: maxShift must be a non-negative integer, got ${typeof m === 'number' ? String(m) : typeof m}`);
    }
    this.maxShift = m;
  }

  /** Shift each sample along `axis` (1: rows, 2: columns) by its own offset in [-m, m]. */
  private shiftAxis(x: Tensor, axis: 1 | 2): Tensor {
    const m = this.maxShift;
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const paddings: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    paddings[axis] = [m, m];
    const padded = pad(x, paddings);
    // Every possible window of the padded image, stacked: [batch, 2m+1, h, w, c].
    const windows = stack(
      Array.from({ length: 2 * m + 1 }, (_, k) => slice(padded, axis === 1 ? [0, k, 0, 0] : [0, 0, k, 0], [b, h, w, c])),
      1,
    );
    // One window per sample, picked by a one-hot weight.
    const pick = oneHot(cast(floor(randomUniform([b], 0, 2 * m + 1 - 1e-4)), 'int32'), 2 * m + 1);
    return sum(mul(windows, reshape(pick, [b, 2 * m + 1, 1, 1, 1])), 1);
  }

  call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training || this.maxShift === 0) return x;
    if (x.rank !== 4) throw new Error(`RandomShift: expected images [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
    return this.shiftAxis(this.shiftAxis(x, 1), 2);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxShift: this.maxShift };
  }
}

registerLayer('RandomShift', RandomShift);
