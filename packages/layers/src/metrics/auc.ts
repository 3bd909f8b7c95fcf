import type { TensorLike } from '@descent/tensor';
import { normalizeName, sigmoid } from '@descent/tensor';
import { confusionInputs } from './confusion.js';
import { Metric } from './metric.js';
import { showValue } from '../engine/show-value.js';

/**
 * The curve whose area `AUC` measures: ROC (true- against false-positive rate) or PR (precision against
 * recall).
 */
export type AucCurve = 'ROC' | 'PR';
/**
 * How `AUC` takes each segment's height: the mean of its ends (`'interpolation'`, trapezoids), the smaller
 * (`'minoring'`) or the larger (`'majoring'`).
 */
export type AucSummation = 'interpolation' | 'minoring' | 'majoring';

/** Options of `AUC`. */
export interface AUCArgs {
  /** Name of the metric in logs (default `'auc'`). */
  name?: string;
  /** Number of thresholds the curve is sampled at (default 200). */
  numThresholds?: number;
  /** 'ROC' (default): true-positive rate against false-positive rate; 'PR': precision against recall. */
  curve?: AucCurve;
  /** How each segment's height is taken (default 'interpolation', the trapezoid; for PR, Davis & Goadrich interpolation). */
  summationMethod?: AucSummation;
  /** Predictions are logits: a sigmoid is applied first. */
  fromLogits?: boolean;
}

const EPSILON = 1e-7;

/**
 * Area under the ROC or PR curve, approximated as Keras does: confusion counts are accumulated at
 * `numThresholds` evenly spaced thresholds (from −ε to 1 + ε) over every batch, and the area is a
 * Riemann sum over those points. Counts, not per-batch areas, are accumulated, so the epoch value
 * is the AUC of all predictions together.
 */
export class AUC extends Metric {
  /** Number of thresholds the curve is sampled at. */
  readonly numThresholds: number;
  /** The curve whose area is measured. */
  readonly curve: AucCurve;
  /** How each segment's height is taken. */
  readonly summationMethod: AucSummation;
  /** Whether predictions are logits (a sigmoid is applied first). */
  readonly fromLogits: boolean;
  private readonly thresholds: Float64Array;
  /** Weighted count of positives/negatives whose prediction lies above exactly `c` thresholds, c = 0…n. */
  private readonly posHist: Float64Array;
  private readonly negHist: Float64Array;

  constructor(args: AUCArgs = {}) {
    super(args.name ?? 'auc');
    const n = args.numThresholds ?? 200;
    if (!Number.isInteger(n) || n < 2) throw new Error(`AUC: numThresholds must be an integer > 1, got ${String(n)}`);
    this.numThresholds = n;
    const curve = args.curve ?? 'ROC';
    if (curve !== 'ROC' && curve !== 'PR') throw new Error(`AUC: curve must be 'ROC' or 'PR', got ${showValue(curve)}`);
    this.curve = curve;
    const sm = normalizeName(args.summationMethod ?? 'interpolation');
    if (sm !== 'interpolation' && sm !== 'minoring' && sm !== 'majoring') {
      throw new Error(`AUC: summationMethod must be 'interpolation', 'minoring' or 'majoring', got ${showValue(args.summationMethod)}`);
    }
    this.summationMethod = sm;
    this.fromLogits = args.fromLogits ?? false;
    this.thresholds = new Float64Array(n);
    this.thresholds[0] = -EPSILON;
    for (let i = 1; i < n - 1; i++) this.thresholds[i] = i / (n - 1);
    this.thresholds[n - 1] = 1 + EPSILON;
    this.posHist = new Float64Array(n + 1);
    this.negHist = new Float64Array(n + 1);
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const { labels, preds, weights } = confusionInputs(this.name, yTrue, yPred, sampleWeight, null, this.fromLogits ? sigmoid : undefined);
    const thr = this.thresholds;
    for (let i = 0; i < preds.length; i++) {
      const p = preds[i]!;
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`${this.name}: predictions must be probabilities in [0, 1] (pass fromLogits: true for logits), got ${p} at flat index ${i}`);
      }
      // Number of thresholds strictly below p (the prediction counts as positive at each of them).
      let lo = 0;
      let hi = thr.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (thr[mid]! < p) lo = mid + 1;
        else hi = mid;
      }
      const w = weights ? weights[i]! : 1;
      if (labels[i] !== 0) this.posHist[lo] = this.posHist[lo]! + w;
      else this.negHist[lo] = this.negHist[lo]! + w;
    }
  }

  /** True/false positives and negatives at each threshold. */
  private confusion(): { tp: Float64Array; fp: Float64Array; fn: Float64Array; tn: Float64Array } {
    const n = this.numThresholds;
    const tp = new Float64Array(n);
    const fp = new Float64Array(n);
    const fn = new Float64Array(n);
    const tn = new Float64Array(n);
    let pos = 0;
    let neg = 0;
    for (let c = 0; c <= n; c++) {
      pos += this.posHist[c]!;
      neg += this.negHist[c]!;
    }
    // A prediction above c thresholds is positive at thresholds 0 … c−1.
    let tpAcc = 0;
    let fpAcc = 0;
    for (let j = n - 1; j >= 0; j--) {
      tpAcc += this.posHist[j + 1]!;
      fpAcc += this.negHist[j + 1]!;
      tp[j] = tpAcc;
      fp[j] = fpAcc;
      fn[j] = pos - tpAcc;
      tn[j] = neg - fpAcc;
    }
    return { tp, fp, fn, tn };
  }

  result(): number {
    const n = this.numThresholds;
    const { tp, fp, fn, tn } = this.confusion();
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') return interpolatePrAuc(tp, fp, fn);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const recall = divideNoNan(tp[j]!, tp[j]! + fn[j]!);
      if (this.curve === 'ROC') {
        x[j] = divideNoNan(fp[j]!, fp[j]! + tn[j]!);
        y[j] = recall;
      } else {
        x[j] = recall;
        y[j] = divideNoNan(tp[j]!, tp[j]! + fp[j]!);
      }
    }
    let area = 0;
    for (let j = 0; j < n - 1; j++) {
      const a = y[j]!;
      const b = y[j + 1]!;
      const h = this.summationMethod === 'interpolation' ? (a + b) / 2 : this.summationMethod === 'minoring' ? Math.min(a, b) : Math.max(a, b);
      area += (x[j]! - x[j + 1]!) * h;
    }
    return area;
  }

  reset(): void {
    this.posHist.fill(0);
    this.negHist.fill(0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      fromLogits: this.fromLogits,
    };
  }
}

function divideNoNan(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * PR-AUC with the interpolation of Davis & Goadrich (2006), as Keras computes it: between two
 * thresholds precision is interpolated along the true-positive count rather than linearly in recall.
 */
function interpolatePrAuc(tp: Float64Array, fp: Float64Array, fn: Float64Array): number {
  let area = 0;
  for (let j = 0; j < tp.length - 1; j++) {
    const dtp = tp[j]! - tp[j + 1]!;
    const p0 = tp[j]! + fp[j]!;
    const p1 = tp[j + 1]! + fp[j + 1]!;
    const dp = p0 - p1;
    const slope = divideNoNan(dtp, Math.max(dp, 0));
    const intercept = tp[j + 1]! - slope * p1;
    const ratio = p0 > 0 && p1 > 0 ? divideNoNan(p0, Math.max(p1, 0)) : 1;
    area += divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[j + 1]! + fn[j + 1]!, 0));
  }
  return area;
}
