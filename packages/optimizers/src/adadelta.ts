import { add, div, mul, neg, sqrt, square, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { checkNumber } from './validate.js';

export interface AdadeltaOptions extends OptimizerOptions {
  /** Decay of both running averages. */
  rho?: number;
  /** Added inside the square roots for numerical stability (default 1e-7). */
  epsilon?: number;
}

/**
 * `Eg = ρ·Eg + (1−ρ)·g²`; `Δ = −sqrt(Edx + ε)/sqrt(Eg + ε)·g` (with the new `Eg`, unlike TF.js);
 * `Edx = ρ·Edx + (1−ρ)·Δ²`; `w += η·Δ`.
 */
export function adadeltaRule(rho: number, epsilon: number): UpdateRule {
  return {
    initSlots: (w) => ({ accumulatedGrad: zerosLike(w), accumulatedDeltaVar: zerosLike(w) }),
    update(w, g, slots, { learningRate: lr }) {
      const eg = add(mul(slots.accumulatedGrad!, rho), mul(square(g), 1 - rho));
      const delta = neg(mul(div(sqrt(add(slots.accumulatedDeltaVar!, epsilon)), sqrt(add(eg, epsilon))), g));
      slots.accumulatedGrad = eg;
      slots.accumulatedDeltaVar = add(mul(slots.accumulatedDeltaVar!, rho), mul(square(delta), 1 - rho));
      return add(w, mul(delta, lr));
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
    const rho = checkNumber('Adadelta', 'rho', options.rho ?? 0.95, { min: 0, max: 1, maxInclusive: false });
    const epsilon = checkNumber('Adadelta', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
    super('Adadelta', options, ['rho', 'epsilon'], { learningRate: 0.001, name: 'adadelta' }, adadeltaRule(rho, epsilon));
    this.rho = rho;
    this.epsilon = epsilon;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
