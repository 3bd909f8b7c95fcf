import type { Tensor, TensorLike } from '@descent/tensor';
import { formatShape, makeTensor, normalizeName, shapesEqual } from '@descent/tensor';
import type { Loss } from '../losses/loss.js';
import { matchShapes, toFloat } from '../losses/shapes.js';
import { MeanMetricWrapper, Metric } from './metric.js';

/** Index of the first maximum of `v[offset, offset + n)`. */
function argMaxRow(v: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

function checkThreshold(op: string, threshold: unknown): number {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`${op}: threshold must be a number, got ${String(threshold)}`);
  return threshold;
}

/** Per sample: the fraction of entries where (yPred > threshold) equals the 0/1 label. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const op = 'binaryAccuracy';
  checkThreshold(op, threshold);
  const [t, p] = matchShapes(op, yTrue, yPred);
  const tv = t.dataSync();
  const pv = p.dataSync();
  const n = p.shape[p.rank - 1]!;
  const rows = n === 0 ? 0 : pv.length / n;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let hits = 0;
    for (let j = 0; j < n; j++) if ((pv[r * n + j]! > threshold ? 1 : 0) === tv[r * n + j]) hits++;
    out[r] = hits / n;
  }
  return makeTensor(out, p.shape.slice(0, -1), 'float32');
}

/** The batch shape of yPred (`[batch, classes]` → `[batch]`), treating a rank-1 yPred as one sample. */
function classRows(op: string, yPred: Tensor): { rows: number; classes: number; batch: number[] } {
  if (yPred.rank === 0) throw new Error(`${op}: yPred must have a class axis, got a scalar`);
  const classes = yPred.shape[yPred.rank - 1]!;
  const batch = yPred.rank === 1 ? [1] : yPred.shape.slice(0, -1);
  return { rows: classes === 0 ? 0 : yPred.size / classes, classes, batch };
}

/** Per sample: 1 when the arg-max of the one-hot yTrue equals the arg-max of yPred. */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const op = 'categoricalAccuracy';
  const t = toFloat(yTrue, op, 'yTrue');
  const p = toFloat(yPred, op, 'yPred');
  const { rows, classes, batch } = classRows(op, p);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(
      `${op}: yTrue must be one-hot with the shape of yPred ${formatShape(p.shape)}, got ${formatShape(t.shape)}` +
        ' (for integer class labels use sparseCategoricalAccuracy)',
    );
  }
  const tv = t.dataSync();
  const pv = p.dataSync();
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = argMaxRow(tv, r * classes, classes) === argMaxRow(pv, r * classes, classes) ? 1 : 0;
  return makeTensor(out, batch, 'float32');
}

/** Integer labels of shape `batch` or `[...batch, 1]`, read as numbers; throws naming `op` otherwise. */
function sparseLabels(op: string, yTrue: TensorLike, p: Tensor, batch: readonly number[]): ArrayLike<number> {
  const t = toFloat(yTrue, op, 'yTrue');
  const inner = p.rank === 1 ? [] : batch;
  if (!shapesEqual(t.shape, inner) && !shapesEqual(t.shape, [...inner, 1])) {
    throw new Error(
      `${op}: yTrue must hold class indices of shape ${formatShape(inner)} or ${formatShape([...inner, 1])} for yPred of shape ` +
        `${formatShape(p.shape)}, got ${formatShape(t.shape)}` +
        (shapesEqual(t.shape, p.shape) ? ' (these look like one-hot labels: use categoricalAccuracy)' : ''),
    );
  }
  return t.dataSync();
}

/** Per sample: 1 when the integer label equals the arg-max of yPred. */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const op = 'sparseCategoricalAccuracy';
  const p = toFloat(yPred, op, 'yPred');
  const { rows, classes, batch } = classRows(op, p);
  const labels = sparseLabels(op, yTrue, p, batch);
  const pv = p.dataSync();
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = argMaxRow(pv, r * classes, classes) === labels[r] ? 1 : 0;
  return makeTensor(out, batch, 'float32');
}

/**
 * Per sample: 1 when the true class (arg-max of the one-hot yTrue) is among the `k` highest scores.
 * Ties straddling the k-th place count as inside, as TF's in_top_k does.
 */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const op = 'topKCategoricalAccuracy';
  if (!Number.isInteger(k) || k < 1) throw new Error(`${op}: k must be a positive integer, got ${k}`);
  const t = toFloat(yTrue, op, 'yTrue');
  const p = toFloat(yPred, op, 'yPred');
  const { rows, classes, batch } = classRows(op, p);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${op}: yTrue must be one-hot with the shape of yPred ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
  }
  const tv = t.dataSync();
  const pv = p.dataSync();
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    const target = pv[off + argMaxRow(tv, off, classes)]!;
    let above = 0;
    for (let j = 0; j < classes; j++) if (pv[off + j]! > target) above++;
    out[r] = above < k ? 1 : 0;
  }
  return makeTensor(out, batch, 'float32');
}

export class BinaryAccuracy extends MeanMetricWrapper {
  /** Predictions above it count as 1. */
  readonly threshold: number;
  constructor(args: { name?: string; threshold?: number } = {}) {
    const threshold = checkThreshold('BinaryAccuracy', args.threshold ?? 0.5);
    super((t, p) => binaryAccuracy(t, p, threshold), args.name ?? 'binary_accuracy');
    this.threshold = threshold;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: { name?: string } = {}) {
    super(categoricalAccuracy, args.name ?? 'categorical_accuracy');
  }
}

export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: { name?: string } = {}) {
    super(sparseCategoricalAccuracy, args.name ?? 'sparse_categorical_accuracy');
  }
}

export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  /** A prediction is correct when the true class is among the `k` highest scores. */
  readonly k: number;
  constructor(args: { name?: string; k?: number } = {}) {
    const k = args.k ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new Error(`TopKCategoricalAccuracy: k must be a positive integer, got ${k}`);
    super((t, p) => topKCategoricalAccuracy(t, p, k), args.name ?? 'top_k_categorical_accuracy');
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}

/** Which accuracy `'accuracy'` resolves to: binary, categorical or sparse categorical. */
export type AccuracyKind = 'binary' | 'categorical' | 'sparse';

const BINARY_LOSSES = new Set(['binarycrossentropy', 'binaryfocalcrossentropy', 'hinge', 'squaredhinge']);
const SPARSE_LOSSES = new Set(['sparsecategoricalcrossentropy']);

/**
 * Which accuracy the string 'accuracy' means, as Keras and TF.js decide: a binary or sparse
 * cross-entropy loss settles it; otherwise the shapes do (one output unit → binary, labels
 * without the class axis → sparse, else categorical).
 */
export function resolveAccuracy(yTrue: readonly number[], yPred: readonly number[], loss?: Loss | null): AccuracyKind {
  const lossName = loss ? normalizeName(loss.name) : '';
  if (BINARY_LOSSES.has(lossName)) return 'binary';
  if (SPARSE_LOSSES.has(lossName)) return 'sparse';
  const predLast = yPred[yPred.length - 1];
  if (yPred.length <= 1 || predLast === 1) return 'binary';
  if (yTrue.length < yPred.length || (yTrue[yTrue.length - 1] === 1 && predLast! > 1)) return 'sparse';
  return 'categorical';
}

/**
 * The metric behind the string 'accuracy' (or 'acc'): on its first update it resolves to binary,
 * categorical or sparse categorical accuracy from the compiled loss and the shapes, then stays so.
 */
export class AutoAccuracy extends Metric {
  /** The compiled loss that helps decide the kind, or null. */
  readonly loss: Loss | null;
  private inner: MeanMetricWrapper | null = null;

  constructor(args: { name?: string; loss?: Loss | null } = {}) {
    super(args.name ?? 'accuracy');
    this.loss = args.loss ?? null;
  }

  /** The resolved kind, or null before the first update. */
  get kind(): AccuracyKind | null {
    if (this.inner instanceof BinaryAccuracy) return 'binary';
    if (this.inner instanceof SparseCategoricalAccuracy) return 'sparse';
    return this.inner ? 'categorical' : null;
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    if (!this.inner) {
      const t = toFloat(yTrue, this.name, 'yTrue');
      const p = toFloat(yPred, this.name, 'yPred');
      const kind = resolveAccuracy(t.shape, p.shape, this.loss);
      this.inner =
        kind === 'binary'
          ? new BinaryAccuracy({ name: this.name })
          : kind === 'sparse'
            ? new SparseCategoricalAccuracy({ name: this.name })
            : new CategoricalAccuracy({ name: this.name });
    }
    this.inner.update(yTrue, yPred, sampleWeight);
  }

  result(): number {
    return this.inner ? this.inner.result() : 0;
  }

  reset(): void {
    this.inner?.reset();
  }
}
