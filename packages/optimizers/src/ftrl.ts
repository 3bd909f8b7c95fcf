import type { Tensor } from '@descent/tensor';
import { add, clipByValue, div, full, mul, pow, sqrt, square, sub, zerosLike } from '@descent/tensor';
import type { OptimizerOptions, UpdateRule } from './optimizer.js';
import { Optimizer } from './optimizer.js';
import type { GradientTransform } from './transform.js';
import { fromUpdateRule } from './transform.js';
import { checkNumber, checkOptionNames } from './validate.js';

/** Ftrl's own options (see `scaleByFtrl`). */
export interface FtrlRuleOptions {
  /** How the per-element rate shrinks with the accumulated squared gradient (≤ 0). */
  learningRatePower?: number;
  /** Starting value of the per-element accumulator of squared gradients (default 0.1; ≥ 0). */
  initialAccumulatorValue?: number;
  /** L1 strength of the proximal step; drives small weights to exactly 0 (default 0). */
  l1RegularizationStrength?: number;
  /** L2 strength of the proximal step (default 0). */
  l2RegularizationStrength?: number;
  /** L2 penalty on the weights applied through the gradient (shrinkage). */
  l2ShrinkageRegularizationStrength?: number;
  /** The β of the FTRL-Proximal paper; adds `beta / (2·learningRate)` to the L2 strength. */
  beta?: number;
}

/** Options of `new Ftrl(...)`: those every optimizer takes and Ftrl's own. */
export interface FtrlOptions extends OptimizerOptions, FtrlRuleOptions {}

const FTRL_OPTION_NAMES = [
  'learningRatePower',
  'initialAccumulatorValue',
  'l1RegularizationStrength',
  'l2RegularizationStrength',
  'l2ShrinkageRegularizationStrength',
  'beta',
] as const;

function checkFtrlOptions(owner: string, options: FtrlRuleOptions): FtrlHyper {
  return {
    learningRatePower: checkNumber(owner, 'learningRatePower', options.learningRatePower ?? -0.5, { max: 0 }),
    initialAccumulatorValue: checkNumber(owner, 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0.1, { min: 0 }),
    l1: checkNumber(owner, 'l1RegularizationStrength', options.l1RegularizationStrength ?? 0, { min: 0 }),
    l2: checkNumber(owner, 'l2RegularizationStrength', options.l2RegularizationStrength ?? 0, { min: 0 }),
    l2Shrinkage: checkNumber(owner, 'l2ShrinkageRegularizationStrength', options.l2ShrinkageRegularizationStrength ?? 0, { min: 0 }),
    beta: checkNumber(owner, 'beta', options.beta ?? 0, { min: 0 }),
  };
}

/** Keras's FTRL-Proximal update as a transform: uses the optimizer's learning rate. */
export function scaleByFtrl(options: FtrlRuleOptions = {}): GradientTransform {
  checkOptionNames('scaleByFtrl', options, FTRL_OPTION_NAMES);
  return fromUpdateRule('scaleByFtrl', ftrlRule(checkFtrlOptions('scaleByFtrl', options)));
}

interface FtrlHyper {
  learningRatePower: number;
  initialAccumulatorValue: number;
  l1: number;
  l2: number;
  l2Shrinkage: number;
  beta: number;
}

/**
 * FTRL-Proximal: `g̃ = g + 2·l2Shrinkage·w`, `n' = n + g²`, `z += g̃ − ((n'^p − n^p)/η)·w`,
 * `w = (clip(z, −l1, l1) − z) / (n'^p/η + 2·(l2 + β/(2η)))` with `p = −learningRatePower`.
 */
export function ftrlRule(h: FtrlHyper): UpdateRule {
  const p = -h.learningRatePower;
  const power = (x: Tensor): Tensor => (p === 0.5 ? sqrt(x) : pow(x, p));
  return {
    initSlots: (w) => ({ accumulator: full(w.shape, h.initialAccumulatorValue), linear: zerosLike(w) }),
    update(w, g, slots, { learningRate }) {
      const l2 = h.l2 + h.beta / (2 * learningRate);
      const gShrunk = h.l2Shrinkage === 0 ? g : add(g, mul(w, 2 * h.l2Shrinkage));
      const n = slots.accumulator!;
      const nNew = add(n, square(g));
      const nNewP = power(nNew);
      const z = add(slots.linear!, sub(gShrunk, mul(div(sub(nNewP, power(n)), learningRate), w)));
      const quadratic = add(div(nNewP, learningRate), 2 * l2);
      slots.linear = z;
      slots.accumulator = nNew;
      return div(sub(clipByValue(z, -h.l1, h.l1), z), quadratic);
    },
  };
}

/** FTRL-Proximal, for wide sparse linear models (large-scale click prediction). */
export class Ftrl extends Optimizer {
  /** How the per-element rate shrinks with the accumulated squared gradient. */
  readonly learningRatePower: number;
  /** Starting value of the accumulator. */
  readonly initialAccumulatorValue: number;
  /** L1 strength of the proximal step. */
  readonly l1RegularizationStrength: number;
  /** L2 strength of the proximal step. */
  readonly l2RegularizationStrength: number;
  /** L2 shrinkage strength applied through the gradient. */
  readonly l2ShrinkageRegularizationStrength: number;
  /** The β of the FTRL-Proximal paper. */
  readonly beta: number;

  constructor(options: FtrlOptions = {}) {
    const h = checkFtrlOptions('Ftrl', options);
    super('Ftrl', options, FTRL_OPTION_NAMES, { learningRate: 0.001, name: 'ftrl' }, fromUpdateRule('scaleByFtrl', ftrlRule(h)));
    this.learningRatePower = h.learningRatePower;
    this.initialAccumulatorValue = h.initialAccumulatorValue;
    this.l1RegularizationStrength = h.l1;
    this.l2RegularizationStrength = h.l2;
    this.l2ShrinkageRegularizationStrength = h.l2Shrinkage;
    this.beta = h.beta;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      learningRatePower: this.learningRatePower,
      initialAccumulatorValue: this.initialAccumulatorValue,
      l1RegularizationStrength: this.l1RegularizationStrength,
      l2RegularizationStrength: this.l2RegularizationStrength,
      l2ShrinkageRegularizationStrength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}
