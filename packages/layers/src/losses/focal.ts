import type { Tensor, TensorLike } from '@descent/tensor';
import { add, clipByValue, div, formatShape, log, mul, neg, pow, shapesEqual, softmax, sub, sum } from '@descent/tensor';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { checkLabelSmoothing, EPSILON, toFloat } from './shapes.js';

/** Options of `categoricalFocalCrossentropy` and `CategoricalFocalCrossentropy`. */
export interface CategoricalFocalCrossentropyOptions {
  /** Weight of every class's term, in [0, 1] (default 0.25). */
  alpha?: number;
  /** Focusing exponent: (1 − p)^gamma down-weights well-classified entries (default 2). */
  gamma?: number;
  /** yPred holds logits (softmax is applied first) rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Squeeze targets toward uniform: `y(1 − s) + s/C` (default 0). */
  labelSmoothing?: number;
}

interface FocalSettings {
  alpha: number;
  gamma: number;
  fromLogits: boolean;
  labelSmoothing: number;
}

function settings(op: string, o: CategoricalFocalCrossentropyOptions): FocalSettings {
  const alpha: unknown = o.alpha ?? 0.25;
  const gamma: unknown = o.gamma ?? 2;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new Error(`${op}: alpha must be a number in [0, 1], got ${String(alpha)}`);
  if (typeof gamma !== 'number' || !(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`${op}: gamma must be a finite number >= 0, got ${String(gamma)}`);
  return { alpha, gamma, fromLogits: o.fromLogits ?? false, labelSmoothing: checkLabelSmoothing(op, o.labelSmoothing ?? 0) };
}

/**
 * Focal loss (Lin et al., 2017) on categorical cross-entropy for one-hot (or soft) targets over the last
 * axis, as Keras 3: with q = yPred renormalized to sum 1 and clipped to [ε, 1 − ε] (after a softmax
 * when `fromLogits`), the per-sample loss is Σ_c alpha · (1 − q_c)^gamma · (−y_c · log q_c).
 */
export function categoricalFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: CategoricalFocalCrossentropyOptions = {}): Tensor {
  const op = 'categoricalFocalCrossentropy';
  const o = settings(op, options);
  let t = toFloat(yTrue, op, 'yTrue');
  const p = toFloat(yPred, op, 'yPred');
  if (p.rank === 0) throw new Error(`${op}: yPred must have a class axis, got a scalar`);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${op}: yTrue must be one-hot with the shape of yPred ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
  }
  if (o.labelSmoothing > 0) t = add(mul(t, 1 - o.labelSmoothing), o.labelSmoothing / p.shape[p.rank - 1]!);
  const probs = o.fromLogits ? softmax(p, -1) : p;
  const q = clipByValue(div(probs, sum(probs, -1, true)), EPSILON, 1 - EPSILON);
  const ce = neg(mul(t, log(q)));
  return sum(mul(mul(pow(sub(1, q), o.gamma), o.alpha), ce), -1);
}

/** Categorical focal cross-entropy as a loss object (Keras name `'categorical_focal_crossentropy'`). */
export class CategoricalFocalCrossentropy extends Loss {
  /** Weight of every class's term. */
  readonly alpha: number;
  /** Focusing exponent. */
  readonly gamma: number;
  /** Whether `yPred` holds logits rather than probabilities. */
  readonly fromLogits: boolean;
  /** Amount of label smoothing, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(args: LossArgs & CategoricalFocalCrossentropyOptions = {}) {
    super('categorical_focal_crossentropy', args);
    const o = settings('CategoricalFocalCrossentropy', args);
    this.alpha = o.alpha;
    this.gamma = o.gamma;
    this.fromLogits = o.fromLogits;
    this.labelSmoothing = o.labelSmoothing;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalFocalCrossentropy(yTrue, yPred, this);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha, gamma: this.gamma, fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}
