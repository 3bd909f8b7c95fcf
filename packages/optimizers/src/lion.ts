import { add, mul, sign, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { ruleTransform } from './transform.js';
import { checkNumber } from './validate.js';

/** Lion's own options (see `scaleByLion`). */
export interface LionRuleOptions {
  /** Interpolation between momentum and gradient for the update direction. */
  beta1?: number;
  /** Decay of the momentum. */
  beta2?: number;
}

/** Options of `new Lion(...)`: those every optimizer takes and Lion's own. */
export interface LionOptions extends OptimizerOptions, LionRuleOptions {}

const LION_RULE = ruleTransform('scaleByLion', ['beta1', 'beta2'], (owner, options: LionRuleOptions) => {
  const beta1 = checkNumber(owner, 'beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxInclusive: false });
  const beta2 = checkNumber(owner, 'beta2', options.beta2 ?? 0.99, { min: 0, max: 1, maxInclusive: false });
  return lionRule(beta1, beta2);
});

/** Keras's Lion update as a transform: uses the optimizer's learning rate. */
export const scaleByLion = LION_RULE.scaleBy;

/** `w −= η·sign(β1·m + (1−β1)·g)`, then `m = β2·m + (1−β2)·g`. */
export function lionRule(beta1: number, beta2: number): UpdateRule {
  return {
    initSlots: (w) => ({ momentum: zerosLike(w) }),
    update(w, g, slots, { learningRate }) {
      const m = slots.momentum!;
      const next = sub(w, mul(sign(add(mul(m, beta1), mul(g, 1 - beta1))), learningRate));
      slots.momentum = add(mul(m, beta2), mul(g, 1 - beta2));
      return next;
    },
  };
}

/** Lion (EvoLved Sign Momentum): every element moves by exactly ±learningRate. Use a smaller rate than Adam's. */
export class Lion extends Optimizer {
  /** Interpolation between momentum and gradient for the update direction. */
  readonly beta1: number;
  /** Decay of the momentum. */
  readonly beta2: number;

  constructor(options: LionOptions = {}) {
    super('Lion', options, LION_RULE.optionNames, { learningRate: 0.001, name: 'lion' }, LION_RULE.make('Lion', options));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.99;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}
