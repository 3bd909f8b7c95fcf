import type { Tensor, TensorLike } from '@descent/tensor';
import {
  abs,
  add,
  clipByValue,
  div,
  formatShape,
  log,
  makeTensor,
  maximum,
  mean,
  mul,
  neg,
  oneHot,
  pow,
  relu,
  reshape,
  shapesEqual,
  sigmoid,
  softmaxCrossEntropy,
  softplus,
  sub,
  sum,
  toTensor,
} from '@descent/tensor';
import { logitsOf } from '../activations/logits.js';
import type { LossArgs } from './loss.js';
import { Loss } from './loss.js';
import { checkLabelSmoothing, EPSILON, matchShapes, toFloat } from './shapes.js';

/** Options of the cross-entropy losses (and their `name`/`reduction`). */
export interface CrossentropyOptions {
  /** yPred holds logits (pre-sigmoid / pre-softmax) rather than probabilities. */
  fromLogits?: boolean;
  /** Squeeze targets toward uniform: binary `y(1−s) + s/2`, categorical `y(1−s) + s/C`. */
  labelSmoothing?: number;
}

/** max(z, 0) − z·y + log(1 + e^−|z|): binary cross-entropy from logits, which never overflows. */
function binaryFromLogits(t: Tensor, z: Tensor, absZ: Tensor): Tensor {
  return add(sub(relu(z), mul(z, t)), softplus(neg(absZ)));
}

/**
 * Elementwise binary cross-entropy. Probabilities are clipped to [ε, 1 − ε] so p = 0 or 1 gives a
 * large finite loss.
 */
function binaryCrossentropyElements(t: Tensor, p: Tensor, fromLogits: boolean): Tensor {
  if (fromLogits) return binaryFromLogits(t, p, abs(p));
  const q = clipByValue(p, EPSILON, 1 - EPSILON);
  return neg(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q)))));
}

/** The logits behind a sigmoid output `yPred`, shaped like `p` (its batched float view), with |z|; or null. */
function sigmoidLogits(yPred: TensorLike, p: Tensor): [Tensor, Tensor] | null {
  const found = logitsOf(yPred, 'sigmoid');
  if (found === null) return null;
  const z = found.rank === p.rank ? found : reshape(found, p.shape);
  return [z, abs(z)];
}

/**
 * Binary cross-entropy averaged over the last axis (each entry is its own yes/no label).
 *
 * With `fromLogits: false`, when `yPred` is the output of the `sigmoid` activation (a layer's
 * `activation: 'sigmoid'`), the loss is computed from the logits that went into it, as Keras 3
 * does: the result differs from clipping the probabilities only where they reach the clip bounds
 * [ε, 1 − ε] (|logit| ≳ 16), where the logit form keeps the exact value and a nonzero gradient.
 */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: CrossentropyOptions = {}): Tensor {
  const op = 'binaryCrossentropy';
  const smoothing = checkLabelSmoothing(op, options.labelSmoothing ?? 0);
  const fromLogits = options.fromLogits ?? false;
  const [labels, p] = matchShapes(op, yTrue, yPred);
  const t = smoothing > 0 ? add(mul(labels, 1 - smoothing), 0.5 * smoothing) : labels;
  const logits = fromLogits ? null : sigmoidLogits(yPred, p);
  if (logits !== null) return mean(binaryFromLogits(t, logits[0], logits[1]), -1);
  return mean(binaryCrossentropyElements(t, p, fromLogits), -1);
}

/** The logits behind a last-axis softmax output `yPred`, shaped like `p`; or null. */
function softmaxLogits(yPred: TensorLike, p: Tensor): Tensor | null {
  const z = logitsOf(yPred, 'softmax');
  if (z === null) return null;
  return z.rank === p.rank ? z : reshape(z, p.shape);
}

/**
 * −Σ y·log(p) over the last axis. From the logits when known (`fromLogits`, or a softmax output's
 * logits: one fused kernel, `softmaxCrossEntropy`); otherwise probabilities are renormalized to sum
 * 1, then clipped, as Keras does.
 */
function categoricalFromTargets(t: Tensor, p: Tensor, fromLogits: boolean, logits: Tensor | null): Tensor {
  if (logits !== null) return softmaxCrossEntropy(logits, t);
  if (fromLogits) return softmaxCrossEntropy(p, t);
  const q = clipByValue(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(t, log(q)), -1));
}

/**
 * Categorical cross-entropy for one-hot (or soft) targets over the last axis.
 *
 * With `fromLogits: false`, when `yPred` is the output of a last-axis softmax (`activation:
 * 'softmax'`, or a Softmax layer over the last axis), the loss is computed from the logits that
 * went into it (log-softmax), as Keras 3 does. It differs from the clipped-probability formula
 * only where a probability reaches the clip bounds [ε, 1 − ε]: for logits [100, 0, 0] and target
 * class 1 the clipped loss is −log(ε) ≈ 16.12, the logit loss the exact 100 + log(1 + e^−100).
 * (TF.js always clips.) Other tensors, including slices or copies of a softmax output, take the
 * clipped path.
 */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: CrossentropyOptions = {}): Tensor {
  const op = 'categoricalCrossentropy';
  const smoothing = checkLabelSmoothing(op, options.labelSmoothing ?? 0);
  let t = toFloat(yTrue, op, 'yTrue');
  let p = toFloat(yPred, op, 'yPred');
  if (p.rank === 0) throw new Error(`${op}: yPred must have a class axis, got a scalar`);
  if (p.rank === 1) {
    // One distribution without a batch axis.
    p = reshape(p, [1, p.size]);
    if (t.rank === 1) t = reshape(t, [1, t.size]);
  }
  if (!shapesEqual(t.shape, p.shape)) {
    const classes = p.shape[p.rank - 1]!;
    const batch = p.shape.slice(0, -1);
    const looksSparse = shapesEqual(t.shape, batch) || shapesEqual(t.shape, [...batch, 1]);
    throw new Error(
      `${op}: yTrue must be one-hot with the shape of yPred ${formatShape(p.shape)}, got ${formatShape(t.shape)}` +
        (looksSparse && classes > 1
          ? ` (these look like integer class indices: use sparseCategoricalCrossentropy, or one-hot encode them with oneHot(labels, ${classes}))`
          : ''),
    );
  }
  if (smoothing > 0) t = add(mul(t, 1 - smoothing), smoothing / p.shape[p.rank - 1]!);
  const fromLogits = options.fromLogits ?? false;
  return categoricalFromTargets(t, p, fromLogits, fromLogits ? null : softmaxLogits(yPred, p));
}

/**
 * Check that every label in `yTrue` is an integer class index in `[0, classes)` for outputs of
 * shape `yPredShape` (classes: its last dim); the error names the sample, i.e. the row of `yTrue`
 * (and the position inside it for sequence labels). Labels of an unexpected shape are left to the
 * loss itself, which reports the shapes.
 */
function checkSparseLabels(op: string, yTrue: Tensor, yPredShape: readonly (number | null)[]): void {
  const classes = yPredShape[yPredShape.length - 1];
  if (classes === null || classes === undefined) return;
  const n = yTrue.rank === 0 ? 1 : yTrue.shape[0]!;
  if (n === 0) return;
  const values = yTrue.dataSync();
  const perSample = values.length / n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      const sample = Math.floor(i / perSample);
      const where = perSample === 1 ? `sample ${sample}` : `sample ${sample}, position ${i - sample * perSample}`;
      throw new Error(`${op}: labels must be integers in [0, ${classes - 1}] for ${classes} classes, got ${v} for ${where}`);
    }
  }
}

/**
 * Categorical cross-entropy for integer class labels: yTrue of shape `yPred.shape[:-1]` (e.g.
 * `[batch]`) or with a trailing 1 (`[batch, 1]`); int32, or float32 holding whole numbers. A
 * softmax output is scored from its logits, as in `categoricalCrossentropy`.
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: { fromLogits?: boolean } = {}): Tensor {
  const op = 'sparseCategoricalCrossentropy';
  const p = toFloat(yPred, op, 'yPred');
  if (p.rank === 0) throw new Error(`${op}: yPred must have a class axis, got a scalar`);
  const labels = toTensor(yTrue, op, 'yTrue');
  const classes = p.shape[p.rank - 1]!;
  const batch = p.shape.slice(0, -1);
  if (!shapesEqual(labels.shape, batch) && !shapesEqual(labels.shape, [...batch, 1])) {
    const oneHotLike = shapesEqual(labels.shape, p.shape);
    throw new Error(
      `${op}: yTrue must hold integer class indices of shape ${formatShape(batch)} or ${formatShape([...batch, 1])} ` +
        `for yPred of shape ${formatShape(p.shape)}, got ${formatShape(labels.shape)}` +
        (oneHotLike ? ' (these look like one-hot labels: use categoricalCrossentropy, or pass argMax(labels, -1))' : ''),
    );
  }
  checkSparseLabels(op, labels, p.shape);
  const values = labels.dataSync();
  const idx = Int32Array.from(values);
  const targets = oneHot(makeTensor(idx, batch, 'int32'), classes);
  const fromLogits = options.fromLogits ?? false;
  return categoricalFromTargets(targets, p, fromLogits, fromLogits ? null : softmaxLogits(yPred, p));
}

/** Options of `BinaryFocalCrossentropy`. */
export interface BinaryFocalCrossentropyOptions extends CrossentropyOptions {
  /** Focusing exponent: (1 − p_t)^gamma down-weights easy examples. Default 2. */
  gamma?: number;
  /** Weight of the positive class when `applyClassBalancing` (negatives get 1 − alpha). Default 0.25. */
  alpha?: number;
  /** Weight positives by `alpha` and negatives by `1 − alpha` (default false). */
  applyClassBalancing?: boolean;
}

interface FocalParams {
  gamma: number;
  alpha: number;
  applyClassBalancing: boolean;
  fromLogits: boolean;
  labelSmoothing: number;
}

function focalParams(op: string, o: BinaryFocalCrossentropyOptions): FocalParams {
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? 0.25;
  if (typeof gamma !== 'number' || !(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`${op}: gamma must be a finite number >= 0, got ${String(gamma)}`);
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new Error(`${op}: alpha must be a number in [0, 1], got ${String(alpha)}`);
  return {
    gamma,
    alpha,
    applyClassBalancing: o.applyClassBalancing ?? false,
    fromLogits: o.fromLogits ?? false,
    labelSmoothing: checkLabelSmoothing(op, o.labelSmoothing ?? 0),
  };
}

/**
 * Focal loss (Lin et al., 2017) on binary cross-entropy, as Keras: (1 − p_t)^gamma · bce, with
 * p_t = y·p + (1 − y)(1 − p), times y·alpha + (1 − y)(1 − alpha) when class-balancing; averaged over the last axis.
 * The bce factor of a sigmoid output comes from its logits, as in `binaryCrossentropy`.
 */
export function binaryFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: BinaryFocalCrossentropyOptions = {}): Tensor {
  const op = 'binaryFocalCrossentropy';
  const o = focalParams(op, options);
  const [labels, p] = matchShapes(op, yTrue, yPred);
  const t = o.labelSmoothing > 0 ? add(mul(labels, 1 - o.labelSmoothing), 0.5 * o.labelSmoothing) : labels;
  const prob = o.fromLogits ? sigmoid(p) : p;
  // Keras 3 takes the cross-entropy factor from a sigmoid output's logits too; (1 − p_t)^gamma uses the probabilities.
  const logits = o.fromLogits ? null : sigmoidLogits(yPred, p);
  const bce = logits !== null ? binaryFromLogits(t, logits[0], logits[1]) : binaryCrossentropyElements(t, p, o.fromLogits);
  const pT = add(mul(t, prob), mul(sub(1, t), sub(1, prob)));
  // max(·, 0) keeps a rounding error above 1 in p_t from turning a fractional power into NaN.
  let loss = mul(pow(maximum(sub(1, pT), 0), o.gamma), bce);
  if (o.applyClassBalancing) loss = mul(loss, add(mul(t, o.alpha), mul(sub(1, t), 1 - o.alpha)));
  return mean(loss, -1);
}

export class BinaryCrossentropy extends Loss {
  /** Whether `yPred` holds logits rather than probabilities. */
  readonly fromLogits: boolean;
  /** Amount of label smoothing, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(args: LossArgs & CrossentropyOptions = {}) {
    super('binary_crossentropy', args);
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = checkLabelSmoothing('BinaryCrossentropy', args.labelSmoothing ?? 0);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

export class CategoricalCrossentropy extends Loss {
  /** Whether `yPred` holds logits rather than probabilities. */
  readonly fromLogits: boolean;
  /** Amount of label smoothing, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(args: LossArgs & CrossentropyOptions = {}) {
    super('categorical_crossentropy', args);
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = checkLabelSmoothing('CategoricalCrossentropy', args.labelSmoothing ?? 0);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

export class SparseCategoricalCrossentropy extends Loss {
  /** Whether `yPred` holds logits rather than probabilities. */
  readonly fromLogits: boolean;
  constructor(args: LossArgs & { fromLogits?: boolean } = {}) {
    super('sparse_categorical_crossentropy', args);
    this.fromLogits = args.fromLogits ?? false;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return sparseCategoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits });
  }

  /** Every label an integer in `[0, classes)`; the error names the sample (its row in `yTrue`). */
  override validateLabels(yTrue: Tensor, yPredShape: readonly (number | null)[]): void {
    checkSparseLabels('sparseCategoricalCrossentropy', yTrue, yPredShape);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}

export class BinaryFocalCrossentropy extends Loss {
  /** Focusing exponent. */
  readonly gamma: number;
  /** Weight of the positive class when class balancing is on. */
  readonly alpha: number;
  /** Whether positives and negatives are weighted by `alpha` and `1 − alpha`. */
  readonly applyClassBalancing: boolean;
  /** Whether `yPred` holds logits rather than probabilities. */
  readonly fromLogits: boolean;
  /** Amount of label smoothing, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(args: LossArgs & BinaryFocalCrossentropyOptions = {}) {
    super('binary_focal_crossentropy', args);
    const o = focalParams('BinaryFocalCrossentropy', args);
    this.gamma = o.gamma;
    this.alpha = o.alpha;
    this.applyClassBalancing = o.applyClassBalancing;
    this.fromLogits = o.fromLogits;
    this.labelSmoothing = o.labelSmoothing;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryFocalCrossentropy(yTrue, yPred, this);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      gamma: this.gamma,
      alpha: this.alpha,
      applyClassBalancing: this.applyClassBalancing,
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
    };
  }
}
