import type { TensorLike } from '@descent/tensor';
import { broadcastTo } from '@descent/tensor';
import { alignSampleWeight, matchShapes } from '../losses/shapes.js';
import { Metric } from './metric.js';
import { showValue } from '../engine/show-value.js';

/**
 * How `R2Score` combines the scores of several outputs (the last axis): their plain mean
 * (`'uniform_average'`) or their mean weighted by each output's total sum of squares
 * (`'variance_weighted_average'`). camelCase spellings are accepted too.
 */
export type R2ClassAggregation = 'uniform_average' | 'variance_weighted_average' | 'uniformAverage' | 'varianceWeightedAverage';

/** Options of `R2Score`. */
export interface R2ScoreArgs {
  /** Name of the metric in logs (default `'r2_score'`). */
  name?: string;
  /**
   * How per-output scores combine (default `'uniform_average'`). Keras's `null` (one score per output)
   * is read with `scores()`; `result()` must be a single number for the training logs.
   */
  classAggregation?: R2ClassAggregation;
  /** Number of independent regressors p, for the adjusted R² `1 − (1 − R²)(n − 1)/(n − p − 1)` (default 0: plain R²). */
  numRegressors?: number;
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², per output column of `[batch, outputs]`
 * data, accumulated over every batch (weighted by `sampleWeight`) as Keras 3's `R2Score`.
 */
export class R2Score extends Metric {
  /** How per-output scores combine. */
  readonly classAggregation: 'uniform_average' | 'variance_weighted_average';
  /** Regressors for the adjusted score (0: plain R²). */
  readonly numRegressors: number;
  private sum: Float64Array = new Float64Array(0);
  private squaredSum: Float64Array = new Float64Array(0);
  private residual: Float64Array = new Float64Array(0);
  private count: Float64Array = new Float64Array(0);
  /** Entries seen (batch × outputs, as Keras counts them for the adjusted score). */
  private numSamples = 0;

  constructor(args: R2ScoreArgs = {}) {
    super(args.name ?? 'r2_score');
    const agg: unknown = args.classAggregation === undefined ? 'uniform_average' : args.classAggregation;
    if (agg === 'uniform_average' || agg === 'uniformAverage') this.classAggregation = 'uniform_average';
    else if (agg === 'variance_weighted_average' || agg === 'varianceWeightedAverage') this.classAggregation = 'variance_weighted_average';
    else {
      throw new Error(
        `R2Score: classAggregation must be 'uniform_average' or 'variance_weighted_average', got ${showValue(agg)}` +
          (agg === null ? ' (for one score per output, read scores())' : ''),
      );
    }
    const p: unknown = args.numRegressors ?? 0;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) throw new Error(`R2Score: numRegressors must be a non-negative integer, got ${showValue(p)}`);
    this.numRegressors = p;
  }

  /** Folds in a batch of `[batch, outputs]` targets and predictions (`[batch]` is read as one output). */
  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    if (p.rank !== 2) throw new Error(`${this.name}: expected yTrue and yPred of shape [batch, outputs], got ${showValue(p.shape)}`);
    const [rows, cols] = p.shape as [number, number];
    if (this.sum.length === 0) this.allocate(cols);
    else if (this.sum.length !== cols) throw new Error(`${this.name}: expected ${this.sum.length} outputs as in earlier batches, got ${cols}`);
    const tv = t.dataSync();
    const pv = p.dataSync();
    const wv = sampleWeight === undefined ? null : broadcastTo(alignSampleWeight(this.name, sampleWeight, p.shape), p.shape).dataSync();
    for (let i = 0; i < rows * cols; i++) {
      const j = i % cols;
      const w = wv ? wv[i]! : 1;
      const y = tv[i]!;
      this.sum[j]! += w * y;
      this.squaredSum[j]! += w * y * y;
      this.residual[j]! += w * (y - pv[i]!) ** 2;
      this.count[j]! += w;
    }
    this.numSamples += rows * cols;
  }

  private allocate(cols: number): void {
    this.sum = new Float64Array(cols);
    this.squaredSum = new Float64Array(cols);
    this.residual = new Float64Array(cols);
    this.count = new Float64Array(cols);
    this.numSamples = 0;
  }

  /** Total sum of squares per output, Σw(y − ȳ)². */
  private totals(): number[] {
    return Array.from(this.sum, (s, j) => this.squaredSum[j]! - (s * s) / this.count[j]!);
  }

  /**
   * R² of each output (Keras's `classAggregation: null`), not adjusted; an output whose targets never
   * vary scores 0 when predicted exactly, as Keras replaces the infinite ratio by 0.
   */
  scores(): number[] {
    const totals = this.totals();
    return totals.map((tot, j) => {
      const r = 1 - this.residual[j]! / tot;
      return Number.isFinite(r) || Number.isNaN(r) ? r : 0;
    });
  }

  /** The aggregated (and, with `numRegressors`, adjusted) R²; 0 before any update. */
  result(): number {
    if (this.numSamples === 0) return 0;
    const raw = this.scores();
    let r2: number;
    if (this.classAggregation === 'uniform_average') r2 = raw.reduce((a, b) => a + b, 0) / raw.length;
    else {
      const totals = this.totals();
      r2 = totals.reduce((a, tot, j) => a + tot * raw[j]!, 0) / totals.reduce((a, b) => a + b, 0);
    }
    const n = this.numSamples;
    const p = this.numRegressors;
    // Keras falls back to the plain score when n − p − 1 ≤ 0.
    if (p !== 0 && p < n - 1) r2 = 1 - ((1 - r2) * (n - 1)) / (n - p - 1);
    return r2;
  }

  /** Clears the sums (the number of outputs is kept). */
  reset(): void {
    this.allocate(this.sum.length);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), classAggregation: this.classAggregation, numRegressors: this.numRegressors };
  }
}
