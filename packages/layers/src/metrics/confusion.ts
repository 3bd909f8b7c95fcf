import type { Tensor, TensorLike } from '@descent/tensor';
import { broadcastTo } from '@descent/tensor';
import { alignSampleWeight, matchShapes } from '../losses/shapes.js';
import { Metric } from './metric.js';
import { showValue } from '../engine/show-value.js';

/**
 * Labels, predictions and per-entry weights of a batch as flat arrays, restricted to column
 * `classId` of the last axis when given. Shared by the confusion-count metrics.
 */
export function confusionInputs(
  op: string,
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight: TensorLike | undefined,
  classId: number | null,
  transform?: (p: Tensor) => Tensor,
): { labels: ArrayLike<number>; preds: ArrayLike<number>; weights: ArrayLike<number> | null; stride: number; offset: number } {
  const [t, p0] = matchShapes(op, yTrue, yPred);
  const p = transform ? transform(p0) : p0;
  const n = p.shape[p.rank - 1]!;
  if (classId !== null && classId >= n) throw new Error(`${op}: classId ${classId} is out of range for predictions with ${n} classes`);
  const weights = sampleWeight === undefined ? null : broadcastTo(alignSampleWeight(op, sampleWeight, p.shape), p.shape).dataSync();
  return { labels: t.dataSync(), preds: p.dataSync(), weights, stride: classId === null ? 1 : n, offset: classId ?? 0 };
}

function checkClassId(op: string, classId: unknown): number | null {
  if (classId === undefined || classId === null) return null;
  if (typeof classId !== 'number' || !Number.isInteger(classId) || classId < 0) {
    throw new Error(`${op}: classId must be a non-negative integer, got ${showValue(classId)}`);
  }
  return classId;
}

/** Options of `Precision` and `Recall`. */
export interface PrecisionRecallArgs {
  /** Name of the metric in logs (default `'precision'` / `'recall'`). */
  name?: string;
  /** A prediction counts as positive when it is strictly above this (default 0.5). */
  thresholds?: number;
  /** Only score this column of the last axis (one class of a multi-label output). */
  classId?: number | null;
}

/** Shared state: weighted true/false positive/negative counts at one threshold. */
abstract class ThresholdCounts extends Metric {
  /** A prediction counts as positive when strictly above this. */
  readonly thresholds: number;
  /** The column scored, or null for all. */
  readonly classId: number | null;
  /** Weighted count of true positives so far. */
  protected tp = 0;
  /** Weighted count of false positives so far. */
  protected fp = 0;
  /** Weighted count of false negatives so far. */
  protected fn = 0;

  constructor(className: string, defaultName: string, args: PrecisionRecallArgs) {
    super(args.name ?? defaultName);
    const thr = args.thresholds ?? 0.5;
    if (typeof thr !== 'number' || Number.isNaN(thr)) throw new Error(`${className}: thresholds must be a number, got ${String(thr)}`);
    this.thresholds = thr;
    this.classId = checkClassId(className, args.classId);
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const { labels, preds, weights, stride, offset } = confusionInputs(this.name, yTrue, yPred, sampleWeight, this.classId);
    const thr = this.thresholds;
    for (let i = offset; i < preds.length; i += stride) {
      const w = weights ? weights[i]! : 1;
      const positive = labels[i] !== 0;
      if (preds[i]! > thr) {
        if (positive) this.tp += w;
        else this.fp += w;
      } else if (positive) this.fn += w;
    }
  }

  reset(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.thresholds, classId: this.classId };
  }
}

/** tp / (tp + fp): of the entries predicted positive, the fraction that are (0 before any positive prediction). */
export class Precision extends ThresholdCounts {
  constructor(args: PrecisionRecallArgs = {}) {
    super('Precision', 'precision', args);
  }
  result(): number {
    return this.tp + this.fp === 0 ? 0 : this.tp / (this.tp + this.fp);
  }
}

/** tp / (tp + fn): of the positive entries, the fraction predicted positive. */
export class Recall extends ThresholdCounts {
  constructor(args: PrecisionRecallArgs = {}) {
    super('Recall', 'recall', args);
  }
  result(): number {
    return this.tp + this.fn === 0 ? 0 : this.tp / (this.tp + this.fn);
  }
}
