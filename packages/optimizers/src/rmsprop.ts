import type { Tensor } from '@descent/tensor';
import { add, div, mul, sqrt, square, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import { ruleTransform } from './transform.js';
import { checkBoolean, checkNumber } from './validate.js';
import { fusedOptimizerStep } from './fused-update.js';

/** RMSprop's own options (see `scaleByRMSprop`). */
export interface RMSpropRuleOptions {
  /** Decay of the moving average of squared gradients. */
  rho?: number;
  /** Momentum applied to the scaled updates (default 0; in [0, 1]). */
  momentum?: number;
  /** Added to the denominator for numerical stability (default 1e-7). */
  epsilon?: number;
  /** Divide by the estimated variance (mean square minus squared mean) instead of the mean square. */
  centered?: boolean;
}

/** Options of `new RMSprop(...)`: those every optimizer takes and RMSprop's own. */
export interface RMSpropOptions extends OptimizerOptions, RMSpropRuleOptions {}

const RMSPROP_RULE = ruleTransform('scaleByRMSprop', ['rho', 'momentum', 'epsilon', 'centered'], (owner, options: RMSpropRuleOptions) => {
  const rho = checkNumber(owner, 'rho', options.rho ?? 0.9, { min: 0, max: 1, maxInclusive: false });
  const momentum = checkNumber(owner, 'momentum', options.momentum ?? 0, { min: 0, max: 1 });
  const epsilon = checkNumber(owner, 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  const centered = checkBoolean(owner, 'centered', options.centered ?? false);
  return rmspropRule(rho, momentum, epsilon, centered);
});

/** Keras's RMSprop update (`rho 0.9, momentum 0, epsilon 1e-7, centered false`) as a transform. */
export const scaleByRMSprop = RMSPROP_RULE.scaleBy;

/**
 * `v = ρ·v + (1−ρ)·g²`; centered: `ḡ = ρ·ḡ + (1−ρ)·g`, `den = v − ḡ² + ε`, else `den = v + ε`;
 * `inc = η·g / sqrt(den)`; with momentum `m = μ·m + inc, w −= m`, else `w −= inc`.
 */
export function rmspropRule(rho: number, momentum: number, epsilon: number, centered: boolean): UpdateRule {
  return {
    initSlots(w) {
      const slots: Record<string, Tensor> = { velocity: zerosLike(w) };
      if (momentum > 0) slots.momentum = zerosLike(w);
      if (centered) slots.averageGradient = zerosLike(w);
      return slots;
    },
    update(w, g, slots, { learningRate }) {
      // One pass on backends that fuse it; the ops below are the reference and the fallback.
      const inputs = [w, g, slots.velocity!];
      if (momentum > 0) inputs.push(slots.momentum!);
      if (centered) inputs.push(slots.averageGradient!);
      const fused = fusedOptimizerStep('rmsprop', inputs, { learningRate, rho, momentum, epsilon, centered }, { donate: true });
      if (fused !== null) {
        let k = 1;
        slots.velocity = fused[k++]!;
        if (momentum > 0) slots.momentum = fused[k++]!;
        if (centered) slots.averageGradient = fused[k]!;
        return fused[0]!;
      }
      const v = add(mul(slots.velocity!, rho), mul(square(g), 1 - rho));
      slots.velocity = v;
      let den: Tensor;
      if (centered) {
        const avg = add(mul(slots.averageGradient!, rho), mul(g, 1 - rho));
        slots.averageGradient = avg;
        den = add(sub(v, square(avg)), epsilon);
      } else {
        den = add(v, epsilon);
      }
      const inc = div(mul(g, learningRate), sqrt(den));
      if (momentum === 0) return sub(w, inc);
      const m = add(mul(slots.momentum!, momentum), inc);
      slots.momentum = m;
      return sub(w, m);
    },
  };
}

/** RMSprop: divide the gradient by a running root mean square of recent gradients. */
export class RMSprop extends Optimizer {
  /** Decay of the moving average of squared gradients. */
  readonly rho: number;
  /** Momentum applied to the scaled updates. */
  readonly momentum: number;
  /** Added to the denominator for numerical stability. */
  readonly epsilon: number;
  /** Whether gradients are divided by the estimated variance instead of the mean square. */
  readonly centered: boolean;

  constructor(options: RMSpropOptions = {}) {
    super('RMSprop', options, RMSPROP_RULE.optionNames, { learningRate: 0.001, name: 'rmsprop' }, RMSPROP_RULE.make('RMSprop', options));
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
