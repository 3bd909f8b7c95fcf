import type { Tensor, TensorLike } from '@descent/tensor';
import { add, clipByValue, div, log, mean, mul, sub, sum } from '@descent/tensor';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { EPSILON, matchShapes } from './shapes.js';

/** Σ y·log(y / p) over the last axis, both clipped to [ε, 1] so zeros give 0 instead of NaN. */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = matchShapes('kullbackLeiblerDivergence', yTrue, yPred);
  const t = clipByValue(t0, EPSILON, 1);
  const p = clipByValue(p0, EPSILON, 1);
  return sum(mul(t, log(div(t, p))), -1);
}

/** mean(p − y·log(p + ε)) over the last axis: the negative log-likelihood of counts y under rate p (up to a constant). */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('poisson', yTrue, yPred);
  return mean(sub(p, mul(t, log(add(p, EPSILON)))), -1);
}

/** Named 'kullback_leibler_divergence' (the spelling both Keras and TF.js resolve in a training config). */
export class KLDivergence extends Loss {
  constructor(args: LossArgs = {}) {
    super('kullback_leibler_divergence', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return kullbackLeiblerDivergence(yTrue, yPred);
  }
}

export class Poisson extends Loss {
  constructor(args: LossArgs = {}) {
    super('poisson', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return poisson(yTrue, yPred);
  }
}
