import type { Tensor, TensorLike } from '@descent/tensor';
import {
  abs,
  add,
  div,
  formatShape,
  log1p,
  maximum,
  mean,
  minimum,
  mul,
  neg,
  normalizeAxis,
  rsqrt,
  softplus,
  square,
  shapesEqual,
  squaredDifference,
  sub,
  sum,
} from '@descent/tensor';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { EPSILON, matchShapes, toFloat } from './shapes.js';

/** mean((yPred − yTrue)²) over the last axis. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('meanSquaredError', yTrue, yPred);
  return mean(squaredDifference(p, t), -1);
}

/** mean(|yPred − yTrue|) over the last axis. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('meanAbsoluteError', yTrue, yPred);
  return mean(abs(sub(p, t)), -1);
}

/** 100 · mean(|yTrue − yPred| / max(|yTrue|, ε)) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('meanAbsolutePercentageError', yTrue, yPred);
  return mul(mean(div(abs(sub(t, p)), maximum(abs(t), EPSILON)), -1), 100);
}

/** mean((log(1 + max(yPred, ε)) − log(1 + max(yTrue, ε)))²) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('meanSquaredLogarithmicError', yTrue, yPred);
  return mean(squaredDifference(log1p(maximum(p, EPSILON)), log1p(maximum(t, EPSILON))), -1);
}

/** Options of `Huber`. */
export interface HuberOptions {
  /** Error size where the loss turns from quadratic to linear (default 1; must be > 0). */
  delta?: number;
}

function checkDelta(op: string, delta: unknown): number {
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) {
    throw new Error(`${op}: delta must be a finite number > 0, got ${String(delta)}`);
  }
  return delta;
}

/**
 * ½e² where |e| ≤ delta, delta·(|e| − ½delta) beyond, averaged over the last axis. Written as
 * ½q² + delta·(|e| − q) with q = min(|e|, delta), which is the same piecewise function without a branch.
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, options: HuberOptions = {}): Tensor {
  const delta = checkDelta('huber', options.delta ?? 1);
  const [t, p] = matchShapes('huber', yTrue, yPred);
  const absErr = abs(sub(p, t));
  const q = minimum(absErr, delta);
  return mean(add(mul(square(q), 0.5), mul(sub(absErr, q), delta)), -1);
}

/** mean(log(cosh(yPred − yTrue))) over the last axis, as x + softplus(−2x) − log 2 so large errors do not overflow. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = matchShapes('logCosh', yTrue, yPred);
  const x = sub(p, t);
  return mean(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
}

/** Options of `CosineSimilarity`. */
export interface CosineSimilarityOptions {
  /** Axis along which the similarity is computed (default −1). */
  axis?: number;
}

/**
 * Minus the cosine similarity along `axis` (default −1), as in Keras: minimizing it aligns the
 * vectors, and the loss lies in [−1, 1] (−1 = same direction).
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, options: CosineSimilarityOptions = {}): Tensor {
  const op = 'cosineSimilarity';
  const t = toFloat(yTrue, op, 'yTrue');
  const p = toFloat(yPred, op, 'yPred');
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${op}: yTrue and yPred must have the same shape, got yTrue ${formatShape(t.shape)} and yPred ${formatShape(p.shape)}`);
  }
  const axis = normalizeAxis(op, options.axis ?? -1, p.rank);
  return neg(sum(mul(l2Normalize(t, axis), l2Normalize(p, axis)), axis));
}

/** x / sqrt(max(Σx², 1e-12)) along `axis`: an all-zero vector stays zero instead of NaN. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  return mul(x, rsqrt(maximum(sum(square(x), axis, true), 1e-12)));
}

export class MeanSquaredError extends Loss {
  constructor(args: LossArgs = {}) {
    super('mean_squared_error', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredError(yTrue, yPred);
  }
}

export class MeanAbsoluteError extends Loss {
  constructor(args: LossArgs = {}) {
    super('mean_absolute_error', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsoluteError(yTrue, yPred);
  }
}

export class MeanAbsolutePercentageError extends Loss {
  constructor(args: LossArgs = {}) {
    super('mean_absolute_percentage_error', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsolutePercentageError(yTrue, yPred);
  }
}

export class MeanSquaredLogarithmicError extends Loss {
  constructor(args: LossArgs = {}) {
    super('mean_squared_logarithmic_error', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredLogarithmicError(yTrue, yPred);
  }
}

export class Huber extends Loss {
  /** Error size where the loss turns from quadratic to linear. */
  readonly delta: number;
  constructor(args: LossArgs & HuberOptions = {}) {
    super('huber_loss', args);
    this.delta = checkDelta('Huber', args.delta ?? 1);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return huber(yTrue, yPred, { delta: this.delta });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Named 'logcosh' (the spelling TF.js resolves when it reads a training config). */
export class LogCosh extends Loss {
  constructor(args: LossArgs = {}) {
    super('logcosh', args);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return logCosh(yTrue, yPred);
  }
}

export class CosineSimilarity extends Loss {
  /** Axis along which the similarity is computed. */
  readonly axis: number;
  constructor(args: LossArgs & CosineSimilarityOptions = {}) {
    super('cosine_similarity', args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`CosineSimilarity: axis must be an integer, got ${String(axis)}`);
    this.axis = axis;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return cosineSimilarity(yTrue, yPred, { axis: this.axis });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
