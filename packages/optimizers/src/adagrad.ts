import { add, div, full, fusedOptimizerStep, mul, sqrt, square, sub } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { checkNumber } from './validate.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the per-element sum of squared gradients. */
  initialAccumulatorValue?: number;
  /** Added inside the square root for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** `acc += g²; w −= η·g / sqrt(acc + ε)` (ε inside the root, as Keras and TF.js do). */
export function adagradRule(initialAccumulatorValue: number, epsilon: number): UpdateRule {
  return {
    initSlots: (w) => ({ accumulator: full(w.shape, initialAccumulatorValue) }),
    update(w, g, slots, { learningRate: lr }) {
      // One pass on backends that fuse it; the ops below are the reference and the fallback.
      const fused = fusedOptimizerStep('adagrad', [w, g, slots.accumulator!], { learningRate: lr, epsilon });
      if (fused !== null) {
        slots.accumulator = fused[1]!;
        return fused[0]!;
      }
      const acc = add(slots.accumulator!, square(g));
      slots.accumulator = acc;
      return sub(w, div(mul(g, lr), sqrt(add(acc, epsilon))));
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
    const init = checkNumber('Adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0.1, { min: 0 });
    const epsilon = checkNumber('Adagrad', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
    super('Adagrad', options, ['initialAccumulatorValue', 'epsilon'], { learningRate: 0.001, name: 'adagrad' }, adagradRule(init, epsilon));
    this.initialAccumulatorValue = init;
    this.epsilon = epsilon;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
