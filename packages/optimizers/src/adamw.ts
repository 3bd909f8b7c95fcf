import type { AdamOptions } from './adam.js';
import { ADAM_OPTION_NAMES, adamTransform, checkAdamOptions } from './adam.js';
import { Optimizer } from './optimizer.js';

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay (required; default 0.004). */
  weightDecay?: number;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter): the base class shrinks each variable by
 * `weightDecay · learningRate` before the Adam step. Exclude biases and norms with
 * `excludeFromWeightDecay`.
 */
export class AdamW extends Optimizer {
  /** Decay of the first-moment estimate. */
  readonly beta1: number;
  /** Decay of the second-moment estimate. */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly epsilon: number;
  /** Whether the AMSGrad variant is used. */
  readonly amsgrad: boolean;

  constructor(options: AdamWOptions = {}) {
    if ((options as { weightDecay?: unknown }).weightDecay === null) {
      throw new Error('AdamW: weightDecay must be a number >= 0, got null');
    }
    const h = checkAdamOptions('AdamW', options);
    super('AdamW', options, ADAM_OPTION_NAMES, { learningRate: 0.001, name: 'adamw', weightDecay: 0.004 }, adamTransform(h));
    this.beta1 = h.beta1;
    this.beta2 = h.beta2;
    this.epsilon = h.epsilon;
    this.amsgrad = h.amsgrad;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}
