import type { Tensor } from '@descent/tensor';
import { elu, greaterEqual, leakyRelu, minimum, mul, relu, softmax, sub, where } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { rememberLogits } from '../activations/logits.js';
import { showValue } from '../engine/show_value.js';
import { layerOptions } from '../engine/options.js';

function finiteNumber(layer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${layer}: ${option} must be a finite number, got ${showValue(value)}`);
  return value;
}

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (none by default). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs below it are scaled by `negativeSlope` (default 0). */
  threshold?: number;
}

/** `min(maxValue, x)` for `x ≥ threshold`, `negativeSlope·(x − threshold)` below it. */
export class ReLU extends Layer {
  static override className = 'ReLU';
  static override readonly optionKeys = layerOptions<ReLUArgs>({ maxValue: true, negativeSlope: true, threshold: true });
  /** Upper bound of the output, or null for none. */
  readonly maxValue: number | null;
  /** Slope below the threshold. */
  readonly negativeSlope: number;
  /** Inputs below it are scaled by `negativeSlope`. */
  readonly threshold: number;
  constructor(args: ReLUArgs = {}) {
    super(args);
    this.maxValue = args.maxValue === undefined || args.maxValue === null ? null : finiteNumber('ReLU', 'maxValue', args.maxValue);
    if (this.maxValue !== null && this.maxValue < 0) throw new Error(`ReLU: maxValue must be ≥ 0, got ${this.maxValue}`);
    this.negativeSlope = finiteNumber('ReLU', 'negativeSlope', args.negativeSlope ?? 0);
    if (this.negativeSlope < 0) throw new Error(`ReLU: negativeSlope must be ≥ 0, got ${this.negativeSlope}`);
    this.threshold = finiteNumber('ReLU', 'threshold', args.threshold ?? 0);
  }
  call(x: Tensor, _kwargs: CallKwargs): Tensor {
    let y: Tensor;
    if (this.negativeSlope === 0 && this.threshold === 0) y = relu(x);
    else y = where(greaterEqual(x, this.threshold), x, mul(sub(x, this.threshold), this.negativeSlope));
    return this.maxValue === null ? y : minimum(y, this.maxValue);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for negative inputs (default 0.3, as in Keras and TF.js). */
  alpha?: number;
}

/** `x` for `x ≥ 0`, `alpha·x` otherwise. */
export class LeakyReLU extends Layer {
  static override className = 'LeakyReLU';
  static override readonly optionKeys = layerOptions<LeakyReLUArgs & { negativeSlope?: number }>({ alpha: true, negativeSlope: true });
  /** Slope for negative inputs. */
  readonly alpha: number;
  constructor(args: LeakyReLUArgs & { negativeSlope?: number } = {}) {
    super(args);
    // Keras 3 calls it negative_slope; TF.js and Keras 2 call it alpha.
    this.alpha = finiteNumber('LeakyReLU', 'alpha', args.alpha ?? args.negativeSlope ?? 0.3);
  }
  call(x: Tensor, _kwargs: CallKwargs): Tensor {
    return leakyRelu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/** `x` for `x > 0`, `alpha·(exp(x) − 1)` otherwise. */
export class ELU extends Layer {
  static override className = 'ELU';
  static override readonly optionKeys = layerOptions<ELUArgs>({ alpha: true });
  /** Scale of the negative part. */
  readonly alpha: number;
  constructor(args: ELUArgs = {}) {
    super(args);
    this.alpha = finiteNumber('ELU', 'alpha', args.alpha ?? 1);
  }
  call(x: Tensor, _kwargs: CallKwargs): Tensor {
    return elu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface SoftmaxArgs extends LayerArgs {
  /** Axis to normalize over (default -1). */
  axis?: number;
}

/** Softmax along `axis`. */
export class Softmax extends Layer {
  static override className = 'Softmax';
  static override readonly optionKeys = layerOptions<SoftmaxArgs>({ axis: true });
  /** Axis the softmax normalizes over. */
  readonly axis: number;
  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = Array.isArray(args.axis) && args.axis.length === 1 ? (args.axis[0] as number) : (args.axis ?? -1);
    if (!Number.isInteger(axis)) throw new Error(`Softmax: axis must be an integer, got ${showValue(args.axis)}`);
    this.axis = axis;
  }
  call(x: Tensor, _kwargs: CallKwargs): Tensor {
    const y = softmax(x, this.axis);
    // Only a last-axis softmax matches what the categorical losses reduce over.
    return this.axis === -1 || this.axis === x.rank - 1 ? rememberLogits(y, x, 'softmax') : y;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
