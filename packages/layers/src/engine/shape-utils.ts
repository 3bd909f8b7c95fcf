import { sizeFromShape } from '@descent/tensor';
import { showValue } from './show-value.js';

/** A shape whose dimensions may be unknown (`null`), usually the batch dimension. */
export type SymbolicShape = (number | null)[];

/**
 * Convolution and pooling padding: none (`'valid'`) or enough for output size ceil(in / stride)
 * (`'same'`).
 */
export type PaddingMode = 'valid' | 'same';

/** The shape as shown in messages, `null` for unknown dims: `[null,28,28,1]`. */
export function formatSymbolic(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** `n` copies of `value` when it is a number, else `value` checked to hold `n` positive integers. */
export function normalizeTuple(layer: string, option: string, value: number | readonly number[], n: number): number[] {
  const list: unknown[] = typeof value === 'number' ? new Array<number>(n).fill(value) : Array.isArray(value) ? [...(value as unknown[])] : [];
  if (list.length !== n || !list.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)) {
    throw new Error(`${layer}: ${option} must be a positive integer or ${n} positive integers, got ${showValue(value)}`);
  }
  return list as number[];
}

export function checkPadding(layer: string, value: unknown, allowed: readonly string[] = ['valid', 'same']): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new Error(`${layer}: padding must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${showValue(value)}`);
  }
}

/**
 * Descent computes in NHWC only. Configs written by Keras/TF.js carry `dataFormat`; accept the
 * channels-last spellings and refuse channels-first instead of silently misreading the data.
 */
export function checkDataFormat(layer: string, value: unknown): void {
  if (value === undefined || value === null || value === 'channelsLast' || value === 'channels_last') return;
  throw new Error(`${layer}: dataFormat must be 'channelsLast' (the only layout Descent computes in), got ${showValue(value)}`);
}

/** Output length of a convolution or pooling window along one axis (Keras `conv_output_length`). */
export function convOutputLength(length: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dk = (kernel - 1) * dilation + 1;
  const out = padding === 'same' || padding === 'causal' ? length : length - dk + 1;
  return Math.floor((out + stride - 1) / stride);
}

/** Output length of a transposed convolution along one axis (Keras `deconv_output_length`, no output padding). */
export function deconvOutputLength(length: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dk = (kernel - 1) * dilation + 1;
  return padding === 'same' ? length * stride : length * stride + Math.max(dk - stride, 0);
}

/** Product of the known dimensions, or null if any is unknown. */
export function symbolicSize(dims: readonly (number | null)[]): number | null {
  if (dims.some((d) => d === null)) return null;
  return sizeFromShape(dims as number[]);
}

/** Require `shape` to have rank `rank`, with an error naming the layer and what it expects. */
export function assertRank(layer: string, shape: readonly (number | null)[], rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new Error(`${layer}: expected input of rank ${rank} (${what}), got shape ${formatSymbolic(shape)}`);
  }
}

/** The dimension at `index`, which must be known (weights are sized from it). */
export function knownDim(layer: string, shape: readonly (number | null)[], index: number): number {
  const i = index < 0 ? shape.length + index : index;
  const d = shape[i];
  if (d === null || d === undefined) {
    throw new Error(`${layer}: dimension ${i} of input shape ${formatSymbolic(shape)} must be known to build the layer`);
  }
  return d;
}
