import type { Tensor } from '@descent/tensor';
import { add, clipByValue, div, mul, relu, sqrt, square, sum } from '@descent/tensor';
import { showValue } from '../engine/show-value.js';

/** A projection applied to a weight after each optimizer step (`variable.constraint`). */
export abstract class Constraint {
  /** The Keras class name written into saved configs ('MaxNorm', 'NonNeg', ...). */
  abstract readonly className: string;
  /** The projected weight: the value `w` is replaced with after an optimizer step. */
  abstract apply(w: Tensor): Tensor;
  /** Constructor options for serialization, in camelCase. */
  abstract getConfig(): Record<string, unknown>;
}

/** Keras's fuzz factor: keeps the division defined for an all-zero slice. */
const EPSILON = 1e-7;

/** Axis or axes along which norms are computed (negative counts from the end). */
export type NormAxis = number | readonly number[];

function checkAxis(className: string, axis: unknown): NormAxis {
  const ok = (a: unknown): boolean => typeof a === 'number' && Number.isInteger(a);
  if (ok(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(ok))) return axis as NormAxis;
  throw new Error(`${className}: axis must be an integer or a non-empty list of integers, got ${showValue(axis)}`);
}

function checkValue(className: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new Error(`${className}: ${option} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

function norms(w: Tensor, axis: NormAxis): Tensor {
  return sqrt(sum(square(w), axis, true));
}

/**
 * Rescales each slice along `axis` whose L2 norm exceeds `maxValue` down to that norm. For a Dense
 * kernel `[in, out]` the default axis 0 constrains each unit's incoming weight vector.
 */
export class MaxNorm extends Constraint {
  readonly className = 'MaxNorm';
  /** Largest allowed norm (default 2). */
  readonly maxValue: number;
  /** Axis or axes of each norm (default 0). */
  readonly axis: NormAxis;
  constructor(args: { maxValue?: number; axis?: NormAxis } = {}) {
    super();
    this.maxValue = checkValue(this.className, 'maxValue', args.maxValue ?? 2);
    this.axis = checkAxis(this.className, args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    const n = norms(w, this.axis);
    const desired = clipByValue(n, 0, this.maxValue);
    return mul(w, div(desired, add(n, EPSILON)));
  }
  getConfig(): Record<string, unknown> {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}

/** Sets negative weights to zero. */
export class NonNeg extends Constraint {
  readonly className = 'NonNeg';
  apply(w: Tensor): Tensor {
    return relu(w);
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}

/** Scales each slice along `axis` to unit L2 norm. */
export class UnitNorm extends Constraint {
  readonly className = 'UnitNorm';
  /** Axis or axes of each norm (default 0). */
  readonly axis: NormAxis;
  constructor(args: { axis?: NormAxis } = {}) {
    super();
    this.axis = checkAxis(this.className, args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    return div(w, add(norms(w, this.axis), EPSILON));
  }
  getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}

/**
 * Moves each slice's norm into `[minValue, maxValue]`: the new norm is
 * `rate · clip(norm) + (1 − rate) · norm`, so `rate < 1` only goes part of the way per step.
 */
export class MinMaxNorm extends Constraint {
  readonly className = 'MinMaxNorm';
  /** Smallest allowed norm (default 0). */
  readonly minValue: number;
  /** Largest allowed norm (default 1). */
  readonly maxValue: number;
  /** Fraction of the way to the clipped norm taken per step, in [0, 1] (default 1). */
  readonly rate: number;
  /** Axis or axes of each norm (default 0). */
  readonly axis: NormAxis;
  constructor(args: { minValue?: number; maxValue?: number; rate?: number; axis?: NormAxis } = {}) {
    super();
    this.minValue = checkValue(this.className, 'minValue', args.minValue ?? 0);
    this.maxValue = checkValue(this.className, 'maxValue', args.maxValue ?? 1);
    if (this.maxValue < this.minValue) {
      throw new Error(`MinMaxNorm: maxValue must be >= minValue, got minValue=${this.minValue}, maxValue=${this.maxValue}`);
    }
    this.rate = checkValue(this.className, 'rate', args.rate ?? 1);
    if (this.rate > 1) throw new Error(`MinMaxNorm: rate must be in [0, 1], got ${this.rate}`);
    this.axis = checkAxis(this.className, args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    const n = norms(w, this.axis);
    const clipped = clipByValue(n, this.minValue, this.maxValue);
    const desired = this.rate === 1 ? clipped : add(mul(clipped, this.rate), mul(n, 1 - this.rate));
    return mul(w, div(desired, add(n, EPSILON)));
  }
  getConfig(): Record<string, unknown> {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

/** A `MaxNorm` constraint (`maxValue` default 2, `axis` default 0). */
export function maxNorm(args: { maxValue?: number; axis?: NormAxis } = {}): MaxNorm {
  return new MaxNorm(args);
}
/** A `NonNeg` constraint. */
export function nonNeg(): NonNeg {
  return new NonNeg();
}
/** A `UnitNorm` constraint (`axis` default 0). */
export function unitNorm(args: { axis?: NormAxis } = {}): UnitNorm {
  return new UnitNorm(args);
}
/** A `MinMaxNorm` constraint (`minValue` 0, `maxValue` 1, `rate` 1, `axis` 0 by default). */
export function minMaxNorm(args: { minValue?: number; maxValue?: number; rate?: number; axis?: NormAxis } = {}): MinMaxNorm {
  return new MinMaxNorm(args);
}
