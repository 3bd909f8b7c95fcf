import type { Tensor, TensorLike } from '@descent/tensor';
import { add, div, formatShape, mul, shapesEqual, sub, sum } from '@descent/tensor';
import { showValue } from '../engine/show-value.js';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { EPSILON, toFloat } from './shapes.js';

/** Options of `dice` and `Dice`. */
export interface DiceOptions {
  /**
   * Axes summed over. Default null, as Keras: everything, batch included, so the loss is one number
   * for the whole batch (a `sampleWeight` of shape `[batch]` cannot apply to it). Give the non-batch
   * axes (e.g. `[1, 2, 3]` for `[batch, h, w, c]` masks) for one loss per sample.
   */
  axis?: number | readonly number[] | null;
}

function checkAxis(op: string, axis: unknown): number[] | null {
  if (axis === undefined || axis === null) return null;
  if (typeof axis === 'number' && Number.isInteger(axis)) return [axis];
  if (Array.isArray(axis) && axis.length > 0 && axis.every((a: unknown) => typeof a === 'number' && Number.isInteger(a))) return [...(axis as number[])];
  throw new Error(`${op}: axis must be null, an integer or a non-empty list of integers, got ${showValue(axis)}`);
}

/**
 * Dice loss, as Keras 3: `1 − 2·Σ(y·ŷ) / (Σy + Σŷ + ε)` over `axis` (default every axis), for
 * segmentation masks with labels and probabilities in [0, 1].
 */
export function dice(yTrue: TensorLike, yPred: TensorLike, options: DiceOptions = {}): Tensor {
  const op = 'dice';
  const axis = checkAxis(op, options.axis);
  const p = toFloat(yPred, op, 'yPred');
  const t = toFloat(yTrue, op, 'yTrue');
  if (!shapesEqual(t.shape, p.shape)) throw new Error(`${op}: yTrue and yPred must have the same shape, got yTrue ${formatShape(t.shape)} and yPred ${formatShape(p.shape)}`);
  const reduce = axis ?? undefined;
  const intersection = sum(mul(t, p), reduce);
  return sub(1, div(mul(intersection, 2), add(add(sum(t, reduce), sum(p, reduce)), EPSILON)));
}

/** Dice loss as a loss object (Keras name `'dice'`). */
export class Dice extends Loss {
  /** Axes summed over, or null for all. */
  readonly axis: number[] | null;
  constructor(args: LossArgs & DiceOptions = {}) {
    super('dice', args);
    this.axis = checkAxis('Dice', args.axis);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return dice(yTrue, yPred, { axis: this.axis });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
