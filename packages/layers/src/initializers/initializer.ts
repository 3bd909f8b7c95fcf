import type { DType, Tensor } from '@descent/tensor';
import { showValue } from '../engine/show-value.js';

/** Creates a weight's starting value for a given shape. Subclasses are seedable where random. */
export abstract class Initializer {
  /** The Keras/TF.js class name written into saved configs ('GlorotUniform', 'Zeros', ...). */
  abstract readonly className: string;
  /** A new tensor of `shape` (default dtype float32) holding the initial values. */
  abstract apply(shape: readonly number[], dtype?: DType): Tensor;
  /** Constructor options in camelCase, e.g. `{ seed: null }`. */
  getConfig(): Record<string, unknown> {
    return {};
  }
}

/**
 * Fan-in and fan-out as Keras computes them: `[in, out]` for dense kernels; for conv kernels
 * `[...receptiveField, in, out]` both are scaled by the receptive-field size.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i]!;
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/** Validate an optional seed option (`null` = draw from the global generator). */
export function checkSeed(className: string, seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`${className}: seed must be a finite number or null, got ${showValue(seed)}`);
  }
  return seed;
}

export function checkFloat(className: string, dtype: DType): void {
  if (dtype !== 'float32') throw new Error(`${className}: only float32 weights can be initialized randomly, got dtype ${dtype}`);
}

export function checkNumber(className: string, option: string, value: unknown, constraint?: 'positive' | 'nonNegative'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${className}: ${option} must be a finite number, got ${String(value)}`);
  }
  if (constraint === 'positive' && !(value > 0)) throw new Error(`${className}: ${option} must be > 0, got ${value}`);
  if (constraint === 'nonNegative' && !(value >= 0)) throw new Error(`${className}: ${option} must be >= 0, got ${value}`);
  return value;
}
