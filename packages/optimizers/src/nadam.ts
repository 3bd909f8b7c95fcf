import { add, div, mul, sqrt, square, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { ruleTransform } from './transform.js';
import { checkMoments } from './adam.js';

/** Nadam's own options (see `scaleByNadam`). */
export interface NadamRuleOptions {
  /** Decay of the first-moment estimate (default 0.9; in [0, 1)). */
  beta1?: number;
  /** Decay of the second-moment estimate (default 0.999; in [0, 1)). */
  beta2?: number;
  /** Added to the denominator for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** Options of `new Nadam(...)`: those every optimizer takes and Nadam's own. */
export interface NadamOptions extends OptimizerOptions, NadamRuleOptions {}

const NADAM_RULE = ruleTransform('scaleByNadam', ['beta1', 'beta2', 'epsilon'], (owner, options: NadamRuleOptions) => {
  const { beta1, beta2, epsilon } = checkMoments(owner, options);
  return nadamRule(beta1, beta2, epsilon);
});

/** Keras's Nadam update as a transform: uses the optimizer's learning rate. */
export const scaleByNadam = NADAM_RULE.scaleBy;

/**
 * Keras's Nadam (Dozat 2016 with the 0.96 momentum schedule): once per step
 * `μt = β1·(1 − 0.5·0.96^t)`, `uProduct *= μt`; per variable
 * `m̂ = μt1·m/(1 − uProduct·μt1) + (1−μt)·g/(1 − uProduct)`, `v̂ = v/(1−β2^t)`, `w −= η·m̂/(sqrt(v̂) + ε)`.
 */
export function nadamRule(beta1: number, beta2: number, epsilon: number): UpdateRule {
  const mu = (t: number): number => beta1 * (1 - 0.5 * Math.pow(0.96, t));
  return {
    initSlots: (w) => ({ momentum: zerosLike(w), velocity: zerosLike(w) }),
    // Keras keeps the product in a float32 variable; rounding it the same way keeps saved state exact.
    initGlobals: () => ({ uProduct: 1 }),
    beginStep({ step: t, globals }) {
      globals.uProduct = Math.fround(globals.uProduct! * mu(t));
    },
    update(w, g, slots, { learningRate, step: t, globals }) {
      const ut = mu(t);
      const ut1 = mu(t + 1);
      const uProduct = globals.uProduct!;
      const m = add(slots.momentum!, mul(sub(g, slots.momentum!), 1 - beta1));
      const v = add(slots.velocity!, mul(sub(square(g), slots.velocity!), 1 - beta2));
      slots.momentum = m;
      slots.velocity = v;
      const mHat = add(mul(m, ut1 / (1 - uProduct * ut1)), mul(g, (1 - ut) / (1 - uProduct)));
      const vHat = div(v, 1 - Math.pow(beta2, t));
      return sub(w, div(mul(mHat, learningRate), add(sqrt(vHat), epsilon)));
    },
  };
}

/** Nadam: Adam with Nesterov momentum. */
export class Nadam extends Optimizer {
  /** Decay of the first-moment estimate. */
  readonly beta1: number;
  /** Decay of the second-moment estimate. */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly epsilon: number;

  constructor(options: NadamOptions = {}) {
    super('Nadam', options, NADAM_RULE.optionNames, { learningRate: 0.001, name: 'nadam' }, NADAM_RULE.make('Nadam', options));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
