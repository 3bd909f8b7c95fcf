import { formatArg } from '../format.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { windowOutputSize } from '../window-geometry.js';

/** A size along both spatial axes: one number for both, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/**
 * How a window sweep is padded: `'valid'` (none), `'same'` (TF's rule: output = ceil(in / stride)),
 * a number of zeros on every side, or explicit `[[top, bottom], [left, right]]`.
 */
export type Padding = 'same' | 'valid' | number | readonly [readonly [number, number], readonly [number, number]];

/** Resolve a `Pair` option to `[h, w]` positive integers, or throw naming the op and option. */
export function toPair(op: string, name: string, value: Pair): [number, number] {
  const pair: readonly unknown[] = typeof value === 'number' ? [value, value] : Array.isArray(value) ? value : [];
  const [h, w] = pair;
  if (pair.length !== 2 || !isPositiveInt(h) || !isPositiveInt(w)) {
    throw new Error(`${op}: ${name} must be a positive integer or a pair of positive integers, got ${formatArg(value)}`);
  }
  return [h, w];
}

export function toPositiveInt(op: string, name: string, value: unknown): number {
  if (!isPositiveInt(value)) throw new Error(`${op}: ${name} must be a positive integer, got ${formatArg(value)}`);
  return value;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Whether `v` is an array of `length` integers, each ≥ `min`. */
export function isIntList(v: unknown, length: number, min: number): v is readonly number[] {
  return Array.isArray(v) && v.length === length && (v as unknown[]).every((e) => typeof e === 'number' && Number.isInteger(e) && e >= min);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** TF's 'same' padding along one axis: `[before, after]`, with the odd extra zero after. */
export function samePadding(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const total = Math.max((Math.ceil(inSize / stride) - 1) * stride + (k - 1) * dilation + 1 - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Explicit `[top, bottom, left, right]` padding for a sweep of a `[kh, kw]` window (dilated by
 * `dilations`) with `strides` over an `[h, w]` input.
 */
export function resolvePadding(
  op: string,
  pad: Padding,
  inHW: readonly [number, number],
  kernelHW: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const [t, b] = samePadding(inHW[0], kernelHW[0], strides[0], dilations[0]);
    const [l, r] = samePadding(inHW[1], kernelHW[1], strides[1], dilations[1]);
    return [t, b, l, r];
  }
  if (typeof pad === 'number') {
    if (!isNonNegativeInt(pad)) throw new Error(`${op}: a numeric pad must be a non-negative integer, got ${String(pad)}`);
    return [pad, pad, pad, pad];
  }
  const pairs: unknown = pad;
  if (Array.isArray(pairs) && pairs.length === 2) {
    const [tb, lr] = pairs as unknown[];
    if (isIntList(tb, 2, 0) && isIntList(lr, 2, 0)) return [tb[0]!, tb[1]!, lr[0]!, lr[1]!];
  }
  throw new Error(
    `${op}: pad must be 'same', 'valid', a non-negative integer or [[top, bottom], [left, right]], got ${formatArg(pad)}`,
  );
}

/** Output extent of a window sweep; throws when the (dilated) window does not fit the padded input. */
export function outputExtent(
  op: string,
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  what: string,
): number {
  const effective = (k - 1) * dilation + 1;
  const padded = inSize + before + after;
  if (effective > padded) {
    const dilated = dilation > 1 ? ` (${effective} once dilated by ${dilation})` : '';
    throw new Error(`${op}: the window ${what} of ${k}${dilated} is larger than the padded input ${what} of ${padded}`);
  }
  return windowOutputSize(inSize, k, stride, dilation, before, after);
}

/** Throw unless `t` is float32 (these ops compute in floating point only). */
export function assertFloat(op: string, arg: string, t: Tensor): void {
  if (t.dtype !== 'float32') {
    throw new Error(`${op}: argument '${arg}' must be float32, got ${t.dtype} (cast it first)`);
  }
}

/** Throw unless `t` has one of the given ranks, with `layout` describing what was expected. */
export function assertRank(op: string, arg: string, t: Tensor, ranks: readonly number[], layout: string): void {
  if (!ranks.includes(t.rank)) {
    throw new Error(`${op}: argument '${arg}' must be ${layout}, got shape ${formatShape(t.shape)}`);
  }
}
