import { add, div, full, mul, sqrt, square, sub } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import type { GradientTransform } from './transform.js';
import { fromUpdateRule } from './transform.js';
import { checkNumber, checkOptionNames } from './validate.js';
import { fusedOptimizerStep } from './fused-update.js';

/** Adagrad's own options (see `scaleByAdagrad`). */
export interface AdagradRuleOptions {
  /** Starting value of the per-element sum of squared gradients. */
  initialAccumulatorValue?: number;
  /** Added inside the square root for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** Options of `new Adagrad(...)`: those every optimizer takes and Adagrad's own. */
export interface AdagradOptions extends OptimizerOptions, AdagradRuleOptions {}

const ADAGRAD_OPTION_NAMES = ['initialAccumulatorValue', 'epsilon'] as const;

function checkAdagradOptions(owner: string, options: AdagradRuleOptions): { init: number; epsilon: number } {
  return {
    init: checkNumber(owner, 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0.1, { min: 0 }),
    epsilon: checkNumber(owner, 'epsilon', options.epsilon ?? 1e-7, { min: 0 }),
  };
}

/** Keras's Adagrad update (`initialAccumulatorValue 0.1, epsilon 1e-7`) as a transform. */
export function scaleByAdagrad(options: AdagradRuleOptions = {}): GradientTransform {
  checkOptionNames('scaleByAdagrad', options, ADAGRAD_OPTION_NAMES);
  const h = checkAdagradOptions('scaleByAdagrad', options);
  return fromUpdateRule('scaleByAdagrad', adagradRule(h.init, h.epsilon));
}

/** `acc += g²; w −= η·g / sqrt(acc + ε)` (ε inside the root, as Keras and TF.js do). */
export function adagradRule(initialAccumulatorValue: number, epsilon: number): UpdateRule {
  return {
    initSlots: (w) => ({ accumulator: full(w.shape, initialAccumulatorValue) }),
    update(w, g, slots, { learningRate }) {
      // One pass on backends that fuse it; the ops below are the reference and the fallback.
      const fused = fusedOptimizerStep('adagrad', [w, g, slots.accumulator!], { learningRate, epsilon }, { donate: true });
      if (fused !== null) {
        slots.accumulator = fused[1]!;
        return fused[0]!;
      }
      const acc = add(slots.accumulator!, square(g));
      slots.accumulator = acc;
      return sub(w, div(mul(g, learningRate), sqrt(add(acc, epsilon))));
    },
  };
}

/** Adagrad: per-element learning rates shrinking with the sum of past squared gradients. */
export class Adagrad extends Optimizer {
  /** Starting value of the sum of squared gradients. */
  readonly initialAccumulatorValue: number;
  /** Added inside the square root for numerical stability. */
  readonly epsilon: number;

  constructor(options: AdagradOptions = {}) {
    const { init, epsilon } = checkAdagradOptions('Adagrad', options);
    super('Adagrad', options, ADAGRAD_OPTION_NAMES, { learningRate: 0.001, name: 'adagrad' }, fromUpdateRule('scaleByAdagrad', adagradRule(init, epsilon)));
    this.initialAccumulatorValue = init;
    this.epsilon = epsilon;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
