import type { Tensor, TensorLike } from '@descent/tensor';
import { formatShape, makeTensor, shapesEqual } from '@descent/tensor';
import { toFloat } from '../losses/shapes.js';
import { MeanMetricWrapper } from './metric.js';

function checkK(op: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new Error(`${op}: k must be a positive integer, got ${String(k)}`);
  return k;
}

/**
 * Per sample: 1 when the integer label is among the `k` highest scores of yPred (`[batch, classes]`),
 * as TF's `in_top_k`: ties straddling the k-th place count as inside; a label outside
 * `[0, classes)` or a non-finite score counts as a miss. With `fromSortedIds`, yPred instead holds
 * class ids sorted by score (as `topk` returns them) and the first `k` are searched.
 */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5, fromSortedIds = false): Tensor {
  const op = 'sparseTopKCategoricalAccuracy';
  checkK(op, k);
  const p = toFloat(yPred, op, 'yPred');
  if (p.rank !== 2) throw new Error(`${op}: yPred must be [batch, classes], got ${formatShape(p.shape)}`);
  const [rows, classes] = p.shape as [number, number];
  const t = toFloat(yTrue, op, 'yTrue');
  if (!shapesEqual(t.shape, [rows]) && !shapesEqual(t.shape, [rows, 1])) {
    throw new Error(
      `${op}: yTrue must hold class indices of shape [${rows}] or [${rows},1] for yPred of shape ${formatShape(p.shape)}, got ${formatShape(t.shape)}` +
        (shapesEqual(t.shape, p.shape) ? ' (these look like one-hot labels: use topKCategoricalAccuracy)' : ''),
    );
  }
  const tv = t.dataSync();
  const pv = p.dataSync();
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    const label = tv[r]!;
    if (fromSortedIds) {
      let hit = false;
      for (let j = 0; j < Math.min(k, classes); j++) if (pv[off + j] === label) hit = true;
      out[r] = hit ? 1 : 0;
      continue;
    }
    if (!Number.isInteger(label) || label < 0 || label >= classes) continue;
    const target = pv[off + label]!;
    let finite = Number.isFinite(target);
    let above = 0;
    for (let j = 0; j < classes; j++) {
      const v = pv[off + j]!;
      if (!Number.isFinite(v)) finite = false;
      if (v > target) above++;
    }
    out[r] = finite && above < k ? 1 : 0;
  }
  return makeTensor(out, [rows], 'float32');
}

/** Options of `SparseTopKCategoricalAccuracy`. */
export interface SparseTopKCategoricalAccuracyArgs {
  /** Name of the metric in logs (default `'sparse_top_k_categorical_accuracy'`). */
  name?: string;
  /** A sample counts as correct when its label is among the `k` highest scores (default 5). */
  k?: number;
  /** yPred holds class ids sorted by score instead of scores (default false). */
  fromSortedIds?: boolean;
}

/** The fraction of samples whose integer label is among the `k` highest-scored classes (Keras's metric of the same name). */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  /** A prediction is correct when the label is among the `k` highest scores. */
  readonly k: number;
  /** Whether yPred holds sorted class ids. */
  readonly fromSortedIds: boolean;
  constructor(args: SparseTopKCategoricalAccuracyArgs = {}) {
    const k = checkK('SparseTopKCategoricalAccuracy', args.k ?? 5);
    const sorted = args.fromSortedIds ?? false;
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k, sorted), args.name ?? 'sparse_top_k_categorical_accuracy');
    this.k = k;
    this.fromSortedIds = sorted;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k, fromSortedIds: this.fromSortedIds };
  }
}
