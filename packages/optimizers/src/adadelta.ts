import { add, div, mul, neg, sqrt, square, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { ruleTransform } from './transform.js';
import { checkNumber } from './validate.js';

/** Adadelta's own options (see `scaleByAdadelta`). */
export interface AdadeltaRuleOptions {
  /** Decay of both running averages. */
  rho?: number;
  /** Added inside the square roots for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** Options of `new Adadelta(...)`: those every optimizer takes and Adadelta's own. */
export interface AdadeltaOptions extends OptimizerOptions, AdadeltaRuleOptions {}

const ADADELTA_RULE = ruleTransform('scaleByAdadelta', ['rho', 'epsilon'], (owner, options: AdadeltaRuleOptions) => {
  const rho = checkNumber(owner, 'rho', options.rho ?? 0.95, { min: 0, max: 1, maxInclusive: false });
  const epsilon = checkNumber(owner, 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  return adadeltaRule(rho, epsilon);
});

/** Keras's Adadelta update as a transform: uses the optimizer's learning rate. */
export const scaleByAdadelta = ADADELTA_RULE.scaleBy;

/**
 * `Eg = ρ·Eg + (1−ρ)·g²`; `Δ = −sqrt(Edx + ε)/sqrt(Eg + ε)·g` (with the new `Eg`, unlike TF.js);
 * `Edx = ρ·Edx + (1−ρ)·Δ²`; `w += η·Δ`.
 */
export function adadeltaRule(rho: number, epsilon: number): UpdateRule {
  return {
    initSlots: (w) => ({ accumulatedGrad: zerosLike(w), accumulatedDeltaVar: zerosLike(w) }),
    update(w, g, slots, { learningRate }) {
      const eg = add(mul(slots.accumulatedGrad!, rho), mul(square(g), 1 - rho));
      const delta = neg(mul(div(sqrt(add(slots.accumulatedDeltaVar!, epsilon)), sqrt(add(eg, epsilon))), g));
      slots.accumulatedGrad = eg;
      slots.accumulatedDeltaVar = add(mul(slots.accumulatedDeltaVar!, rho), mul(square(delta), 1 - rho));
      return add(w, mul(delta, learningRate));
    },
  };
}

/** Adadelta: step sizes from the ratio of running RMS of updates to running RMS of gradients. */
export class Adadelta extends Optimizer {
  /** Decay of both running averages. */
  readonly rho: number;
  /** Added inside the square roots for numerical stability. */
  readonly epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    super('Adadelta', options, ADADELTA_RULE.optionNames, { learningRate: 0.001, name: 'adadelta' }, ADADELTA_RULE.make('Adadelta', options));
    this.rho = options.rho ?? 0.95;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
