import type { Tensor } from '@descent/tensor';
import { mul, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import type { GradientTransform } from './transform.js';
import { fromUpdateRule } from './transform.js';
import { checkBoolean, checkNumber, checkOptionNames } from './validate.js';
import { fusedOptimizerStep } from './fused-update.js';

/** SGD's own options (see `scaleBySGD`). */
export interface SGDRuleOptions {
  /** Velocity decay μ in [0, 1]; 0 is plain gradient descent. */
  momentum?: number;
  /** Use Nesterov momentum (default false). */
  nesterov?: boolean;
}

/** Options of `new SGD(...)`: those every optimizer takes and SGD's own. */
export interface SGDOptions extends OptimizerOptions, SGDRuleOptions {}

const SGD_OPTION_NAMES = ['momentum', 'nesterov'] as const;

function checkSGDOptions(owner: string, options: SGDRuleOptions): { momentum: number; nesterov: boolean } {
  return {
    momentum: checkNumber(owner, 'momentum', options.momentum ?? 0, { min: 0, max: 1 }),
    nesterov: checkBoolean(owner, 'nesterov', options.nesterov ?? false),
  };
}

/** SGD's update as a transform (the last step of `new SGD(...)`'s chain): uses the optimizer's learning rate. */
export function scaleBySGD(options: SGDRuleOptions = {}): GradientTransform {
  checkOptionNames('scaleBySGD', options, SGD_OPTION_NAMES);
  const h = checkSGDOptions('scaleBySGD', options);
  return fromUpdateRule('scaleBySGD', sgdRule(h.momentum, h.nesterov));
}

/** Plain `w −= η·g`; with momentum `v = μ·v − η·g, w += v`; Nesterov `w += μ·v − η·g`. */
export function sgdRule(momentum: number, nesterov: boolean): UpdateRule {
  return {
    initSlots: (w) => (momentum > 0 ? { momentum: zerosLike(w) } : {}),
    update(w, g, slots, { learningRate }): Tensor {
      // One pass on backends that fuse it; the ops below are the reference and the fallback.
      const fused = fusedOptimizerStep('sgd', momentum > 0 ? [w, g, slots.momentum!] : [w, g], { learningRate, momentum, nesterov }, { donate: true });
      if (fused !== null) {
        if (momentum > 0) slots.momentum = fused[1]!;
        return fused[0]!;
      }
      if (momentum === 0) return sub(w, mul(g, learningRate));
      const step = mul(g, learningRate);
      const v = sub(mul(slots.momentum!, momentum), step);
      slots.momentum = v;
      return nesterov ? sub(w, sub(step, mul(v, momentum))) : w.add(v);
    },
  };
}

/** Stochastic gradient descent, optionally with (Nesterov) momentum. Keras defaults: learningRate 0.01, momentum 0. */
export class SGD extends Optimizer {
  /** Velocity decay μ (0: plain gradient descent). */
  readonly momentum: number;
  /** Whether Nesterov momentum is used. */
  readonly nesterov: boolean;

  constructor(options: SGDOptions = {}) {
    const { momentum, nesterov } = checkSGDOptions('SGD', options);
    super('SGD', options, SGD_OPTION_NAMES, { learningRate: 0.01, name: 'SGD' }, fromUpdateRule('scaleBySGD', sgdRule(momentum, nesterov)));
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
