import type { Tensor, TensorLike } from '@descent/tensor';
import { add, max, mean, mul, relu, square, sub, sum } from '@descent/tensor';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { matchShapes } from './shapes.js';

/** Labels given as 0/1 become −1/+1 (Keras does the same); labels already ±1 pass through. */
function signedLabels(t: Tensor): Tensor {
  const v = t.dataSync();
  for (let i = 0; i < v.length; i++) if (v[i] !== 0 && v[i] !== 1) return t;
  return sub(mul(t, 2), 1);
}

/** mean(max(1 − y·p, 0)) over the last axis, with labels −1/+1 (or 0/1). */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('hinge', yTrue, yPred);
  return mean(relu(sub(1, mul(signedLabels(t), p))), -1);
}

/** mean(max(1 − y·p, 0)²) over the last axis. */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('squaredHinge', yTrue, yPred);
  return mean(square(relu(sub(1, mul(signedLabels(t), p)))), -1);
}

/** max(0, 1 + max((1 − y)·p) − Σ y·p) for one-hot y: the best wrong score must trail the right one by 1. */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('categoricalHinge', yTrue, yPred);
  const pos = sum(mul(t, p), -1);
  const neg = max(mul(sub(1, t), p), -1);
  return relu(add(sub(neg, pos), 1));
}

export class Hinge extends Loss {
  constructor(args: LossArgs = {}) {
    super('hinge', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return hinge(yTrue, yPred);
  }
}

export class SquaredHinge extends Loss {
  constructor(args: LossArgs = {}) {
    super('squared_hinge', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return squaredHinge(yTrue, yPred);
  }
}

export class CategoricalHinge extends Loss {
  constructor(args: LossArgs = {}) {
    super('categorical_hinge', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalHinge(yTrue, yPred);
  }
}
