import type { Tensor } from '@descent/tensor';
import { fusedOptimizerStep, mul, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { checkBoolean, checkNumber } from './validate.js';

export interface SGDOptions extends OptimizerOptions {
  /** Velocity decay μ in [0, 1]; 0 is plain gradient descent. */
  momentum?: number;
  /** Use Nesterov momentum (default false). */
  nesterov?: boolean;
}

/** Plain `w −= η·g`; with momentum `v = μ·v − η·g, w += v`; Nesterov `w += μ·v − η·g`. */
export function sgdRule(momentum: number, nesterov: boolean): UpdateRule {
  return {
    initSlots: (w) => (momentum > 0 ? { momentum: zerosLike(w) } : {}),
    update(w, g, slots, { learningRate: lr }): Tensor {
      // One pass on backends that fuse it; the ops below are the reference and the fallback.
      const fused = fusedOptimizerStep('sgd', momentum > 0 ? [w, g, slots.momentum!] : [w, g], { learningRate: lr, momentum, nesterov });
      if (fused !== null) {
        if (momentum > 0) slots.momentum = fused[1]!;
        return fused[0]!;
      }
      if (momentum === 0) return sub(w, mul(g, lr));
      const step = mul(g, lr);
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
    const momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0, { min: 0, max: 1 });
    const nesterov = checkBoolean('SGD', 'nesterov', options.nesterov ?? false);
    super('SGD', options, ['momentum', 'nesterov'], { learningRate: 0.01, name: 'SGD' }, sgdRule(momentum, nesterov));
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
