import type { Tensor } from '@descent/tensor';
import { add, div, expandDims, maximum, mean, mul, sqrt, square, sub, zeros, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import type { GradientTransform } from './transform.js';
import { fromUpdateRule } from './transform.js';
import { checkBoolean, checkNumber, checkOptionNames } from './validate.js';

/** Adafactor's own options (see `scaleByAdafactor`). */
export interface AdafactorRuleOptions {
  /** The second-moment decay is `1 − t^beta2Decay`. */
  beta2Decay?: number;
  /** Added to squared gradients, keeping the denominator away from 0. */
  epsilon1?: number;
  /** Floor of the weights' RMS used to scale the step. */
  epsilon2?: number;
  /** Updates whose RMS exceeds this are scaled down to it (independent of `clipnorm`). */
  clipThreshold?: number;
  /** With a constant learning rate, cap it at `1/sqrt(t)`. */
  relativeStep?: boolean;
}

/** Options of `new Adafactor(...)`: those every optimizer takes and Adafactor's own. */
export interface AdafactorOptions extends OptimizerOptions, AdafactorRuleOptions {}

const ADAFACTOR_OPTION_NAMES = ['beta2Decay', 'epsilon1', 'epsilon2', 'clipThreshold', 'relativeStep'] as const;

function checkAdafactorOptions(owner: string, options: AdafactorRuleOptions): AdafactorHyper {
  return {
    beta2Decay: checkNumber(owner, 'beta2Decay', options.beta2Decay ?? -0.8, { max: 0 }),
    epsilon1: checkNumber(owner, 'epsilon1', options.epsilon1 ?? 1e-30, { min: 0 }),
    epsilon2: checkNumber(owner, 'epsilon2', options.epsilon2 ?? 1e-3, { min: 0 }),
    clipThreshold: checkNumber(owner, 'clipThreshold', options.clipThreshold ?? 1, { min: 0, minInclusive: false }),
    relativeStep: checkBoolean(owner, 'relativeStep', options.relativeStep ?? true),
  };
}

/** Keras's Adafactor update as a transform: uses the optimizer's learning rate. */
export function scaleByAdafactor(options: AdafactorRuleOptions = {}): GradientTransform {
  checkOptionNames('scaleByAdafactor', options, ADAFACTOR_OPTION_NAMES);
  return fromUpdateRule('scaleByAdafactor', adafactorRule(checkAdafactorOptions('scaleByAdafactor', options)));
}

interface AdafactorHyper {
  beta2Decay: number;
  epsilon1: number;
  epsilon2: number;
  clipThreshold: number;
  relativeStep: boolean;
}

const rms = (x: Tensor): Tensor => sqrt(mean(square(x)));

/**
 * Adafactor as Keras 3 computes it: for rank ≥ 2 the second moment is factored over the last two
 * axes into row means `r` and column means `c`, so the state is O(rows + cols) instead of
 * O(rows · cols) (plus the reconstructed `v` Keras also keeps); the step is
 * `max(ε2, rms(w)) · min(η, 1/sqrt(t))` times the update clipped to RMS `clipThreshold`.
 */
export function adafactorRule(h: AdafactorHyper): UpdateRule {
  return {
    initSlots(w) {
      if (w.rank < 2) return { v: zerosLike(w) };
      return { r: zeros(w.shape.slice(0, -1)), c: zeros([...w.shape.slice(0, -2), w.shape[w.rank - 1]!]), v: zerosLike(w) };
    },
    update(w, g, slots, { learningRate, step: t, constantLearningRate }) {
      const cap = 1 / Math.sqrt(t);
      const lr = constantLearningRate && h.relativeStep ? Math.min(learningRate, cap) : learningRate;
      const rho = Math.min(lr, cap);
      const alpha = mul(maximum(rms(w), h.epsilon2), rho);
      const g2 = add(square(g), h.epsilon1);
      const b = 1 - Math.pow(t, h.beta2Decay);
      let v: Tensor;
      if (w.rank >= 2) {
        const r = add(mul(slots.r!, b), mul(mean(g2, -1), 1 - b));
        const c = add(mul(slots.c!, b), mul(mean(g2, -2), 1 - b));
        slots.r = r;
        slots.c = c;
        v = mul(expandDims(div(r, mean(r, -1, true)), -1), expandDims(c, -2));
      } else {
        v = add(mul(slots.v!, b), mul(g2, 1 - b));
      }
      slots.v = v;
      const u = div(g, sqrt(v));
      const uHat = div(u, maximum(div(rms(u), h.clipThreshold), 1));
      return sub(w, mul(uHat, alpha));
    },
  };
}

/** Adafactor: Adam-like steps with factored second moments, for large matrices. */
export class Adafactor extends Optimizer {
  /** Exponent of the second-moment decay `1 − t^beta2Decay`. */
  readonly beta2Decay: number;
  /** Added to squared gradients. */
  readonly epsilon1: number;
  /** Floor of the weights' RMS used to scale the step. */
  readonly epsilon2: number;
  /** RMS above which updates are scaled down. */
  readonly clipThreshold: number;
  /** Whether a constant learning rate is capped at `1/sqrt(t)`. */
  readonly relativeStep: boolean;

  constructor(options: AdafactorOptions = {}) {
    const h = checkAdafactorOptions('Adafactor', options);
    super('Adafactor', options, ADAFACTOR_OPTION_NAMES, { learningRate: 0.001, name: 'adafactor' }, fromUpdateRule('scaleByAdafactor', adafactorRule(h)));
    this.beta2Decay = h.beta2Decay;
    this.epsilon1 = h.epsilon1;
    this.epsilon2 = h.epsilon2;
    this.clipThreshold = h.clipThreshold;
    this.relativeStep = h.relativeStep;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      beta2Decay: this.beta2Decay,
      epsilon1: this.epsilon1,
      epsilon2: this.epsilon2,
      clipThreshold: this.clipThreshold,
      relativeStep: this.relativeStep,
    };
  }
}
