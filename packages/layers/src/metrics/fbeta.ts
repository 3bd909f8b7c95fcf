import type { TensorLike } from '@descent/tensor';
import { broadcastTo, formatShape, shapesEqual } from '@descent/tensor';
import { alignSampleWeight, toFloat } from '../losses/shapes.js';
import { Metric } from './metric.js';
import { showValue } from '../engine/show-value.js';

/**
 * How `FBetaScore` and `F1Score` combine per-class scores: from summed counts (`'micro'`), their plain
 * mean (`'macro'`) or their support-weighted mean (`'weighted'`).
 */
export type F1Average = 'micro' | 'macro' | 'weighted';

/** Options of `FBetaScore`. */
export interface FBetaScoreArgs {
  /** Name of the metric in logs (default `'fbeta_score'`). */
  name?: string;
  /**
   * How per-class scores combine: 'macro' (default, unweighted mean over classes), 'weighted'
   * (mean weighted by each class's support) or 'micro' (one score from counts summed over classes).
   * Keras's per-class vector (`average=None`) is not offered because results are single numbers.
   */
  average?: F1Average;
  /** Weight of recall relative to precision, > 0: F_β = (1 + β²)·P·R / (β²·P + R) (default 1). */
  beta?: number;
  /** Predictions above it count as positive; null (default) marks each row's maximum as the prediction. */
  threshold?: number | null;
}

/** Keras's fuzz factor, added to each denominator as Keras does. */
const EPSILON = 1e-7;

/**
 * F-beta score (the weighted harmonic mean of precision and recall) for multi-class or multi-label
 * outputs `[batch, classes]`, from weighted per-class counts accumulated over every batch, as Keras's
 * `FBetaScore`.
 */
export class FBetaScore extends Metric {
  /** How per-class scores combine. */
  readonly average: F1Average;
  /** Weight of recall relative to precision. */
  readonly beta: number;
  /** Threshold above which a prediction counts as positive, or null for each row's maximum. */
  readonly threshold: number | null;
  private tp: Float64Array = new Float64Array(0);
  private fp: Float64Array = new Float64Array(0);
  private fn: Float64Array = new Float64Array(0);
  private support: Float64Array = new Float64Array(0);

  constructor(args: FBetaScoreArgs = {}, className = 'FBetaScore', defaultName = 'fbeta_score') {
    super(args.name ?? defaultName);
    const avg = args.average ?? 'macro';
    if (avg !== 'micro' && avg !== 'macro' && avg !== 'weighted') {
      throw new Error(`${className}: average must be 'micro', 'macro' or 'weighted', got ${showValue(avg)}`);
    }
    this.average = avg;
    const beta: unknown = args.beta ?? 1;
    if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new Error(`${className}: beta must be a finite number > 0, got ${showValue(beta)}`);
    this.beta = beta;
    const thr = args.threshold ?? null;
    if (thr !== null && (typeof thr !== 'number' || !(thr >= 0 && thr <= 1))) {
      throw new Error(`${className}: threshold must be a number in [0, 1] or null, got ${String(thr)}`);
    }
    this.threshold = thr;
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const t = toFloat(yTrue, this.name, 'yTrue');
    const p = toFloat(yPred, this.name, 'yPred');
    if (p.rank !== 2 || !shapesEqual(t.shape, p.shape)) {
      throw new Error(
        `${this.name}: expected yTrue and yPred of the same shape [batch, classes], got yTrue ${formatShape(t.shape)} and yPred ${formatShape(p.shape)}`,
      );
    }
    const [rows, classes] = p.shape as [number, number];
    if (this.tp.length === 0) this.allocate(classes);
    else if (this.tp.length !== classes) {
      throw new Error(`${this.name}: expected ${this.tp.length} classes as in earlier batches, got ${classes}`);
    }
    const tv = t.dataSync();
    const pv = p.dataSync();
    const wv = sampleWeight === undefined ? null : broadcastTo(alignSampleWeight(this.name, sampleWeight, [rows]), [rows]).dataSync();
    for (let r = 0; r < rows; r++) {
      const off = r * classes;
      const w = wv ? wv[r]! : 1;
      let rowMax = -Infinity;
      if (this.threshold === null) for (let j = 0; j < classes; j++) rowMax = Math.max(rowMax, pv[off + j]!);
      for (let j = 0; j < classes; j++) {
        const v = pv[off + j]!;
        // Without a threshold every entry equal to the row maximum is predicted, but never an all-zero row.
        const predicted = this.threshold === null ? v >= rowMax && Math.abs(v) > 1e-9 : v > this.threshold;
        const label = tv[off + j]!;
        if (predicted) {
          this.tp[j] = this.tp[j]! + w * label;
          this.fp[j] = this.fp[j]! + w * (1 - label);
        } else this.fn[j] = this.fn[j]! + w * label;
        this.support[j] = this.support[j]! + w * label;
      }
    }
  }

  private allocate(classes: number): void {
    this.tp = new Float64Array(classes);
    this.fp = new Float64Array(classes);
    this.fn = new Float64Array(classes);
    this.support = new Float64Array(classes);
  }

  /** F-beta from counts, with Keras's ε in each denominator. */
  private score(tp: number, fp: number, fn: number): number {
    const b2 = this.beta * this.beta;
    const precision = tp / (tp + fp + EPSILON);
    const recall = tp / (tp + fn + EPSILON);
    return ((precision * recall) / (b2 * precision + recall + EPSILON)) * (1 + b2);
  }

  result(): number {
    const k = this.tp.length;
    if (k === 0) return 0;
    if (this.average === 'micro') {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let j = 0; j < k; j++) {
        tp += this.tp[j]!;
        fp += this.fp[j]!;
        fn += this.fn[j]!;
      }
      return this.score(tp, fp, fn);
    }
    let totalSupport = 0;
    for (let j = 0; j < k; j++) totalSupport += this.support[j]!;
    let acc = 0;
    for (let j = 0; j < k; j++) {
      const s = this.score(this.tp[j]!, this.fp[j]!, this.fn[j]!);
      acc += this.average === 'macro' ? s / k : (s * this.support[j]!) / (totalSupport + EPSILON);
    }
    return acc;
  }

  reset(): void {
    this.allocate(this.tp.length);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), average: this.average, beta: this.beta, threshold: this.threshold };
  }
}
