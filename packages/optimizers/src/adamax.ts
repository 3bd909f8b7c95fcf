import { abs, add, div, maximum, mul, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { ruleTransform } from './transform.js';
import { checkMoments } from './adam.js';

/** Adamax's own options (see `scaleByAdamax`). */
export interface AdamaxRuleOptions {
  /** Decay of the first-moment estimate (default 0.9; in [0, 1)). */
  beta1?: number;
  /** Decay of the exponentially weighted infinity norm (default 0.999; in [0, 1)). */
  beta2?: number;
  /** Added to the denominator for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** Options of `new Adamax(...)`: those every optimizer takes and Adamax's own. */
export interface AdamaxOptions extends OptimizerOptions, AdamaxRuleOptions {}

const ADAMAX_RULE = ruleTransform('scaleByAdamax', ['beta1', 'beta2', 'epsilon'], (owner, options: AdamaxRuleOptions) => {
  const { beta1, beta2, epsilon } = checkMoments(owner, options);
  return adamaxRule(beta1, beta2, epsilon);
});

/** Keras's Adamax update as a transform: uses the optimizer's learning rate. */
export const scaleByAdamax = ADAMAX_RULE.scaleBy;

/** `m = β1·m + (1−β1)·g`; `u = max(β2·u, |g|)`; `w −= η·m / ((1−β1^t)·(u + ε))`. */
export function adamaxRule(beta1: number, beta2: number, epsilon: number): UpdateRule {
  return {
    initSlots: (w) => ({ m: zerosLike(w), u: zerosLike(w) }),
    update(w, g, slots, { learningRate, step: t }) {
      const m = add(mul(slots.m!, beta1), mul(g, 1 - beta1));
      const u = maximum(mul(slots.u!, beta2), abs(g));
      slots.m = m;
      slots.u = u;
      return sub(w, div(mul(m, learningRate / (1 - Math.pow(beta1, t))), add(u, epsilon)));
    },
  };
}

/** Adamax: Adam with the infinity norm in place of the second moment. */
export class Adamax extends Optimizer {
  /** Decay of the first-moment estimate. */
  readonly beta1: number;
  /** Decay of the infinity-norm estimate. */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly epsilon: number;

  constructor(options: AdamaxOptions = {}) {
    super('Adamax', options, ADAMAX_RULE.optionNames, { learningRate: 0.001, name: 'adamax' }, ADAMAX_RULE.make('Adamax', options));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
