import type { Tensor } from '@descent/tensor';
import { add, div, maximum, mul, sqrt, square, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import type { GradientTransform } from './transform.js';
import { fromUpdateRule } from './transform.js';
import { checkBoolean, checkNumber, checkOptionNames } from './validate.js';
import { fusedOptimizerStep } from './fused-update.js';

/** Adam's own options (see `scaleByAdam`). */
export interface AdamRuleOptions {
  /** Decay of the first-moment (mean) estimate (default 0.9; in [0, 1)). */
  beta1?: number;
  /** Decay of the second-moment estimate (default 0.999; in [0, 1)). */
  beta2?: number;
  /** Added to the denominator for numerical stability (default 1e-7). */
  epsilon?: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad?: boolean;
}

/** Options of `new Adam(...)`: those every optimizer takes and Adam's own. */
export interface AdamOptions extends OptimizerOptions, AdamRuleOptions {}

export const ADAM_OPTION_NAMES = ['beta1', 'beta2', 'epsilon', 'amsgrad'] as const;

/**
 * Keras's Adam: `α = η·sqrt(1−β2^t)/(1−β1^t)`, `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`,
 * `w −= α·m/(sqrt(v) + ε)` (ε outside the bias correction; equal to TF.js/PyTorch when ε = 0).
 */
export function adamRule(beta1: number, beta2: number, epsilon: number, amsgrad: boolean): UpdateRule {
  return {
    initSlots(w) {
      const slots: Record<string, Tensor> = { momentum: zerosLike(w), velocity: zerosLike(w) };
      if (amsgrad) slots.velocityHat = zerosLike(w);
      return slots;
    },
    update(w, g, slots, { learningRate, step: t }) {
      // The bias-corrected step size: what the fused kernel takes as `alpha`.
      const alpha = (learningRate * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
      if (!amsgrad) {
        // One pass on backends that fuse it (12 element-wise kernels otherwise); the op path below is the reference.
        const fused = fusedOptimizerStep('adam', [w, g, slots.momentum!, slots.velocity!], { beta1, beta2, epsilon, alpha }, { donate: true });
        if (fused !== null) {
          slots.momentum = fused[1]!;
          slots.velocity = fused[2]!;
          return fused[0]!;
        }
      }
      const m = add(slots.momentum!, mul(sub(g, slots.momentum!), 1 - beta1));
      let v = add(slots.velocity!, mul(sub(square(g), slots.velocity!), 1 - beta2));
      slots.momentum = m;
      slots.velocity = v;
      if (amsgrad) {
        v = maximum(slots.velocityHat!, v);
        slots.velocityHat = v;
      }
      return sub(w, div(mul(m, alpha), add(sqrt(v), epsilon)));
    },
  };
}

export interface AdamHyper {
  beta1: number;
  beta2: number;
  epsilon: number;
  amsgrad: boolean;
}

/** `beta1` (default 0.9), `beta2` (0.999) in [0, 1) and `epsilon` (1e-7) ≥ 0, as Adam, Adamax and Nadam take them. */
export function checkMoments(owner: string, options: { beta1?: number; beta2?: number; epsilon?: number }): Omit<AdamHyper, 'amsgrad'> {
  return {
    beta1: checkNumber(owner, 'beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxInclusive: false }),
    beta2: checkNumber(owner, 'beta2', options.beta2 ?? 0.999, { min: 0, max: 1, maxInclusive: false }),
    epsilon: checkNumber(owner, 'epsilon', options.epsilon ?? 1e-7, { min: 0 }),
  };
}

export function checkAdamOptions(owner: string, options: AdamRuleOptions): AdamHyper {
  return { ...checkMoments(owner, options), amsgrad: checkBoolean(owner, 'amsgrad', options.amsgrad ?? false) };
}

/** Adam's update as a transform (`scaleByAdam` is the rule `Adam` and `AdamW` chain): uses the optimizer's learning rate. */
export function adamTransform(h: AdamHyper): GradientTransform {
  return fromUpdateRule('scaleByAdam', adamRule(h.beta1, h.beta2, h.epsilon, h.amsgrad));
}

/** Keras's Adam update (`beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false`) as a transform. */
export function scaleByAdam(options: AdamRuleOptions = {}): GradientTransform {
  checkOptionNames('scaleByAdam', options, ADAM_OPTION_NAMES);
  return adamTransform(checkAdamOptions('scaleByAdam', options));
}

/** Adam: adaptive moment estimation, optionally AMSGrad. */
export class Adam extends Optimizer {
  /** Decay of the first-moment estimate. */
  readonly beta1: number;
  /** Decay of the second-moment estimate. */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly epsilon: number;
  /** Whether the AMSGrad variant is used. */
  readonly amsgrad: boolean;

  constructor(options: AdamOptions = {}) {
    const h = checkAdamOptions('Adam', options);
    super('Adam', options, ADAM_OPTION_NAMES, { learningRate: 0.001, name: 'adam' }, adamTransform(h));
    this.beta1 = h.beta1;
    this.beta2 = h.beta2;
    this.epsilon = h.epsilon;
    this.amsgrad = h.amsgrad;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}
