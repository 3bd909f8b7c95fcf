import type { TensorLike } from '@descent/tensor';
import { broadcastTo } from '@descent/tensor';
import { alignSampleWeight, toFloat } from '../losses/shapes.js';
import { showValue } from '../engine/show-value.js';
import { Metric } from './metric.js';

/** Keras's fuzz factor, added to the denominators as Keras does. */
const EPSILON = 1e-7;

/** Options of `MeanIoU`. */
export interface MeanIoUArgs {
  /** Name of the metric in logs (default `'mean_io_u'`, Keras's). */
  name?: string;
  /** Number of classes; labels and predicted classes lie in `[0, numClasses)`. */
  numClasses: number;
  /** A label equal to this is left out of the confusion matrix (e.g. a "void" class); default none. */
  ignoreClass?: number | null;
  /** yTrue holds class indices (default true); false: scores or one-hot along the last axis, reduced by arg-max. */
  sparseYTrue?: boolean;
  /** yPred holds class indices (default true); false: scores along the last axis, reduced by arg-max. */
  sparseYPred?: boolean;
}

/**
 * Mean intersection-over-union, as Keras's `MeanIoU`: a weighted confusion matrix of true × predicted
 * classes accumulates over every batch (every entry of the labels counts, e.g. every pixel of a
 * segmentation); per class IoU = tp / (tp + fp + fn), averaged over the classes that occurred in the
 * labels or the predictions.
 */
export class MeanIoU extends Metric {
  /** Number of classes. */
  readonly numClasses: number;
  /** The label left out, or null. */
  readonly ignoreClass: number | null;
  /** Whether yTrue holds class indices. */
  readonly sparseYTrue: boolean;
  /** Whether yPred holds class indices. */
  readonly sparseYPred: boolean;
  /** Weighted confusion matrix, row = true class, column = predicted class. */
  private cm: Float64Array;

  constructor(args: MeanIoUArgs) {
    const a: unknown = args;
    if (typeof a !== 'object' || a === null) throw new Error(`MeanIoU: options must be an object such as { numClasses: 3 }, got ${showValue(a)}`);
    super(args.name ?? 'mean_io_u');
    const n: unknown = args.numClasses;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`MeanIoU: numClasses must be a positive integer, got ${showValue(n)}`);
    this.numClasses = n;
    const ig: unknown = args.ignoreClass ?? null;
    if (ig !== null && (typeof ig !== 'number' || !Number.isInteger(ig))) throw new Error(`MeanIoU: ignoreClass must be an integer or null, got ${showValue(ig)}`);
    this.ignoreClass = ig;
    this.sparseYTrue = args.sparseYTrue ?? true;
    this.sparseYPred = args.sparseYPred ?? true;
    this.cm = new Float64Array(n * n);
  }

  /** Class indices of `x`: as given (checked to be whole numbers), or the arg-max of the last axis. */
  private classes(x: TensorLike, sparse: boolean, arg: 'yTrue' | 'yPred'): { ids: Float64Array; shape: number[] } {
    const t = toFloat(x, this.name, arg);
    const v = t.dataSync();
    if (sparse) {
      const ids = Float64Array.from(v);
      for (const id of ids) {
        if (!Number.isInteger(id)) {
          throw new Error(`${this.name}: ${arg} must hold integer class indices, got ${id}` + ` (for scores or one-hot values pass ${arg === 'yTrue' ? 'sparseYTrue' : 'sparseYPred'}: false)`);
        }
      }
      return { ids, shape: [...t.shape] };
    }
    if (t.rank === 0) throw new Error(`${this.name}: ${arg} must have a class axis when not sparse, got a scalar`);
    const c = t.shape[t.rank - 1]!;
    const rows = c === 0 ? 0 : v.length / c;
    const ids = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (v[r * c + j]! > v[r * c + best]!) best = j;
      ids[r] = best;
    }
    return { ids, shape: t.shape.slice(0, -1) };
  }

  /** Adds a batch's labels and predictions (any matching shapes; every entry is one observation). */
  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const truth = this.classes(yTrue, this.sparseYTrue, 'yTrue');
    const pred = this.classes(yPred, this.sparseYPred, 'yPred');
    if (truth.ids.length !== pred.ids.length) {
      throw new Error(`${this.name}: yTrue and yPred must hold as many class entries, got ${truth.ids.length} (shape ${showValue(truth.shape)}) and ${pred.ids.length} (shape ${showValue(pred.shape)})`);
    }
    const w = sampleWeight === undefined ? null : broadcastTo(alignSampleWeight(this.name, sampleWeight, truth.shape), truth.shape).dataSync();
    const n = this.numClasses;
    const add = new Float64Array(n * n);
    for (let i = 0; i < truth.ids.length; i++) {
      const t = truth.ids[i]!;
      if (t === this.ignoreClass) continue;
      const p = pred.ids[i]!;
      if (t < 0 || t >= n || p < 0 || p >= n) {
        throw new Error(`${this.name}: class indices must be in [0, ${n - 1}] for numClasses ${n}, got yTrue ${t} and yPred ${p} at entry ${i}`);
      }
      add[t * n + p]! += w ? w[i]! : 1;
    }
    for (let i = 0; i < add.length; i++) this.cm[i]! += add[i]!;
  }

  /** IoU of each class: tp / (tp + fp + fn) (0 for a class never seen). */
  perClass(): number[] {
    const n = this.numClasses;
    const out: number[] = [];
    for (let c = 0; c < n; c++) {
      let row = 0;
      let col = 0;
      for (let j = 0; j < n; j++) {
        row += this.cm[c * n + j]!;
        col += this.cm[j * n + c]!;
      }
      const tp = this.cm[c * n + c]!;
      out.push(tp / (row + col - tp + EPSILON));
    }
    return out;
  }

  /** The mean IoU over the classes present in the labels or predictions so far; 0 before any update. */
  result(): number {
    const n = this.numClasses;
    let valid = 0;
    for (let c = 0; c < n; c++) {
      let denom = -this.cm[c * n + c]!;
      for (let j = 0; j < n; j++) denom += this.cm[c * n + j]! + this.cm[j * n + c]!;
      if (denom > 1e-9) valid++;
    }
    return this.perClass().reduce((a, b) => a + b, 0) / (valid + EPSILON);
  }

  /** Clears the confusion matrix. */
  reset(): void {
    this.cm = new Float64Array(this.numClasses * this.numClasses);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), numClasses: this.numClasses, ignoreClass: this.ignoreClass, sparseYTrue: this.sparseYTrue, sparseYPred: this.sparseYPred };
  }
}
