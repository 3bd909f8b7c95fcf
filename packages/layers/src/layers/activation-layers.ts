import type { Tensor } from '@descent/tensor';
import { elu, expandDims, formatShape, greater, greaterEqual, leakyRelu, minimum, mul, relu, softmax, sub, where } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { rememberLogits } from '../activations/logits.js';
import { showValue } from '../engine/show-value.js';
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
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
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
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
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
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
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

/** What Keras 3's Softmax puts in place of a masked logit (its `_large_negative_number` for float32). */
const MASKED_LOGIT = -1e9;

/**
 * Softmax along `axis`. With a mask (`apply(x, { mask })`, or one carried from `Masking`/`Embedding`),
 * as Keras 3: masked entries take part as the logit -1e9 (so they get no weight) and output 0, also
 * when every entry along `axis` is masked. The mask is bool (a number counts as true above 0.5) and
 * broadcasts against the input from the right, each axis the input's or 1 (Keras's rule). One
 * exception: a mask one axis shorter whose shape is the input's without its last axis is a per-step
 * mask (`[batch, steps]` for `[batch, steps, classes]`, the kind `Embedding({ maskZero })` carries) and
 * covers every entry of a masked step, where Keras would reject it or broadcast it along other axes.
 * The mask passes on to the output.
 */
export class Softmax extends Layer {
  static override className = 'Softmax';
  /** Uses the input's mask (masked entries output 0) and passes it on (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<SoftmaxArgs>({ axis: true });
  /** Axis the softmax normalizes over. */
  readonly axis: number;
  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = Array.isArray(args.axis) && args.axis.length === 1 ? (args.axis[0] as number) : (args.axis ?? -1);
    if (!Number.isInteger(axis)) throw new Error(`Softmax: axis must be an integer, got ${showValue(args.axis)}`);
    this.axis = axis;
  }
  call(x: Tensor, kwargs: CallKwargs): Tensor {
    const keep = this.keepMask(x, kwargs.mask);
    if (keep !== null) {
      // As in Keras 3 the output no longer carries its logits: a fully masked slice outputs zeros, not
      // the softmax of its logits, so a cross-entropy works from these probabilities.
      return where(keep, softmax(where(keep, x, MASKED_LOGIT), this.axis), 0);
    }
    const y = softmax(x, this.axis);
    // Only a last-axis softmax matches what the categorical losses reduce over.
    return this.axis === -1 || this.axis === x.rank - 1 ? rememberLogits(y, x, 'softmax') : y;
  }
  /** The mask as bool, shaped to broadcast against `x`, or null without one. */
  private keepMask(x: Tensor, mask: CallKwargs['mask']): Tensor | null {
    if (mask === undefined || mask === null) return null;
    let m: Tensor | null;
    if (Array.isArray(mask)) {
      if (mask.length !== 1) throw new Error(`Softmax '${this.name}': expected one mask (the layer takes one input), got a list of ${mask.length}`);
      m = mask[0] ?? null;
      if (m === null) return null;
    } else {
      m = mask;
    }
    const keep = m.dtype === 'bool' ? m : greater(m, 0.5);
    const steps = x.shape.slice(0, -1);
    if (m.rank === x.rank - 1 && m.shape.every((d, i) => d === steps[i])) return expandDims(keep, m.rank);
    const offset = x.rank - m.rank;
    if (offset < 0 || m.shape.some((d, i) => d !== 1 && d !== x.shape[i + offset])) {
      throw new Error(`Softmax '${this.name}': the mask must broadcast to the input shape ${formatShape(x.shape)} (each of its last axes 1 or the input's), or be a per-step mask of shape ${formatShape(steps)}; got mask shape ${formatShape(m.shape)}`);
    }
    return keep;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
