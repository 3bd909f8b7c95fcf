import { add, mul, sign, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { checkNumber } from './validate.js';

export interface LionOptions extends OptimizerOptions {
  /** Interpolation between momentum and gradient for the update direction. */
  beta1?: number;
  /** Decay of the momentum. */
  beta2?: number;
}

/** `w −= η·sign(β1·m + (1−β1)·g)`, then `m = β2·m + (1−β2)·g`. */
export function lionRule(beta1: number, beta2: number): UpdateRule {
  return {
    initSlots: (w) => ({ momentum: zerosLike(w) }),
    update(w, g, slots, { learningRate: lr }) {
      const m = slots.momentum!;
      const next = sub(w, mul(sign(add(mul(m, beta1), mul(g, 1 - beta1))), lr));
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
    const beta1 = checkNumber('Lion', 'beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxInclusive: false });
    const beta2 = checkNumber('Lion', 'beta2', options.beta2 ?? 0.99, { min: 0, max: 1, maxInclusive: false });
    super('Lion', options, ['beta1', 'beta2'], { learningRate: 0.001, name: 'lion' }, lionRule(beta1, beta2));
    this.beta1 = beta1;
    this.beta2 = beta2;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}
